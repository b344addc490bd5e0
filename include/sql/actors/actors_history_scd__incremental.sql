-- actors_history_scd snapshot for year %(period)s: snapshot %(previous)s + this year's
-- actors rows (staging.actors, staged just before this in the same transaction).
-- A run is a maximal stretch of consecutive years with the same (quality_class,
-- is_active); NULL class equals NULL class (IS NOT DISTINCT FROM). The open run of an
-- actor ends at %(previous)s in the previous snapshot and is extended to %(period)s
-- when the state did not change, else closed and followed by a new one-year run.
-- An actor in the previous snapshot but absent from this year's actors rows (bad
-- input) keeps all of its history unchanged and is reported by actors_history_scd__warnings.sql.
-- Must give the same rows as actors_history_scd__full.sql.
WITH prev AS (
    SELECT * FROM analytics.actors_history_scd WHERE current_year = %(previous)s
),
cur AS (
    SELECT actorid, quality_class, is_active
    FROM staging.actors WHERE current_year = %(period)s
),
open_run AS (
    SELECT p.* FROM prev p WHERE p.end_date = %(previous)s
),
history AS (   -- every previous run except an open run of an actor seen this year
    SELECT p.actorid, p.quality_class, p.is_active, p.start_date, p.end_date
    FROM prev p
    WHERE NOT (p.end_date = %(previous)s
               AND EXISTS (SELECT 1 FROM cur c WHERE c.actorid = p.actorid))
),
extended AS (  -- open run, same state: now ends this year
    SELECT o.actorid, o.quality_class, o.is_active, o.start_date, %(period)s::integer AS end_date
    FROM open_run o JOIN cur c ON c.actorid = o.actorid
    WHERE (c.quality_class, c.is_active) IS NOT DISTINCT FROM (o.quality_class, o.is_active)
),
closed AS (    -- open run, state changed: closed at the previous year
    SELECT o.actorid, o.quality_class, o.is_active, o.start_date, o.end_date
    FROM open_run o JOIN cur c ON c.actorid = o.actorid
    WHERE (c.quality_class, c.is_active) IS DISTINCT FROM (o.quality_class, o.is_active)
),
started AS (   -- a new run: changed state, or an actor without an open run
    SELECT c.actorid, c.quality_class, c.is_active,
           %(period)s::integer AS start_date, %(period)s::integer AS end_date
    FROM cur c
    WHERE NOT EXISTS (
        SELECT 1 FROM open_run o
        WHERE o.actorid = c.actorid
          AND (c.quality_class, c.is_active) IS NOT DISTINCT FROM (o.quality_class, o.is_active))
)
SELECT actorid, quality_class, is_active, start_date, end_date, %(period)s::integer AS current_year
FROM (
    SELECT * FROM history
    UNION ALL SELECT * FROM extended
    UNION ALL SELECT * FROM closed
    UNION ALL SELECT * FROM started
) runs
