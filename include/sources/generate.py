"""The deterministic generator, for the sources we have no real data for.

Each generator module owns some raw tables; ``generate_missing`` fills every
raw table that the real data (CSV folder or dump) did not provide, and records
each load (``files.record_load``).
"""
from __future__ import annotations

import importlib

import psycopg

from include.sources.files import GENERATED, SourceError, known_raw_tables, record_load

# raw table -> (module, function). One call may fill several tables.
GENERATORS: dict[str, tuple[str, str]] = {
    "player_seasons": ("include.sources.gen_actors", "generate_player_seasons"),
    "actor_films": ("include.sources.gen_actors", "generate"),
    "events": ("include.sources.gen_web", "generate"),
    "devices": ("include.sources.gen_web", "generate"),
    "game_details": ("include.sources.gen_web", "generate"),
}


def generate_missing(conn: psycopg.Connection, *, have: set[str], seed: int = 42, scale: float = 1.0) -> dict[str, int]:
    """Generate every generated table not in ``have``; returns rows per table generated
    (and the generators' counts of planted shapes, e.g. ``duplicate_events``)."""
    done: dict[str, int] = {}
    called: set[tuple[str, str]] = set()
    raw_tables = set(known_raw_tables())
    for table, target in GENERATORS.items():
        if table in have or target in called:
            continue
        module, fn = target
        try:
            gen = getattr(importlib.import_module(module), fn)
        except (ImportError, AttributeError):
            continue  # that generator is not part of this build
        # A generator that fills several tables would overwrite real data: refuse before it runs.
        together = sorted(t for t, g in GENERATORS.items() if g == target)
        real = [t for t in together if t in have]
        if real:
            missing = [t for t in together if t not in have]
            raise SourceError(
                f"real data holds {', '.join(real)} but not {', '.join(missing)}; the generator makes "
                f"{', '.join(together)} together: give all of them, or none")
        called.add(target)
        produced = gen(conn, seed=seed, scale=scale)
        for t, n in produced.items():
            if t in raw_tables:
                record_load(conn, t, f"{GENERATED} (seed {seed}" + (f", scale {scale:g})" if scale != 1 else ")"), n)
        done.update(produced)
    return done
