-- Reported, not failing: players in the previous players_scd snapshot with no players
-- row this season (bad input). Their history is kept unchanged (players_scd__incremental.sql).
SELECT p.player_name, max(p.end_season) AS last_end_season,
       'in players_scd ' || %(previous)s::text || ' but not in players ' || %(period)s::text
       || ': history kept unchanged' AS problem
FROM analytics.players_scd p
WHERE p.current_season = %(previous)s
  AND NOT EXISTS (SELECT 1 FROM staging.players c
                  WHERE c.current_season = %(period)s AND c.player_name = p.player_name)
GROUP BY p.player_name
ORDER BY p.player_name
