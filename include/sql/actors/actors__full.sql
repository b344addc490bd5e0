-- actors for year %(period)s straight from raw.actor_films (backfills, repairs).
-- Same rules as actors__incremental.sql; must give the same rows.
WITH yearly AS (   -- one row per actor and year with films
    SELECT actorid, year,
           avg(rating::numeric) AS avg_rating
    FROM raw.actor_films
    WHERE year <= %(period)s
    GROUP BY actorid, year
),
yearly_class AS (
    SELECT actorid, year,
           CASE WHEN avg_rating IS NULL THEN NULL
                WHEN avg_rating > 8 THEN 'star'
                WHEN avg_rating > 7 THEN 'good'
                WHEN avg_rating > 6 THEN 'average'
                ELSE 'bad' END::analytics.quality_class AS year_class
    FROM yearly
),
per_actor_class AS (
    SELECT actorid,
           (array_agg(year_class ORDER BY year DESC) FILTER (WHERE year_class IS NOT NULL))[1] AS quality_class,
           max(year) AS last_year
    FROM yearly_class
    GROUP BY actorid
),
per_actor_films AS (
    SELECT actorid,
           (array_agg(actor ORDER BY year DESC, filmid DESC) FILTER (WHERE actor IS NOT NULL))[1] AS actor,
           array_agg(ROW(film, votes, rating, filmid, year)::analytics.film_stats ORDER BY year, filmid) AS films
    FROM raw.actor_films
    WHERE year <= %(period)s
    GROUP BY actorid
)
SELECT f.actorid,
       f.actor,
       f.films,
       c.quality_class,
       c.last_year = %(period)s           AS is_active,
       %(period)s::integer - c.last_year  AS years_since_last_active,
       %(period)s::integer                AS current_year
FROM per_actor_films f
JOIN per_actor_class c USING (actorid)
