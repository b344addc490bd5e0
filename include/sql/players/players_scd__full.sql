-- players_scd snapshot for season %(period)s straight from raw.player_seasons.
-- State per player per season (every season from the first one to %(period)s, played
-- or not), then gaps-and-islands over (scoring_class, is_active), NULL equal to NULL.
-- Same class rules as players__full.sql (NULL pts: class carried forward).
-- Must give the same rows as players_scd__incremental.sql.
WITH src AS (
    SELECT player_name, season,
           CASE WHEN pts IS NULL THEN NULL
                WHEN pts > 20 THEN 'star'
                WHEN pts > 15 THEN 'good'
                WHEN pts > 10 THEN 'average'
                ELSE 'bad' END::analytics.scoring_class AS season_class
    FROM raw.player_seasons
    WHERE season <= %(period)s
),
first_season AS (
    SELECT player_name, min(season) AS first_season FROM src GROUP BY player_name
),
years AS (
    SELECT f.player_name, y.season, s.player_name IS NOT NULL AS is_active, s.season_class
    FROM first_season f
    CROSS JOIN LATERAL generate_series(f.first_season, %(period)s::integer) AS y(season)
    LEFT JOIN src s ON s.player_name = f.player_name AND s.season = y.season
),
carried AS (   -- class carried forward: groups start at each season with a class
    SELECT *, count(season_class) OVER (PARTITION BY player_name ORDER BY season) AS class_grp
    FROM years
),
state AS (
    SELECT player_name, season, is_active,
           first_value(season_class) OVER (PARTITION BY player_name, class_grp ORDER BY season) AS scoring_class
    FROM carried
),
changes AS (
    SELECT *,
           CASE WHEN (scoring_class, is_active) IS NOT DISTINCT FROM
                     (lag(scoring_class) OVER w, lag(is_active) OVER w) THEN 0 ELSE 1 END AS changed
    FROM state
    WINDOW w AS (PARTITION BY player_name ORDER BY season)
),
islands AS (
    SELECT *, sum(changed) OVER (PARTITION BY player_name ORDER BY season) AS run_id
    FROM changes
)
SELECT player_name, scoring_class, is_active,
       min(season) AS start_season, max(season) AS end_season, %(period)s::integer AS current_season
FROM islands
GROUP BY player_name, run_id, scoring_class, is_active
