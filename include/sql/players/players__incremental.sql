-- players for season %(period)s: last season's snapshot + this season's source rows.
-- raw.player_seasons has one row per (player_name, season) (checks/duplicate_player_seasons.sql).
-- Must give the same rows as players__full.sql.
WITH prev AS (
    SELECT * FROM analytics.players WHERE current_season = %(previous)s
),
cur AS (
    SELECT s.*,
           -- NULL pts: no class this season, the previous one is carried forward
           CASE WHEN s.pts IS NULL THEN NULL
                WHEN s.pts > 20 THEN 'star'
                WHEN s.pts > 15 THEN 'good'
                WHEN s.pts > 10 THEN 'average'
                ELSE 'bad' END::analytics.scoring_class AS season_class
    FROM raw.player_seasons s
    WHERE s.season = %(period)s
)
SELECT
    COALESCE(p.player_name, c.player_name)   AS player_name,
    COALESCE(p.height, c.height)             AS height,
    COALESCE(p.college, c.college)           AS college,
    COALESCE(p.country, c.country)           AS country,
    COALESCE(p.draft_year, c.draft_year)     AS draft_year,
    COALESCE(p.draft_round, c.draft_round)   AS draft_round,
    COALESCE(p.draft_number, c.draft_number) AS draft_number,
    COALESCE(p.seasons, ARRAY[]::analytics.season_stats[])
        || CASE WHEN c.player_name IS NULL THEN ARRAY[]::analytics.season_stats[]
                ELSE ARRAY[ROW(c.season, c.gp, c.pts, c.reb, c.ast, c.weight)::analytics.season_stats] END
                                             AS seasons,
    COALESCE(c.season_class, p.scoring_class) AS scoring_class,
    c.player_name IS NOT NULL                AS is_active,
    CASE WHEN c.player_name IS NOT NULL THEN 0
         ELSE p.years_since_last_active + 1 END AS years_since_last_active,
    %(period)s::integer                      AS current_season
FROM prev p
FULL OUTER JOIN cur c ON c.player_name = p.player_name
