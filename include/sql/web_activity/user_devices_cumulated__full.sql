WITH bounds AS (SELECT %(period)s::date AS first_day, %(period)s::date AS last_day),
-- Snapshots first_day..last_day straight from the sources (one day here; the range rebuild
-- binds other bounds, see include/web_activity_range.py). Exact duplicates do not matter: DISTINCT days.
snapshots AS (
    SELECT d::date AS date FROM bounds, generate_series(first_day, last_day, interval '1 day') AS d
), browsers AS (
    SELECT device_id, min(browser_type COLLATE "C") AS browser_type
    FROM raw.devices WHERE browser_type IS NOT NULL
    GROUP BY device_id
), activity AS (
    SELECT DISTINCT e.user_id, COALESCE(b.browser_type, 'unknown') AS browser_type,
           e.event_time::timestamp::date AS day
    FROM raw.events e
    LEFT JOIN browsers b ON b.device_id = e.device_id
    WHERE e.user_id IS NOT NULL AND e.host IS NOT NULL
      AND e.event_time::timestamp < (SELECT last_day FROM bounds) + 1
)
SELECT a.user_id, a.browser_type,
       array_agg(a.day ORDER BY a.day) AS device_activity_datelist,
       COALESCE(sum(1::bigint << (31 - (s.date - a.day))) FILTER (WHERE a.day >= s.date - 31), 0)::bigint
           AS datelist_int,
       s.date
FROM snapshots s
JOIN activity a ON a.day <= s.date
GROUP BY a.user_id, a.browser_type, s.date
