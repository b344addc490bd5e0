-- actors pipeline: analytics.actors (cumulative, one row per actor per year) and
-- analytics.actors_history_scd (type-2 history, one snapshot per year).
-- Idempotent: safe to run before every load.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = 'analytics' AND t.typname = 'film_stats') THEN
        CREATE TYPE analytics.film_stats AS (
            film TEXT, votes INTEGER, rating REAL, filmid TEXT, year INTEGER
        );
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = 'analytics' AND t.typname = 'quality_class') THEN
        CREATE TYPE analytics.quality_class AS ENUM ('star', 'good', 'average', 'bad');
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS analytics.actors (
    actorid                 TEXT NOT NULL,
    -- the name on the most recent film: latest (year, filmid) with a non-null name
    actor                   TEXT,
    -- every film up to current_year, each filmid once, ordered by (year, filmid)
    films                   analytics.film_stats[] NOT NULL,
    -- plain average (NUMERIC) of the non-null ratings of the year's films:
    -- > 8 star, > 7 good, > 6 average, else bad; a year without rated films keeps
    -- last year's value (NULL if the actor never had a rated film)
    quality_class           analytics.quality_class,
    is_active               BOOLEAN NOT NULL,
    years_since_last_active INTEGER NOT NULL,
    current_year            INTEGER NOT NULL,
    PRIMARY KEY (actorid, current_year)
);

CREATE TABLE IF NOT EXISTS analytics.actors_history_scd (
    actorid       TEXT NOT NULL,
    quality_class analytics.quality_class,
    is_active     BOOLEAN NOT NULL,
    start_date    INTEGER NOT NULL,
    end_date      INTEGER NOT NULL,
    current_year  INTEGER NOT NULL,
    PRIMARY KEY (actorid, start_date, current_year)
);

CREATE TABLE IF NOT EXISTS staging.actors (LIKE analytics.actors INCLUDING ALL);
CREATE TABLE IF NOT EXISTS staging.actors_history_scd (LIKE analytics.actors_history_scd INCLUDING ALL);
