WITH bounds AS (SELECT %(period)s::date AS first_day, %(period)s::date AS last_day),
-- For every month touched by first_day..last_day: days 1..L (L = the last day of the bounds in
-- that month) straight from the sources. Elements after L belong to days this run does not load:
-- kept as published, exactly as per-day loads would leave them.
months AS (
    SELECT date_trunc('month', d)::date AS month, max(d)::date AS last_day,
           max(extract(day FROM d))::int AS dom
    FROM bounds, generate_series(first_day, last_day, interval '1 day') AS d
    GROUP BY 1
), events AS (
    SELECT DISTINCT url, referrer, user_id, device_id, host, event_time::timestamp AS ts
    FROM raw.events
    WHERE host IS NOT NULL
), daily AS (
    SELECT m.month, e.host, extract(day FROM e.ts)::int AS day_no,
           count(*) AS hits, count(DISTINCT e.user_id) AS visitors
    FROM events e
    JOIN months m ON e.ts >= m.month AND e.ts < m.last_day + 1
    GROUP BY 1, 2, 3
), existing AS (
    SELECT r.month, r.host, r.hit_array, r.unique_visitors
    FROM analytics.host_activity_reduced r
    JOIN months m ON m.month = r.month
    WHERE cardinality(r.hit_array) > m.dom
), hosts AS (
    SELECT month, host FROM daily UNION SELECT month, host FROM existing
)
SELECT h.month, h.host,
       ARRAY(SELECT CASE WHEN i <= m.dom THEN COALESCE(d.hits, 0) ELSE x.hit_array[i] END
             FROM generate_series(1, GREATEST(m.dom, cardinality(x.hit_array))) AS g(i)
             LEFT JOIN daily d ON d.month = h.month AND d.host = h.host AND d.day_no = g.i
             ORDER BY i) AS hit_array,
       ARRAY(SELECT CASE WHEN i <= m.dom THEN COALESCE(d.visitors, 0) ELSE x.unique_visitors[i] END
             FROM generate_series(1, GREATEST(m.dom, cardinality(x.unique_visitors))) AS g(i)
             LEFT JOIN daily d ON d.month = h.month AND d.host = h.host AND d.day_no = g.i
             ORDER BY i) AS unique_visitors
FROM hosts h
JOIN months m ON m.month = h.month
LEFT JOIN existing x ON x.month = h.month AND x.host = h.host
