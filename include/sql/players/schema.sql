-- players pipeline: analytics.players (cumulative, one row per player per season)
-- and analytics.players_scd (type-2 history, one snapshot per season).
-- Idempotent: safe to run before every load.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = 'analytics' AND t.typname = 'season_stats') THEN
        CREATE TYPE analytics.season_stats AS (
            season INTEGER, gp REAL, pts REAL, reb REAL, ast REAL, weight INTEGER
        );
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = 'analytics' AND t.typname = 'scoring_class') THEN
        CREATE TYPE analytics.scoring_class AS ENUM ('star', 'good', 'average', 'bad');
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS analytics.players (
    player_name             TEXT NOT NULL,
    -- static columns: the first non-null value seen (by season); source strings are kept
    -- as they are ('Undrafted' in draft_*, 'None' in college are values, not NULL)
    height                  TEXT,
    college                 TEXT,
    country                 TEXT,
    draft_year              TEXT,
    draft_round             TEXT,
    draft_number            TEXT,
    -- every season played up to current_season, ordered by season
    seasons                 analytics.season_stats[] NOT NULL,
    -- from the latest season with non-null pts: > 20 star, > 15 good, > 10 average, else bad
    scoring_class           analytics.scoring_class,
    is_active               BOOLEAN NOT NULL,
    years_since_last_active INTEGER NOT NULL,
    current_season          INTEGER NOT NULL,
    PRIMARY KEY (player_name, current_season)
);

CREATE TABLE IF NOT EXISTS analytics.players_scd (
    player_name    TEXT NOT NULL,
    scoring_class  analytics.scoring_class,
    is_active      BOOLEAN NOT NULL,
    start_season   INTEGER NOT NULL,
    end_season     INTEGER NOT NULL,
    current_season INTEGER NOT NULL,
    PRIMARY KEY (player_name, start_season, current_season)
);

CREATE TABLE IF NOT EXISTS staging.players (LIKE analytics.players INCLUDING ALL);
CREATE TABLE IF NOT EXISTS staging.players_scd (LIKE analytics.players_scd INCLUDING ALL);
