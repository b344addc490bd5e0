WITH bounds AS (SELECT %(period)s::date AS first_day, %(period)s::date AS last_day),
snapshots AS (
    SELECT d::date AS date FROM bounds, generate_series(first_day, last_day, interval '1 day') AS d
), activity AS (
    SELECT DISTINCT e.host, e.event_time::timestamp::date AS day
    FROM raw.events e
    WHERE e.host IS NOT NULL AND e.event_time::timestamp < (SELECT last_day FROM bounds) + 1
)
SELECT a.host, array_agg(a.day ORDER BY a.day) AS host_activity_datelist, s.date
FROM snapshots s
JOIN activity a ON a.day <= s.date
GROUP BY a.host, s.date
