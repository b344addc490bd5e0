-- Source tables in schema raw, as the course dump and the bootcamp CSVs shape them.
-- Loaders (include/sources) create them with this file and fill them with COPY.
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE IF NOT EXISTS raw.player_seasons (
    player_name TEXT NOT NULL, age INTEGER, height TEXT, weight INTEGER, college TEXT, country TEXT,
    draft_year TEXT, draft_round TEXT, draft_number TEXT, gp REAL, pts REAL, reb REAL, ast REAL,
    netrtg REAL, oreb_pct REAL, dreb_pct REAL, usg_pct REAL, ts_pct REAL, ast_pct REAL,
    season INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.actor_films (
    actor TEXT, actorid TEXT, film TEXT, year INTEGER, votes INTEGER, rating REAL, filmid TEXT
);

-- Ids exceed BIGINT (values near 1.8e19): NUMERIC end to end.
-- event_time arrives as TEXT ('2023-01-03 00:31:02.123000'), UTC without zone.
CREATE TABLE IF NOT EXISTS raw.events (
    url TEXT, referrer TEXT, user_id NUMERIC, device_id NUMERIC, host TEXT, event_time TEXT
);

CREATE TABLE IF NOT EXISTS raw.devices (
    device_id NUMERIC, browser_type TEXT, browser_version_major INTEGER, device_type TEXT, os_type TEXT
);

CREATE TABLE IF NOT EXISTS raw.game_details (
    game_id INTEGER, team_id INTEGER, team_abbreviation TEXT, team_city TEXT, player_id INTEGER,
    player_name TEXT, nickname TEXT, start_position TEXT, comment TEXT, min TEXT,
    fgm REAL, fga REAL, fg_pct REAL, fg3m REAL, fg3a REAL, fg3_pct REAL, ftm REAL, fta REAL, ft_pct REAL,
    oreb REAL, dreb REAL, reb REAL, ast REAL, stl REAL, blk REAL, "TO" REAL, pf REAL, pts REAL,
    plus_minus REAL
);

CREATE TABLE IF NOT EXISTS raw.games (
    game_date_est DATE, game_id INTEGER NOT NULL, game_status_text TEXT, home_team_id INTEGER,
    visitor_team_id INTEGER, season INTEGER, team_id_home INTEGER, pts_home REAL, fg_pct_home REAL,
    ft_pct_home REAL, fg3_pct_home REAL, ast_home REAL, reb_home REAL, team_id_away INTEGER,
    pts_away REAL, fg_pct_away REAL, ft_pct_away REAL, fg3_pct_away REAL, ast_away REAL,
    reb_away REAL, home_team_wins INTEGER
);
