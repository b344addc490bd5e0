-- fct_game_details: raw.game_details deduplicated to one row per (game_id, team_id, player_id).
-- A full snapshot (no period column): every run replaces the whole table in one transaction.
CREATE TABLE IF NOT EXISTS analytics.fct_game_details (
    game_id INTEGER NOT NULL, team_id INTEGER NOT NULL, team_abbreviation TEXT, team_city TEXT,
    player_id INTEGER NOT NULL, player_name TEXT, nickname TEXT, start_position TEXT, comment TEXT, min TEXT,
    fgm REAL, fga REAL, fg_pct REAL, fg3m REAL, fg3a REAL, fg3_pct REAL, ftm REAL, fta REAL, ft_pct REAL,
    oreb REAL, dreb REAL, reb REAL, ast REAL, stl REAL, blk REAL, "TO" REAL, pf REAL, pts REAL,
    plus_minus REAL,
    PRIMARY KEY (game_id, team_id, player_id)
);
CREATE TABLE IF NOT EXISTS staging.fct_game_details (LIKE analytics.fct_game_details INCLUDING ALL);
