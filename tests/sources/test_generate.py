"""generate_missing: fills what real data did not provide, records each load, never clobbers real data."""
from __future__ import annotations

import pytest

from include.sources import files, generate


def test_generated_loads_are_recorded(db):
    done = generate.generate_missing(db, have=set(), seed=5, scale=0.02)
    recorded = files.last_sources(db)
    assert set(recorded) == {"player_seasons", "actor_films", "events", "devices", "game_details"}
    assert all(src == "generated (seed 5, scale 0.02)" for src in recorded.values())
    rows = dict(db.execute("SELECT raw_table, rows FROM audit.source_loads").fetchall())
    assert rows == {t: done[t] for t in recorded}


def test_a_generator_of_several_tables_refuses_before_touching_real_data(db):
    files.ensure_raw_tables(db)
    db.execute("INSERT INTO raw.events (url, host, event_time) VALUES ('/', 'real.example', '2023-01-01 00:00:00')")
    with pytest.raises(files.SourceError, match="real data holds events but not devices, game_details"):
        generate.generate_missing(db, have={"events", "player_seasons", "actor_films"})
    assert db.execute("SELECT host FROM raw.events").fetchall() == [("real.example",)]
