WITH bounds AS (SELECT %(period)s::date AS first_day, %(period)s::date AS last_day),
-- For every month touched by first_day..last_day: days 1..L (L = the last day of the bounds in
-- that month) straight from the sources. Elements after L belong to days this run does not load:
-- kept as published, exactly as per-day loads would leave them. Every host of a month gets the
-- same array length (the furthest day loaded); a host with no hit on any loaded day has no row.
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
), widths AS (
    SELECT m.month, m.dom, GREATEST(m.dom, COALESCE(max(cardinality(x.hit_array)), 0)) AS days
    FROM months m LEFT JOIN existing x ON x.month = m.month
    GROUP BY m.month, m.dom
), hosts AS (
    SELECT month, host FROM daily UNION SELECT month, host FROM existing
), reduced AS (
    SELECT h.month, h.host,
           ARRAY(SELECT CASE WHEN i <= w.dom THEN COALESCE(d.hits, 0) ELSE COALESCE(x.hit_array[i], 0) END
                 FROM generate_series(1, w.days) AS g(i)
                 LEFT JOIN daily d ON d.month = h.month AND d.host = h.host AND d.day_no = g.i
                 ORDER BY i) AS hit_array,
           ARRAY(SELECT CASE WHEN i <= w.dom THEN COALESCE(d.visitors, 0) ELSE COALESCE(x.unique_visitors[i], 0) END
                 FROM generate_series(1, w.days) AS g(i)
                 LEFT JOIN daily d ON d.month = h.month AND d.host = h.host AND d.day_no = g.i
                 ORDER BY i) AS unique_visitors
    FROM hosts h
    JOIN widths w ON w.month = h.month
    LEFT JOIN existing x ON x.month = h.month AND x.host = h.host
)
SELECT month, host, hit_array, unique_visitors
FROM reduced
WHERE EXISTS (SELECT 1 FROM unnest(hit_array) AS v WHERE v > 0)
