-- Rows of this year without a key (actorid, filmid) cannot be loaded.
SELECT actorid, filmid, actor, film, year
FROM raw.actor_films
WHERE year = %(period)s AND (actorid IS NULL OR filmid IS NULL)
ORDER BY actorid, filmid
