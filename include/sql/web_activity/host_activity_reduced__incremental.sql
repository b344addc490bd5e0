-- The month's rows with only day %(period)s's element set: existing elements are kept, missing
-- ones become 0, so days load in any order and a rerun changes nothing. Published per month.
-- Every host of the month gets the same array length: the furthest day loaded so far (a host first
-- seen on a past day, loaded after later days, is padded to them). A host left with no hit on any
-- loaded day (its events were withdrawn from the sources) has no row, as in the full method.
WITH day AS (
    SELECT %(period)s::date AS day, date_trunc('month', %(period)s::date)::date AS month,
           extract(day FROM %(period)s::date)::int AS dom
), events AS (
    SELECT DISTINCT url, referrer, user_id, device_id, host, event_time::timestamp AS ts
    FROM raw.events
    WHERE host IS NOT NULL
      AND event_time::timestamp >= %(period)s::date AND event_time::timestamp < %(period)s::date + 1
), today AS (
    SELECT host, count(*) AS hits, count(DISTINCT user_id) AS visitors FROM events GROUP BY host
), existing AS (
    SELECT r.host, r.hit_array, r.unique_visitors
    FROM analytics.host_activity_reduced r, day WHERE r.month = day.month
), width AS (
    SELECT GREATEST(day.dom, COALESCE((SELECT max(cardinality(hit_array)) FROM existing), 0)) AS days FROM day
), hosts AS (
    SELECT host FROM today UNION SELECT host FROM existing
), reduced AS (
    SELECT day.month, h.host,
           ARRAY(SELECT CASE WHEN i = day.dom THEN COALESCE(t.hits, 0) ELSE COALESCE(x.hit_array[i], 0) END
                 FROM generate_series(1, w.days) AS i ORDER BY i) AS hit_array,
           ARRAY(SELECT CASE WHEN i = day.dom THEN COALESCE(t.visitors, 0) ELSE COALESCE(x.unique_visitors[i], 0) END
                 FROM generate_series(1, w.days) AS i ORDER BY i) AS unique_visitors
    FROM hosts h
    CROSS JOIN day
    CROSS JOIN width w
    LEFT JOIN today t ON t.host = h.host
    LEFT JOIN existing x ON x.host = h.host
)
SELECT month, host, hit_array, unique_visitors
FROM reduced
WHERE EXISTS (SELECT 1 FROM unnest(hit_array) AS v WHERE v > 0)
