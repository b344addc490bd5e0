"""Tiny raw inputs per pipeline, and one bad mutation of the staged rows per contract check.

Each mutation is made for one check: after it, that check must be FAILED.
``also`` lists the checks that necessarily fail with it (e.g. deleting every
staged row also breaks the reconciliation with the sources); every other
check must still pass, so each check is shown to fail on its own defect.
Staging tables carry the analytics primary keys and NOT NULLs (LIKE ...
INCLUDING ALL); mutations that simulate a broken load drop them first, so
the contract's own duplicate/missing checks are what is tested.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    raw_sql: str
    published: tuple[str, ...]  # periods loaded and published first
    audited: str                # the period staged (not published) in the template


@dataclass(frozen=True)
class Mutation:
    pipeline: str
    table: str
    check: str
    sql: str
    also: frozenset = field(default_factory=frozenset)
    case: str = ""  # tells two bad inputs for one check apart

    @property
    def id(self) -> str:
        return f"{self.table}|{self.check}" + (f"|{self.case}" if self.case else "")


def drop_pk(table: str) -> str:
    return f"""
DO $$ DECLARE c text; BEGIN
  SELECT conname INTO c FROM pg_constraint WHERE conrelid = 'staging.{table}'::regclass AND contype = 'p';
  IF c IS NOT NULL THEN EXECUTE format('ALTER TABLE staging.{table} DROP CONSTRAINT %I', c); END IF;
END $$;"""


def insert_copy(table: str, where: str, set_: str) -> str:
    """Insert a modified copy of staged rows (after constraints were dropped)."""
    return f"""
DROP TABLE IF EXISTS pg_temp.mut;
CREATE TEMP TABLE mut AS SELECT * FROM staging.{table} WHERE {where};
UPDATE pg_temp.mut SET {set_};
INSERT INTO staging.{table} SELECT * FROM pg_temp.mut;"""


def nullable(table: str, column: str) -> str:
    return drop_pk(table) + f"\nALTER TABLE staging.{table} ALTER COLUMN {column} DROP NOT NULL;"


def as_text(table: str, column: str) -> str:
    """An enum column that drifted to TEXT in staging, so a bad label can be written."""
    return f"ALTER TABLE staging.{table} ALTER COLUMN {column} TYPE text;"


SCENARIOS: dict[str, Scenario] = {}
MUTATIONS: list[Mutation] = []

# --- players -------------------------------------------------------------------------
# 1998 staged: A active (96, 97, 98; good), B inactive since 1996 (average),
# C inactive since 1997 (bad), D new in 1998 (star).
SCENARIOS["players"] = Scenario(
    raw_sql="""
INSERT INTO raw.player_seasons (player_name, height, college, country, draft_year, draft_round, draft_number,
                                gp, pts, reb, ast, weight, season) VALUES
 ('A', '6-1', 'X', 'USA', '1990', '1', '3', 80, 25, 5, 5, 200, 1996),
 ('B', '6-2', NULL, 'USA', '1991', '2', '30', 60, 12, 5, 5, 210, 1996),
 ('A', '6-1', 'X', 'USA', '1990', '1', '3', 80, 16, 5, 5, 200, 1997),
 ('C', '6-5', 'Y', 'FRA', 'Undrafted', NULL, NULL, 10, 3, 1, 1, 190, 1997),
 ('A', '6-1', 'X', 'USA', '1990', '1', '3', 80, 16, 5, 5, 200, 1998),
 ('D', '7-0', 'Z', 'USA', '1998', '1', '1', 82, 22, 9, 2, 250, 1998);
""",
    published=("1996", "1997"),
    audited="1998",
)
P = "current_season = 1998"
_P_RECON = "players = distinct players seen up to the season"
_PSCD_RECON = "last run = players row (same players, class, activity)"
MUTATIONS += [
    Mutation("players", "players", "schema", "ALTER TABLE staging.players ADD COLUMN extra INTEGER;"),
    Mutation("players", "players", "row_count > 0", f"DELETE FROM staging.players WHERE {P};",
             frozenset({_P_RECON, _PSCD_RECON})),
    Mutation("players", "players", "key (player_name, current_season) unique",
             drop_pk("players") + insert_copy("players", f"{P} AND player_name = 'B'", "is_active = is_active")),
    Mutation("players", "players", "player_name: player_name not null",
             nullable("players", "player_name") + insert_copy("players", f"{P} AND player_name = 'B'",
                                                              "player_name = NULL"),
             frozenset({_P_RECON, _PSCD_RECON})),
    Mutation("players", "players", "scoring_class: scoring_class in star/good/average/bad",
             as_text("players", "scoring_class")
             + f"UPDATE staging.players SET scoring_class = 'legend' WHERE {P} AND player_name = 'B';",
             frozenset({_PSCD_RECON})),
    Mutation("players", "players", "years_since_last_active: years_since_last_active >= 0",
             f"UPDATE staging.players SET years_since_last_active = -1 WHERE {P} AND player_name = 'B';"),
    Mutation("players", "players", "is_active iff years_since_last_active = 0",
             f"UPDATE staging.players SET years_since_last_active = 3 WHERE {P} AND player_name = 'A';"),
    Mutation("players", "players", "seasons sorted, unique, none after current_season",
             f"UPDATE staging.players SET seasons = seasons[1:1] || seasons WHERE {P} AND player_name = 'A';"),
    Mutation("players", "players", "is_active iff the last season is current_season",
             f"UPDATE staging.players SET seasons = seasons[1:2] WHERE {P} AND player_name = 'A';"),
    Mutation("players", "players", "scoring_class matches the season's pts",
             f"UPDATE staging.players SET scoring_class = 'bad' WHERE {P} AND player_name = 'D';"
             f"UPDATE staging.players_scd SET scoring_class = 'bad' WHERE {P} AND player_name = 'D';"),
    Mutation("players", "players", _P_RECON,
             "INSERT INTO raw.player_seasons (player_name, season, pts) VALUES ('Z', 1990, 5);"),
    # players_scd
    Mutation("players", "players_scd", "schema", "ALTER TABLE staging.players_scd ADD COLUMN extra INTEGER;"),
    Mutation("players", "players_scd", "row_count > 0", f"DELETE FROM staging.players_scd WHERE {P};",
             frozenset({_PSCD_RECON})),
    Mutation("players", "players_scd", "key (player_name, start_season) unique",
             drop_pk("players_scd") + insert_copy("players_scd", f"{P} AND player_name = 'D'",
                                                  "is_active = is_active"),
             frozenset({"runs contiguous and not overlapping per player",
                        "adjacent runs differ in (scoring_class, is_active)"})),
    Mutation("players", "players_scd", "player_name: player_name not null",
             nullable("players_scd", "player_name") + insert_copy("players_scd", f"{P} AND player_name = 'D'",
                                                                  "player_name = NULL"),
             frozenset({_PSCD_RECON})),
    Mutation("players", "players_scd", "scoring_class: scoring_class in star/good/average/bad",
             as_text("players_scd", "scoring_class")
             + f"UPDATE staging.players_scd SET scoring_class = 'legend' WHERE {P} AND player_name = 'A'"
               " AND start_season = 1996;"),
    Mutation("players", "players_scd", "is_active: is_active not null",
             nullable("players_scd", "is_active")
             + f"UPDATE staging.players_scd SET is_active = NULL WHERE {P} AND player_name = 'A'"
               " AND start_season = 1996;"),
    Mutation("players", "players_scd", "start_season: start_season not null",
             nullable("players_scd", "start_season")
             + f"UPDATE staging.players_scd SET start_season = NULL WHERE {P} AND player_name = 'A'"
               " AND start_season = 1996;"),
    Mutation("players", "players_scd", "end_season: end_season not null",
             nullable("players_scd", "end_season")
             + f"UPDATE staging.players_scd SET end_season = NULL WHERE {P} AND player_name = 'A'"
               " AND start_season = 1996;"),
    Mutation("players", "players_scd", "start_season <= end_season <= current_season",
             f"UPDATE staging.players_scd SET start_season = 1999 WHERE {P} AND player_name = 'D';"),
    Mutation("players", "players_scd", "runs contiguous and not overlapping per player",
             f"UPDATE staging.players_scd SET start_season = 1998 WHERE {P} AND player_name = 'A'"
             " AND start_season = 1997;"),
    Mutation("players", "players_scd", "adjacent runs differ in (scoring_class, is_active)",
             f"UPDATE staging.players_scd SET scoring_class = 'good' WHERE {P} AND player_name = 'A'"
             " AND start_season = 1996;"),
    Mutation("players", "players_scd", "last run ends at the snapshot season",
             f"UPDATE staging.players_scd SET start_season = 1997, end_season = 1997 WHERE {P}"
             " AND player_name = 'D';"),
    Mutation("players", "players_scd", _PSCD_RECON,
             f"UPDATE staging.players_scd SET is_active = false WHERE {P} AND player_name = 'A'"
             " AND start_season = 1997;"),
]

# --- actors --------------------------------------------------------------------------
# 1972 staged: nm1 active (films of 70, 71, 72; avg 7.1 good), nm2 inactive since 1970
# (average), nm3 inactive since 1971 (bad), nm4 new in 1972 (star).
SCENARIOS["actors"] = Scenario(
    raw_sql="""
INSERT INTO raw.actor_films (actor, actorid, film, year, votes, rating, filmid) VALUES
 ('Ann', 'nm1', 'F1', 1970, 100, 8.5, 'tt1'),
 ('Bob', 'nm2', 'F5', 1970, 50, 6.5, 'tt5'),
 ('Ann', 'nm1', 'F2', 1971, 120, 7.5, 'tt2'),
 ('Cid', 'nm3', 'F6', 1971, 10, 5.0, 'tt6'),
 ('Ann', 'nm1', 'F3', 1972, 90, 7.2, 'tt3'),
 ('Ann', 'nm1', 'F4', 1972, 80, 7.0, 'tt4'),
 ('Dee', 'nm4', 'F7', 1972, 500, 9.0, 'tt7');
""",
    published=("1970", "1971"),
    audited="1972",
)
Y = "current_year = 1972"
_A_RECON = "actors = distinct actors seen up to the year"
_ASCD_RECON = "last run = actors row (same actors, class, activity)"
_ASCD_CONTIG = "runs contiguous and not overlapping per actor"
_ASCD_MAXIMAL = "adjacent runs differ in (quality_class, is_active)"
MUTATIONS += [
    Mutation("actors", "actors", "schema", "ALTER TABLE staging.actors ADD COLUMN extra INTEGER;"),
    Mutation("actors", "actors", "row_count > 0", f"DELETE FROM staging.actors WHERE {Y};",
             frozenset({_A_RECON})),
    Mutation("actors", "actors", "key (actorid, current_year) unique",
             drop_pk("actors") + insert_copy("actors", f"{Y} AND actorid = 'nm2'", "is_active = is_active")),
    Mutation("actors", "actors", "actorid: actorid not null",
             nullable("actors", "actorid") + insert_copy("actors", f"{Y} AND actorid = 'nm2'", "actorid = NULL"),
             frozenset({_A_RECON, _ASCD_RECON})),
    Mutation("actors", "actors", "quality_class: quality_class in star/good/average/bad",
             as_text("actors", "quality_class")
             + f"UPDATE staging.actors SET quality_class = 'legend' WHERE {Y} AND actorid = 'nm2';",
             frozenset({_ASCD_RECON})),
    Mutation("actors", "actors", "years_since_last_active: years_since_last_active >= 0",
             f"UPDATE staging.actors SET years_since_last_active = -1 WHERE {Y} AND actorid = 'nm2';",
             frozenset({"years since the last film year (is_active iff a film in current_year)"})),
    Mutation("actors", "actors", "is_active iff years_since_last_active = 0",
             f"UPDATE staging.actors SET is_active = false WHERE {Y} AND actorid = 'nm1';"
             f"UPDATE staging.actors_history_scd SET is_active = false WHERE {Y} AND actorid = 'nm1'"
             " AND start_date = 1971;"),
    Mutation("actors", "actors", "films sorted by (year, filmid), filmid unique, none after current_year",
             f"UPDATE staging.actors SET films = films[1:1] || films WHERE {Y} AND actorid = 'nm1';"),
    Mutation("actors", "actors", "years since the last film year (is_active iff a film in current_year)",
             f"UPDATE staging.actors SET films = films[1:2] WHERE {Y} AND actorid = 'nm1';"),
    Mutation("actors", "actors", "quality_class matches the year's average rating",
             f"UPDATE staging.actors SET quality_class = 'bad' WHERE {Y} AND actorid = 'nm4';"
             f"UPDATE staging.actors_history_scd SET quality_class = 'bad' WHERE {Y} AND actorid = 'nm4';"),
    Mutation("actors", "actors", _A_RECON,
             "INSERT INTO raw.actor_films (actor, actorid, film, year, filmid) VALUES ('Old', 'nm9', 'F0', 1960, 'tt0');"),
    # actors_history_scd
    Mutation("actors", "actors_history_scd", "schema",
             "ALTER TABLE staging.actors_history_scd ADD COLUMN extra INTEGER;"),
    Mutation("actors", "actors_history_scd", "row_count > 0", f"DELETE FROM staging.actors_history_scd WHERE {Y};",
             frozenset({_ASCD_RECON})),
    Mutation("actors", "actors_history_scd", "key (actorid, start_date) unique",
             drop_pk("actors_history_scd") + insert_copy("actors_history_scd", f"{Y} AND actorid = 'nm4'",
                                                         "is_active = is_active"),
             frozenset({_ASCD_CONTIG, _ASCD_MAXIMAL})),
    Mutation("actors", "actors_history_scd", "actorid: actorid not null",
             nullable("actors_history_scd", "actorid")
             + insert_copy("actors_history_scd", f"{Y} AND actorid = 'nm4'", "actorid = NULL")),
    Mutation("actors", "actors_history_scd", "quality_class: quality_class in star/good/average/bad",
             as_text("actors_history_scd", "quality_class")
             + f"UPDATE staging.actors_history_scd SET quality_class = 'legend' WHERE {Y} AND actorid = 'nm1'"
               " AND start_date = 1970;"),
    Mutation("actors", "actors_history_scd", "is_active: is_active not null",
             nullable("actors_history_scd", "is_active")
             + f"UPDATE staging.actors_history_scd SET is_active = NULL WHERE {Y} AND actorid = 'nm1'"
               " AND start_date = 1970;"),
    Mutation("actors", "actors_history_scd", "start_date: start_date not null",
             nullable("actors_history_scd", "start_date")
             + f"UPDATE staging.actors_history_scd SET start_date = NULL WHERE {Y} AND actorid = 'nm1'"
               " AND start_date = 1970;"),
    Mutation("actors", "actors_history_scd", "end_date: end_date not null",
             nullable("actors_history_scd", "end_date")
             + f"UPDATE staging.actors_history_scd SET end_date = NULL WHERE {Y} AND actorid = 'nm1'"
               " AND start_date = 1970;"),
    Mutation("actors", "actors_history_scd", "start_date <= end_date <= current_year",
             f"UPDATE staging.actors_history_scd SET start_date = 1973 WHERE {Y} AND actorid = 'nm4';"),
    Mutation("actors", "actors_history_scd", _ASCD_CONTIG,
             f"UPDATE staging.actors_history_scd SET start_date = 1972 WHERE {Y} AND actorid = 'nm1'"
             " AND start_date = 1971;"),
    Mutation("actors", "actors_history_scd", _ASCD_MAXIMAL,
             f"UPDATE staging.actors_history_scd SET quality_class = 'good' WHERE {Y} AND actorid = 'nm1'"
             " AND start_date = 1970;"),
    Mutation("actors", "actors_history_scd", "last run ends at the snapshot year",
             f"UPDATE staging.actors_history_scd SET start_date = 1971, end_date = 1971 WHERE {Y}"
             " AND actorid = 'nm4';"),
    Mutation("actors", "actors_history_scd", _ASCD_RECON,
             f"UPDATE staging.actors_history_scd SET is_active = false WHERE {Y} AND actorid = 'nm1'"
             " AND start_date = 1971;"),
]


def drop_checks(table: str) -> str:
    """Drop the staging table's CHECK constraints (a drifted staging table)."""
    return f"""
DO $$ DECLARE c text; BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'staging.{table}'::regclass AND contype = 'c' LOOP
    EXECUTE format('ALTER TABLE staging.{table} DROP CONSTRAINT %I', c);
  END LOOP;
END $$;"""


# --- web_activity --------------------------------------------------------------------
# 2023-01-02 staged. Users 1 (chrome, both days), 2 (firefox, day 2), NULL user events;
# hosts a.com (both days), b.com (day 2); an exact duplicate event and a NULL-host event.
SCENARIOS["web_activity"] = Scenario(
    raw_sql="""
INSERT INTO raw.devices (device_id, browser_type, os_type, device_type) VALUES
 (10, 'chrome', 'mac', 'pc'), (20, 'firefox', 'linux', 'pc');
INSERT INTO raw.events (url, referrer, user_id, device_id, host, event_time) VALUES
 ('/', NULL, 1, 10, 'a.com', '2023-01-01 10:00:00.000000'),
 ('/', NULL, 1, 10, 'a.com', '2023-01-02 09:00:00.000000'),
 ('/', NULL, 1, 10, 'a.com', '2023-01-02 09:00:00.000000'),
 ('/x', NULL, 2, 20, 'b.com', '2023-01-02 11:00:00.000000'),
 ('/y', NULL, NULL, 20, 'a.com', '2023-01-02 12:00:00.000000'),
 ('/z', NULL, 2, 20, NULL, '2023-01-02 13:00:00.000000');
""",
    published=("2023-01-01",),
    audited="2023-01-02",
)
D = "date = DATE '2023-01-02'"
M = "month = DATE '2023-01-01'"
_U_RECON = "users active on the day = distinct users with events that day"
_H_RECON = "hosts active on the day = distinct hosts with events that day"
_R_HITS = "sum of the day's hits = the day's deduplicated events with a host"
_R_VIS = "the day's unique visitors per host = distinct users"
_R_SHAPE = "one array length per month, every row has a hit"
MUTATIONS += [
    Mutation("web_activity", "user_devices_cumulated", "schema",
             "ALTER TABLE staging.user_devices_cumulated ADD COLUMN extra INTEGER;"),
    Mutation("web_activity", "user_devices_cumulated", "key (user_id, browser_type, date) unique",
             drop_pk("user_devices_cumulated")
             + insert_copy("user_devices_cumulated", f"{D} AND user_id = 2", "date = date")),
    Mutation("web_activity", "user_devices_cumulated", "user_id: user_id not null",
             nullable("user_devices_cumulated", "user_id")
             + insert_copy("user_devices_cumulated", f"{D} AND user_id = 1",
                           "user_id = NULL, device_activity_datelist = ARRAY[DATE '2023-01-01'],"
                           " datelist_int = 1073741824")),
    Mutation("web_activity", "user_devices_cumulated", "browser_type: browser_type not null",
             nullable("user_devices_cumulated", "browser_type")
             + f"UPDATE staging.user_devices_cumulated SET browser_type = NULL WHERE {D} AND user_id = 2;"),
    Mutation("web_activity", "user_devices_cumulated", "datelist_int: datelist_int in [0, 2^32)",
             drop_checks("user_devices_cumulated")
             + f"UPDATE staging.user_devices_cumulated SET datelist_int = datelist_int + 4294967296"
               f" WHERE {D} AND user_id = 2;",
             frozenset({"datelist_int = bits of the datelist's last 32 days"})),
    Mutation("web_activity", "user_devices_cumulated", "datelist non-empty, sorted, unique, no NULL, none after date",
             f"UPDATE staging.user_devices_cumulated SET device_activity_datelist"
             f" = device_activity_datelist || DATE '2023-01-05' WHERE {D} AND user_id = 1;"),
    Mutation("web_activity", "user_devices_cumulated", "datelist_int = bits of the datelist's last 32 days",
             f"UPDATE staging.user_devices_cumulated SET datelist_int = 1 WHERE {D} AND user_id = 1;"),
    Mutation("web_activity", "user_devices_cumulated", _U_RECON,
             f"DELETE FROM staging.user_devices_cumulated WHERE {D} AND user_id = 2;"),
    Mutation("web_activity", "user_devices_cumulated", "rows staged when events exist up to the day",
             f"DELETE FROM staging.user_devices_cumulated WHERE {D};", frozenset({_U_RECON})),
    # hosts_cumulated
    Mutation("web_activity", "hosts_cumulated", "schema",
             "ALTER TABLE staging.hosts_cumulated ADD COLUMN extra INTEGER;"),
    Mutation("web_activity", "hosts_cumulated", "key (host, date) unique",
             drop_pk("hosts_cumulated") + insert_copy("hosts_cumulated", f"{D} AND host = 'b.com'", "date = date")),
    Mutation("web_activity", "hosts_cumulated", "host: host not null",
             nullable("hosts_cumulated", "host")
             + insert_copy("hosts_cumulated", f"{D} AND host = 'a.com'",
                           "host = NULL, host_activity_datelist = ARRAY[DATE '2023-01-01']")),
    Mutation("web_activity", "hosts_cumulated", "datelist non-empty, sorted, unique, no NULL, none after date",
             f"UPDATE staging.hosts_cumulated SET host_activity_datelist = host_activity_datelist[1:1]"
             f" || host_activity_datelist WHERE {D} AND host = 'a.com';"),
    Mutation("web_activity", "hosts_cumulated", _H_RECON,
             f"DELETE FROM staging.hosts_cumulated WHERE {D} AND host = 'b.com';"),
    Mutation("web_activity", "hosts_cumulated", "rows staged when events exist up to the day",
             f"DELETE FROM staging.hosts_cumulated WHERE {D};", frozenset({_H_RECON})),
    # host_activity_reduced
    Mutation("web_activity", "host_activity_reduced", "schema",
             "ALTER TABLE staging.host_activity_reduced ADD COLUMN extra INTEGER;"),
    Mutation("web_activity", "host_activity_reduced", "key (month, host) unique",
             drop_pk("host_activity_reduced")
             + insert_copy("host_activity_reduced", f"{M} AND host = 'b.com'",
                           "hit_array = '{0,0}', unique_visitors = '{0,0}'"),
             frozenset({_R_VIS, _R_SHAPE})),
    Mutation("web_activity", "host_activity_reduced", "host: host not null",
             nullable("host_activity_reduced", "host")
             + insert_copy("host_activity_reduced", f"{M} AND host = 'b.com'",
                           "host = NULL, hit_array = '{0,0}', unique_visitors = '{0,0}'"),
             frozenset({_R_SHAPE})),
    Mutation("web_activity", "host_activity_reduced", "arrays at least as long as the day of month",
             drop_checks("host_activity_reduced")
             + f"UPDATE staging.host_activity_reduced SET hit_array = hit_array[1:1],"
               f" unique_visitors = unique_visitors[1:1] WHERE {M} AND host = 'a.com';",
             frozenset({_R_HITS, _R_VIS, _R_SHAPE})),
    Mutation("web_activity", "host_activity_reduced", _R_SHAPE,
             drop_checks("host_activity_reduced")
             + f"UPDATE staging.host_activity_reduced SET hit_array = hit_array || 0::bigint,"
               f" unique_visitors = unique_visitors || 0::bigint WHERE {M} AND host = 'b.com';"),
    Mutation("web_activity", "host_activity_reduced", _R_SHAPE,
             drop_pk("host_activity_reduced")
             + insert_copy("host_activity_reduced", f"{M} AND host = 'b.com'",
                           "host = 'z.com', hit_array = '{0,0}', unique_visitors = '{0,0}'"),
             case="a row without hits"),
    Mutation("web_activity", "host_activity_reduced", "array elements not NULL, >= 0, visitors <= hits",
             drop_checks("host_activity_reduced")
             + f"UPDATE staging.host_activity_reduced SET hit_array[1] = NULL WHERE {M} AND host = 'b.com';"),
    Mutation("web_activity", "host_activity_reduced", _R_HITS,
             f"UPDATE staging.host_activity_reduced SET hit_array[2] = hit_array[2] + 1"
             f" WHERE {M} AND host = 'a.com';"),
    Mutation("web_activity", "host_activity_reduced", _R_VIS,
             f"UPDATE staging.host_activity_reduced SET unique_visitors[2] = 0 WHERE {M} AND host = 'b.com';"),
]

# --- game_details --------------------------------------------------------------------
# A full snapshot: (1, 1, 1) arrives twice, so 3 distinct keys are staged.
SCENARIOS["game_details"] = Scenario(
    raw_sql="""
INSERT INTO raw.games (game_date_est, game_id, season, home_team_id, visitor_team_id) VALUES
 ('2023-01-01', 1, 2022, 1, 2);
INSERT INTO raw.game_details (game_id, team_id, player_id, player_name, pts) VALUES
 (1, 1, 1, 'P1', 10), (1, 1, 1, 'P1', 10), (1, 1, 2, 'P2', 3), (1, 2, 3, 'P3', 4);
""",
    published=(),
    audited="2023-01-01",
)
_G_RECON = "keys = distinct source keys"
MUTATIONS += [
    Mutation("game_details", "fct_game_details", "schema",
             "ALTER TABLE staging.fct_game_details ALTER COLUMN game_id TYPE bigint;"),
    Mutation("game_details", "fct_game_details", "row_count > 0", "DELETE FROM staging.fct_game_details;",
             frozenset({_G_RECON})),
    Mutation("game_details", "fct_game_details", "key (game_id, team_id, player_id) unique",
             drop_pk("fct_game_details") + insert_copy("fct_game_details", "player_id = 2", "game_id = game_id")),
    *[Mutation("game_details", "fct_game_details", f"{col}: {col} not null",
               nullable("fct_game_details", col)
               + insert_copy("fct_game_details", "player_id = 2", f"{col} = NULL"),
               frozenset({_G_RECON}))
      for col in ("game_id", "team_id", "player_id")],
    Mutation("game_details", "fct_game_details", _G_RECON, "DELETE FROM staging.fct_game_details WHERE player_id = 3;"),
]
