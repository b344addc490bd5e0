-- Snapshot of %(period)s = snapshot of %(previous)s + hosts with any event on %(period)s
-- (NULL user_id events count; NULL host events are rejected, see hosts_cumulated__warnings.sql).
WITH today AS (
    SELECT DISTINCT e.host
    FROM raw.events e
    WHERE e.host IS NOT NULL
      AND e.event_time::timestamp >= %(period)s::date AND e.event_time::timestamp < %(period)s::date + 1
), prev AS (
    SELECT host, host_activity_datelist FROM analytics.hosts_cumulated WHERE date = %(previous)s
)
SELECT COALESCE(p.host, t.host) AS host,
       CASE WHEN t.host IS NULL THEN p.host_activity_datelist
            ELSE COALESCE(p.host_activity_datelist, '{}'::date[]) || %(period)s::date END AS host_activity_datelist,
       %(period)s::date AS date
FROM prev p
FULL JOIN today t ON t.host = p.host
