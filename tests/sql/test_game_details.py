"""fct_game_details: one row per (game_id, team_id, player_id), survivor independent of row order."""
from __future__ import annotations

import datetime as dt

import pytest

from include import loads, pipelines
from include.periods import Period
from include.settings import SQL_DIR
from include.sources.gen_web import GAME_COLUMNS, generate

P = pipelines.get("game_details")
DAY = Period("day", dt.date(2023, 1, 5))


def insert(db, rows):
    for r in rows:
        cols = ", ".join(f'"{c}"' for c in r)
        db.execute(f"INSERT INTO raw.game_details ({cols}) VALUES ({', '.join(['%s'] * len(r))})", list(r.values()))


def load(db, period=DAY):
    loads.ensure_schema(db, P)
    loads.check_sources(db, P, period)
    loads.stage(db, P, period)
    return loads.publish(db, P, period)


def fact(db):
    return db.execute("SELECT game_id, team_id, player_id, pts, min, comment FROM analytics.fct_game_details "
                      "ORDER BY 1, 2, 3").fetchall()


@pytest.fixture
def raw(db):
    db.execute((SQL_DIR / "raw" / "schema.sql").read_text())
    db.execute("TRUNCATE raw.game_details")
    return db


def test_duplicates_collapse_and_the_survivor_ignores_row_order(raw):
    a = {"game_id": 1, "team_id": 10, "player_id": 100, "pts": 12, "min": "30:00", "comment": None}
    b = {"game_id": 1, "team_id": 10, "player_id": 100, "pts": 15, "min": "30:00", "comment": None}
    c = {"game_id": 1, "team_id": 10, "player_id": 100, "pts": None, "min": None, "comment": "DNP"}
    other = {"game_id": 1, "team_id": 10, "player_id": 101, "pts": 3, "min": "5:00", "comment": None}
    insert(raw, [a, b, c, other])
    load(raw)
    first = fact(raw)
    # most complete row wins (a, b: 3 more non-nulls than c), then the smaller pts
    assert first == [(1, 10, 100, 12.0, "30:00", None), (1, 10, 101, 3.0, "5:00", None)]
    raw.execute("TRUNCATE raw.game_details")
    insert(raw, [other, c, b, a])
    load(raw)
    assert fact(raw) == first


def test_reruns_change_nothing_and_a_run_replaces_the_whole_table(raw):
    generate(raw, seed=3, scale=0.2)
    load(raw)
    keys = raw.execute("SELECT count(DISTINCT (game_id, team_id, player_id)) FROM raw.game_details").fetchone()[0]
    before = raw.execute("SELECT * FROM analytics.fct_game_details ORDER BY 1, 2, 5").fetchall()
    assert len(before) == keys
    load(raw)
    load(raw, Period("day", dt.date(2023, 1, 6)))
    assert raw.execute("SELECT * FROM analytics.fct_game_details ORDER BY 1, 2, 5").fetchall() == before
    raw.execute("DELETE FROM raw.game_details WHERE game_id = (SELECT min(game_id) FROM raw.game_details)")
    load(raw)
    assert len(fact(raw)) == len(before) - 20


def test_null_key_fails_and_publishes_nothing(raw):
    insert(raw, [{"game_id": 1, "team_id": 10, "player_id": 100, "pts": 1}])
    load(raw)
    insert(raw, [{"game_id": 2, "team_id": 10, "player_id": None, "pts": 1}])
    with pytest.raises(loads.SourceCheckFailed, match="null_keys"):
        load(raw)
    assert fact(raw) == [(1, 10, 100, 1.0, None, None)]


def test_generated_columns_match_the_fact(raw):
    loads.ensure_schema(raw, P)
    cols = [r[0] for r in raw.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'analytics' "
        "AND table_name = 'fct_game_details' ORDER BY ordinal_position")]
    assert cols == GAME_COLUMNS
