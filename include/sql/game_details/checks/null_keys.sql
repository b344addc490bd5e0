-- Rows without a complete key cannot be deduplicated or published.
SELECT game_id, team_id, player_id, count(*) AS rows
FROM raw.game_details
WHERE game_id IS NULL OR team_id IS NULL OR player_id IS NULL
GROUP BY 1, 2, 3
