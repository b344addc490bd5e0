"""The actor_films / player_seasons generator: deterministic, and it has the shapes the loads need."""
from __future__ import annotations

import time

from include.sources import gen_actors


def table_rows(db, table):
    return db.execute(f"SELECT * FROM raw.{table} ORDER BY 1, 2, 3, 4, 5, 6, 7").fetchall()


def test_same_seed_same_rows_other_seed_other_rows(db):
    started = time.monotonic()
    counts = gen_actors.generate(db, seed=7)
    assert time.monotonic() - started < 2
    first = table_rows(db, "actor_films")
    assert counts == {"actor_films": len(first)} and len(first) > 3000
    assert gen_actors.generate(db, seed=7) == counts  # TRUNCATE + refill, not append
    assert table_rows(db, "actor_films") == first
    gen_actors.generate(db, seed=8)
    assert table_rows(db, "actor_films") != first


def test_actor_films_shapes(db):
    gen_actors.generate(db)
    one = lambda q: db.execute(q).fetchone()[0]  # noqa: E731
    assert one("SELECT min(year) FROM raw.actor_films") == 1970
    assert one("SELECT max(year) FROM raw.actor_films") == 2021
    assert 270 <= one("SELECT count(DISTINCT actorid) FROM raw.actor_films") <= 330
    assert one("SELECT bool_and(actorid ~ '^nm[0-9]{7}$' AND filmid ~ '^tt[0-9]{7}$') FROM raw.actor_films")
    # the key (actorid, filmid) is unique; films are shared between actors
    assert one("SELECT count(*) FROM (SELECT 1 FROM raw.actor_films GROUP BY actorid, filmid HAVING count(*) > 1) d") == 0
    assert one("SELECT count(*) FROM (SELECT 1 FROM raw.actor_films GROUP BY filmid HAVING count(*) > 1) d") > 100
    # ratings exactly on the class boundaries, NULL ratings, and years whose average is exactly a boundary
    assert one("SELECT count(DISTINCT rating) FROM raw.actor_films WHERE rating IN (6.0, 7.0, 8.0)") == 3
    assert one("SELECT count(*) FROM raw.actor_films WHERE rating IS NULL") > 50
    exact = {r[0] for r in db.execute("""SELECT avg(rating::numeric) FROM raw.actor_films
                                           GROUP BY actorid, year""").fetchall()}
    assert {6, 7, 8} <= exact
    # an actor-year with films but none rated
    assert one("""SELECT count(*) FROM (SELECT 1 FROM raw.actor_films GROUP BY actorid, year
                  HAVING count(rating) = 0) d""") > 0
    # actors with inactive years between two active ones
    assert one("""SELECT count(*) FROM (SELECT actorid FROM raw.actor_films GROUP BY actorid
                  HAVING max(year) - min(year) + 1 > count(DISTINCT year)) d""") > 100


def test_player_seasons_shapes_and_determinism(db):
    started = time.monotonic()
    counts = gen_actors.generate_player_seasons(db)
    assert time.monotonic() - started < 2
    rows = db.execute("SELECT * FROM raw.player_seasons ORDER BY player_name, season").fetchall()
    assert counts == {"player_seasons": len(rows)} and len(rows) > 2000
    gen_actors.generate_player_seasons(db)
    assert db.execute("SELECT * FROM raw.player_seasons ORDER BY player_name, season").fetchall() == rows
    one = lambda q: db.execute(q).fetchone()[0]  # noqa: E731
    assert one("SELECT min(season) FROM raw.player_seasons") == 1996
    assert one("SELECT max(season) FROM raw.player_seasons") == 2022
    assert one("SELECT count(*) FROM (SELECT 1 FROM raw.player_seasons GROUP BY player_name, season "
               "HAVING count(*) > 1) d") == 0
    assert one("SELECT count(DISTINCT pts) FROM raw.player_seasons WHERE pts IN (10, 15, 20)") == 3
    assert one("SELECT count(*) FROM raw.player_seasons WHERE college IS NULL") > 0
