-- Two source rows for one (player_name, season) are bad input: nothing is published
-- for the season and the failure names the keys.
SELECT player_name, season, count(*) AS source_rows
FROM raw.player_seasons
WHERE season = %(period)s
GROUP BY player_name, season
HAVING count(*) > 1
ORDER BY player_name
