"""players / players_scd loads on tiny hand-made inputs and on the real 1996..2022 data."""
from __future__ import annotations

import time

import pytest

from include import loads
from include.loads import MissingPreviousPeriod, SourceCheckFailed
from include.pipelines import PLAYERS
from tests.sql import (PLAYER_COLUMNS, copy_player_seasons, digest, fetch, full_vs_published, insert_rows, load,
                       load_range, year)


def season(name, s, pts, **kw):
    return {"player_name": name, "season": s, "pts": pts, "gp": 70, "reb": 5.0, "ast": 3.0, "weight": 200, **kw}


TINY = [
    # Ann: good (pts exactly 20), two seasons out, star, then average (pts exactly 15)
    season("Ann", 1996, 20.0, height="6-6", college=None, country="USA", draft_year="Undrafted", weight=205),
    season("Ann", 1999, 20.5, height="6-7", college="Duke", country="Canada", draft_year="1995", weight=210),
    season("Ann", 2000, 15.0, height="6-8", college="UNC", draft_round="1", weight=None),
    season("Bob", 1996, 15.0),    # average (15 is not > 15)
    season("Cal", 1996, 10.0),    # bad (10 is not > 10)
    season("Dan", 1996, 10.1),    # average
    season("Eve", 1996, 20.1),    # star, then never plays again
    season("Fay", 1998, 3.0),     # first season 1998
]


@pytest.fixture
def tiny(db):
    insert_rows(db, "player_seasons", PLAYER_COLUMNS, TINY)
    load_range(db, PLAYERS, 1996, 2000)
    return db


def player(db, name, y):
    return fetch(db, """
        SELECT height, college, country, draft_year, draft_round, draft_number,
               scoring_class::text, is_active, years_since_last_active
        FROM analytics.players WHERE player_name = %s AND current_season = %s""", (name, y))


def seasons(db, name, y):
    return fetch(db, """
        SELECT s.season, s.pts, s.weight
        FROM analytics.players p, unnest(p.seasons) WITH ORDINALITY AS s(season, gp, pts, reb, ast, weight, ord)
        WHERE p.player_name = %s AND p.current_season = %s ORDER BY s.ord""", (name, y))


def scd(db, name, y):
    return fetch(db, """
        SELECT scoring_class::text, is_active, start_season, end_season FROM analytics.players_scd
        WHERE player_name = %s AND current_season = %s ORDER BY start_season""", (name, y))


def test_scoring_class_boundaries(tiny):
    got = dict(fetch(tiny, "SELECT player_name, scoring_class::text FROM analytics.players WHERE current_season = 1996"))
    assert got == {"Ann": "good", "Bob": "average", "Cal": "bad", "Dan": "average", "Eve": "star"}


def test_carry_forward_inactive_years_and_static_columns(tiny):
    # static columns: first non-null value by season (college NULL in 1996 -> Duke from 1999)
    static = ("6-6", None, "USA", "Undrafted", None, None)
    assert player(tiny, "Ann", 1996) == [(*static, "good", True, 0)]
    assert player(tiny, "Ann", 1997) == [(*static, "good", False, 1)]
    assert player(tiny, "Ann", 1998) == [(*static, "good", False, 2)]
    static = ("6-6", "Duke", "USA", "Undrafted", None, None)
    assert player(tiny, "Ann", 1999) == [(*static, "star", True, 0)]
    assert player(tiny, "Ann", 2000) == [("6-6", "Duke", "USA", "Undrafted", "1", None, "average", True, 0)]
    assert seasons(tiny, "Ann", 1998) == [(1996, 20.0, 205)]
    assert seasons(tiny, "Ann", 2000) == [(1996, 20.0, 205), (1999, 20.5, 210), (2000, 15.0, None)]
    assert player(tiny, "Eve", 2000) == [(None,) * 6 + ("star", False, 4)]
    # a row for every season from the first one on, none before
    assert fetch(tiny, "SELECT current_season FROM analytics.players WHERE player_name = 'Fay' ORDER BY 1") == [
        (1998,), (1999,), (2000,)]


def test_scd_runs(tiny):
    assert scd(tiny, "Ann", 1998) == [("good", True, 1996, 1996), ("good", False, 1997, 1998)]
    assert scd(tiny, "Ann", 2000) == [("good", True, 1996, 1996), ("good", False, 1997, 1998),
                                      ("star", True, 1999, 1999), ("average", True, 2000, 2000)]
    assert scd(tiny, "Eve", 2000) == [("star", True, 1996, 1996), ("star", False, 1997, 2000)]
    assert scd(tiny, "Fay", 2000) == [("bad", True, 1998, 1998), ("bad", False, 1999, 2000)]
    # every snapshot: the last run of each player ends at the snapshot's season
    assert fetch(tiny, """SELECT current_season, player_name FROM analytics.players_scd
                          GROUP BY 1, 2 HAVING max(end_season) <> current_season""") == []


def test_full_equals_incremental_tiny(tiny):
    for y in range(1996, 2001):
        assert full_vs_published(tiny, PLAYERS, y) == {"players": 0, "players_scd": 0}, y


def test_null_pts_keeps_previous_class(db):
    insert_rows(db, "player_seasons", PLAYER_COLUMNS, [season("Gus", 1996, 25.0), season("Gus", 1997, None)])
    load_range(db, PLAYERS, 1996, 1997)
    assert player(db, "Gus", 1997) == [(None,) * 6 + ("star", True, 0)]
    assert scd(db, "Gus", 1997) == [("star", True, 1996, 1997)]
    assert full_vs_published(db, PLAYERS, 1997) == {"players": 0, "players_scd": 0}


def test_duplicate_key_fails_and_publishes_nothing(db):
    insert_rows(db, "player_seasons", PLAYER_COLUMNS, [
        season("Ann", 1996, 12.0), season("Ann", 1997, 12.0), season("Ann", 1997, 30.0), season("Bob", 1997, 5.0)])
    load(db, PLAYERS, 1996)
    before = digest(db, PLAYERS)
    with pytest.raises(SourceCheckFailed) as err:
        load(db, PLAYERS, 1997)
    assert "player_name=Ann, season=1997" in str(err.value)
    assert "Bob" not in str(err.value)
    assert err.value.failures["duplicate_player_seasons"] == [
        {"player_name": "Ann", "season": 1997, "source_rows": 2}]
    assert digest(db, PLAYERS) == before
    assert fetch(db, "SELECT count(*) FROM analytics.players WHERE current_season = 1997") == [(0,)]


def test_gap_names_missing_season(db):
    insert_rows(db, "player_seasons", PLAYER_COLUMNS, [season("Ann", y, 12.0) for y in range(1996, 2000)])
    load_range(db, PLAYERS, 1996, 1997)
    before = digest(db, PLAYERS)
    with pytest.raises(MissingPreviousPeriod, match="1998"):
        load(db, PLAYERS, 1999)
    assert digest(db, PLAYERS) == before


def test_real_data_incremental_equals_full_and_reruns_are_idempotent(db, data_dir):
    started = time.monotonic()
    assert copy_player_seasons(db, data_dir / "player_seasons.csv.gz") == 12869
    for y in range(1996, 2023):
        load(db, PLAYERS, y)
        assert full_vs_published(db, PLAYERS, y) == {"players": 0, "players_scd": 0}, y
    # every player has one row a season from his first season on
    assert fetch(db, "SELECT count(DISTINCT player_name) FROM analytics.players WHERE current_season = 2022") == [
        (2491,)]
    assert fetch(db, """SELECT count(*) FROM analytics.players WHERE current_season = 2022
                        AND cardinality(seasons) <> (SELECT count(*) FROM raw.player_seasons r
                                                     WHERE r.player_name = players.player_name)""") == [(0,)]
    before = digest(db, PLAYERS)
    for y in (2022, 2005, 1996):
        load(db, PLAYERS, y)
        assert digest(db, PLAYERS) == before, y
    load(db, PLAYERS, 2010, "full")
    assert digest(db, PLAYERS) == before
    # ~30 s on 2 idle cores; a generous bound that still catches a pathological plan
    assert time.monotonic() - started < 150
