-- Key of raw.actor_films is (actorid, filmid): a film of this year whose key occurs more
-- than once (in this year, or again after an earlier year) would put the film twice
-- into films. Nothing is published; the failure names the keys.
SELECT f.actorid, f.filmid, count(*) AS source_rows, array_agg(f.year ORDER BY f.year) AS years
FROM raw.actor_films f
WHERE f.year <= %(period)s
  AND EXISTS (SELECT 1 FROM raw.actor_films t
              WHERE t.year = %(period)s AND t.actorid = f.actorid AND t.filmid = f.filmid)
GROUP BY f.actorid, f.filmid
HAVING count(*) > 1
ORDER BY f.actorid, f.filmid
