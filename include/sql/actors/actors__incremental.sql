-- actors for year %(period)s: last year's snapshot + this year's films.
-- raw.actor_films holds each (actorid, filmid) once (checks/duplicate_actor_films.sql).
-- The average rating is taken in NUMERIC (rating::numeric gives the REAL's shortest
-- decimal, 7.9 not 7.900000095), so boundaries are exact: 8.0 good, 7.0 average, 6.0 bad.
-- actor: the name on the most recent film, tie-break latest (year, filmid), NULL names skipped.
-- Must give the same rows as actors__full.sql.
WITH prev AS (
    SELECT * FROM analytics.actors WHERE current_year = %(previous)s
),
cur AS (
    SELECT actorid,
           (array_agg(actor ORDER BY filmid DESC) FILTER (WHERE actor IS NOT NULL))[1] AS actor,
           array_agg(ROW(film, votes, rating, filmid, year)::analytics.film_stats ORDER BY filmid) AS films,
           avg(rating::numeric) AS avg_rating   -- avg skips NULL ratings; NULL when none rated
    FROM raw.actor_films
    WHERE year = %(period)s
    GROUP BY actorid
)
SELECT
    COALESCE(p.actorid, c.actorid)  AS actorid,
    COALESCE(c.actor, p.actor)      AS actor,
    COALESCE(p.films, ARRAY[]::analytics.film_stats[])
        || COALESCE(c.films, ARRAY[]::analytics.film_stats[]) AS films,
    COALESCE(CASE WHEN c.avg_rating IS NULL THEN NULL
                  WHEN c.avg_rating > 8 THEN 'star'
                  WHEN c.avg_rating > 7 THEN 'good'
                  WHEN c.avg_rating > 6 THEN 'average'
                  ELSE 'bad' END::analytics.quality_class,
             p.quality_class)       AS quality_class,
    c.actorid IS NOT NULL           AS is_active,
    CASE WHEN c.actorid IS NOT NULL THEN 0
         ELSE p.years_since_last_active + 1 END AS years_since_last_active,
    %(period)s::integer             AS current_year
FROM prev p
FULL OUTER JOIN cur c ON c.actorid = p.actorid
