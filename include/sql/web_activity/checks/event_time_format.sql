-- event_time must be a plain UTC timestamp text ('2023-01-03 00:31:02.123000'). A zone suffix
-- would be silently dropped by ::timestamp and shift days, garbage would fail the cast mid-load.
SELECT event_time, count(*) AS events
FROM raw.events
WHERE event_time IS NULL
   OR event_time !~ '^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?$'
GROUP BY event_time
ORDER BY event_time NULLS FIRST
