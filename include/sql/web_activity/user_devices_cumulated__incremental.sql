-- Snapshot of %(period)s = snapshot of %(previous)s + the (user, browser) pairs active on %(period)s.
-- Day of an event = its UTC date: TEXT -> timestamp (no zone) never depends on the session TimeZone.
WITH browsers AS (
    SELECT device_id, min(browser_type COLLATE "C") AS browser_type
    FROM raw.devices WHERE browser_type IS NOT NULL
    GROUP BY device_id
), today AS (
    SELECT DISTINCT e.user_id, COALESCE(b.browser_type, 'unknown') AS browser_type
    FROM raw.events e
    LEFT JOIN browsers b ON b.device_id = e.device_id
    WHERE e.user_id IS NOT NULL AND e.host IS NOT NULL
      AND e.event_time::timestamp >= %(period)s::date AND e.event_time::timestamp < %(period)s::date + 1
), prev AS (
    SELECT user_id, browser_type, device_activity_datelist
    FROM analytics.user_devices_cumulated WHERE date = %(previous)s
), merged AS (
    SELECT COALESCE(p.user_id, t.user_id) AS user_id,
           COALESCE(p.browser_type, t.browser_type) AS browser_type,
           CASE WHEN t.user_id IS NULL THEN p.device_activity_datelist
                ELSE COALESCE(p.device_activity_datelist, '{}'::date[]) || %(period)s::date END AS datelist
    FROM prev p
    FULL JOIN today t ON t.user_id = p.user_id AND t.browser_type = p.browser_type
)
SELECT m.user_id, m.browser_type, m.datelist,
       (SELECT COALESCE(sum(1::bigint << (31 - (%(period)s::date - d))), 0)::bigint
        FROM unnest(m.datelist) AS d
        WHERE d BETWEEN %(period)s::date - 31 AND %(period)s::date) AS datelist_int,
       %(period)s::date AS date
FROM merged m
