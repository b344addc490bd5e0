-- Reported, not failing: actors in the previous actors_history_scd snapshot with no actors
-- row this year (bad input). Their history is kept unchanged (actors_history_scd__incremental.sql).
SELECT p.actorid, max(p.end_date) AS last_end_date,
       'in actors_history_scd ' || %(previous)s::text || ' but not in actors ' || %(period)s::text
       || ': history kept unchanged' AS problem
FROM analytics.actors_history_scd p
WHERE p.current_year = %(previous)s
  AND NOT EXISTS (SELECT 1 FROM staging.actors c
                  WHERE c.current_year = %(period)s AND c.actorid = p.actorid)
GROUP BY p.actorid
ORDER BY p.actorid
