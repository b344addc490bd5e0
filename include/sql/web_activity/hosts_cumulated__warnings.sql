-- Events of the day with NULL host: rejected (not loaded by any web table), reported here.
SELECT 'events with NULL host rejected' AS issue, %(period)s::date AS day, count(*) AS events
FROM (SELECT DISTINCT url, referrer, user_id, device_id, host, event_time::timestamp AS ts FROM raw.events) e
WHERE e.host IS NULL AND e.ts >= %(period)s::date AND e.ts < %(period)s::date + 1
HAVING count(*) > 0
