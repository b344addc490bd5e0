-- actors_history_scd snapshot for year %(period)s straight from raw.actor_films.
-- State per actor per year (every year from the first film year to %(period)s, with
-- films or not), then gaps-and-islands over (quality_class, is_active), NULL equal to NULL.
-- Same class rules as actors__full.sql (NUMERIC average of non-null ratings; a year
-- without rated films carries the previous class forward).
-- Must give the same rows as actors_history_scd__incremental.sql.
WITH yearly AS (
    SELECT actorid, year,
           CASE WHEN avg(rating::numeric) IS NULL THEN NULL
                WHEN avg(rating::numeric) > 8 THEN 'star'
                WHEN avg(rating::numeric) > 7 THEN 'good'
                WHEN avg(rating::numeric) > 6 THEN 'average'
                ELSE 'bad' END::analytics.quality_class AS year_class
    FROM raw.actor_films
    WHERE year <= %(period)s
    GROUP BY actorid, year
),
first_year AS (
    SELECT actorid, min(year) AS first_year FROM yearly GROUP BY actorid
),
years AS (
    SELECT f.actorid, y.year, s.actorid IS NOT NULL AS is_active, s.year_class
    FROM first_year f
    CROSS JOIN LATERAL generate_series(f.first_year, %(period)s::integer) AS y(year)
    LEFT JOIN yearly s ON s.actorid = f.actorid AND s.year = y.year
),
carried AS (   -- class carried forward: groups start at each year with a class
    SELECT *, count(year_class) OVER (PARTITION BY actorid ORDER BY year) AS class_grp
    FROM years
),
state AS (
    SELECT actorid, year, is_active,
           first_value(year_class) OVER (PARTITION BY actorid, class_grp ORDER BY year) AS quality_class
    FROM carried
),
changes AS (
    SELECT *,
           CASE WHEN (quality_class, is_active) IS NOT DISTINCT FROM
                     (lag(quality_class) OVER w, lag(is_active) OVER w) THEN 0 ELSE 1 END AS changed
    FROM state
    WINDOW w AS (PARTITION BY actorid ORDER BY year)
),
islands AS (
    SELECT *, sum(changed) OVER (PARTITION BY actorid ORDER BY year) AS run_id
    FROM changes
)
SELECT actorid, quality_class, is_active,
       min(year) AS start_date, max(year) AS end_date, %(period)s::integer AS current_year
FROM islands
GROUP BY actorid, run_id, quality_class, is_active
