-- The fact is a full snapshot of its source (no period of its own): incremental = full.
-- One row per (game_id, team_id, player_id). The survivor does not depend on physical row order:
-- the most complete row (most non-null columns) wins, ties broken by every column in a fixed
-- order (text in "C" collation, NULLs last). Rows equal on all columns are interchangeable.
SELECT DISTINCT ON (game_id, team_id, player_id) game_id, team_id, team_abbreviation, team_city, player_id, player_name, nickname, start_position, comment, min, fgm, fga, fg_pct, fg3m, fg3a, fg3_pct, ftm, fta, ft_pct, oreb, dreb, reb, ast, stl, blk, "TO", pf, pts, plus_minus
FROM raw.game_details
ORDER BY game_id, team_id, player_id,
         num_nonnulls(game_id, team_id, team_abbreviation, team_city, player_id, player_name, nickname, start_position, comment, min, fgm, fga, fg_pct, fg3m, fg3a, fg3_pct, ftm, fta, ft_pct, oreb, dreb, reb, ast, stl, blk, "TO", pf, pts, plus_minus) DESC,
         team_abbreviation COLLATE "C", team_city COLLATE "C", player_name COLLATE "C", nickname COLLATE "C",
         start_position COLLATE "C", comment COLLATE "C", min COLLATE "C",
         fgm, fga, fg_pct, fg3m, fg3a, fg3_pct, ftm, fta, ft_pct, oreb, dreb, reb, ast, stl, blk, "TO", pf, pts,
         plus_minus
