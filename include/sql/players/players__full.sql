-- players for season %(period)s straight from raw.player_seasons (backfills, repairs).
-- Must give the same rows as players__incremental.sql.
WITH src AS (
    SELECT s.*,
           CASE WHEN s.pts IS NULL THEN NULL
                WHEN s.pts > 20 THEN 'star'
                WHEN s.pts > 15 THEN 'good'
                WHEN s.pts > 10 THEN 'average'
                ELSE 'bad' END::analytics.scoring_class AS season_class
    FROM raw.player_seasons s
    WHERE s.season <= %(period)s
)
SELECT
    player_name,
    (array_agg(height ORDER BY season) FILTER (WHERE height IS NOT NULL))[1]             AS height,
    (array_agg(college ORDER BY season) FILTER (WHERE college IS NOT NULL))[1]           AS college,
    (array_agg(country ORDER BY season) FILTER (WHERE country IS NOT NULL))[1]           AS country,
    (array_agg(draft_year ORDER BY season) FILTER (WHERE draft_year IS NOT NULL))[1]     AS draft_year,
    (array_agg(draft_round ORDER BY season) FILTER (WHERE draft_round IS NOT NULL))[1]   AS draft_round,
    (array_agg(draft_number ORDER BY season) FILTER (WHERE draft_number IS NOT NULL))[1] AS draft_number,
    array_agg(ROW(season, gp, pts, reb, ast, weight)::analytics.season_stats ORDER BY season) AS seasons,
    (array_agg(season_class ORDER BY season DESC) FILTER (WHERE season_class IS NOT NULL))[1] AS scoring_class,
    max(season) = %(period)s                  AS is_active,
    %(period)s::integer - max(season)         AS years_since_last_active,
    %(period)s::integer                       AS current_season
FROM src
GROUP BY player_name
