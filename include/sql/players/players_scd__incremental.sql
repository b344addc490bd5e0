-- players_scd snapshot for season %(period)s: snapshot %(previous)s + this season's
-- players rows (staging.players, staged just before this in the same transaction).
-- A run is a maximal stretch of consecutive seasons with the same (scoring_class,
-- is_active); NULL class equals NULL class (IS NOT DISTINCT FROM). The open run of a
-- player ends at %(previous)s in the previous snapshot and is extended to %(period)s
-- when the state did not change, else closed and followed by a new one-season run.
-- A player in the previous snapshot but absent from this season's players rows (bad
-- input) keeps all of his history unchanged and is reported by players_scd__warnings.sql.
-- Must give the same rows as players_scd__full.sql.
WITH prev AS (
    SELECT * FROM analytics.players_scd WHERE current_season = %(previous)s
),
cur AS (
    SELECT player_name, scoring_class, is_active
    FROM staging.players WHERE current_season = %(period)s
),
open_run AS (
    SELECT p.* FROM prev p WHERE p.end_season = %(previous)s
),
history AS (   -- every previous run except an open run of a player seen this season
    SELECT p.player_name, p.scoring_class, p.is_active, p.start_season, p.end_season
    FROM prev p
    WHERE NOT (p.end_season = %(previous)s
               AND EXISTS (SELECT 1 FROM cur c WHERE c.player_name = p.player_name))
),
extended AS (  -- open run, same state: now ends this season
    SELECT o.player_name, o.scoring_class, o.is_active, o.start_season, %(period)s::integer AS end_season
    FROM open_run o JOIN cur c ON c.player_name = o.player_name
    WHERE (c.scoring_class, c.is_active) IS NOT DISTINCT FROM (o.scoring_class, o.is_active)
),
closed AS (    -- open run, state changed: closed at the previous season
    SELECT o.player_name, o.scoring_class, o.is_active, o.start_season, o.end_season
    FROM open_run o JOIN cur c ON c.player_name = o.player_name
    WHERE (c.scoring_class, c.is_active) IS DISTINCT FROM (o.scoring_class, o.is_active)
),
started AS (   -- a new run: changed state, or a player without an open run
    SELECT c.player_name, c.scoring_class, c.is_active,
           %(period)s::integer AS start_season, %(period)s::integer AS end_season
    FROM cur c
    WHERE NOT EXISTS (
        SELECT 1 FROM open_run o
        WHERE o.player_name = c.player_name
          AND (c.scoring_class, c.is_active) IS NOT DISTINCT FROM (o.scoring_class, o.is_active))
)
SELECT player_name, scoring_class, is_active, start_season, end_season, %(period)s::integer AS current_season
FROM (
    SELECT * FROM history
    UNION ALL SELECT * FROM extended
    UNION ALL SELECT * FROM closed
    UNION ALL SELECT * FROM started
) runs
