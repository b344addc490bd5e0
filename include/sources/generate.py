"""The deterministic generator, for the sources we have no real data for.

Each generator module owns some raw tables; ``generate_missing`` fills every
raw table that the real data (CSV folder or dump) did not provide.
"""
from __future__ import annotations

import importlib

import psycopg

# raw table -> (module, function). One call may fill several tables.
GENERATORS: dict[str, tuple[str, str]] = {
    "player_seasons": ("include.sources.gen_actors", "generate_player_seasons"),
    "actor_films": ("include.sources.gen_actors", "generate"),
    "events": ("include.sources.gen_web", "generate"),
    "devices": ("include.sources.gen_web", "generate"),
    "game_details": ("include.sources.gen_web", "generate"),
}


def generate_missing(conn: psycopg.Connection, *, have: set[str], seed: int = 42, scale: float = 1.0) -> dict[str, int]:
    """Generate every generated table not in ``have``; returns rows per table generated."""
    done: dict[str, int] = {}
    called: set[tuple[str, str]] = set()
    for table, target in GENERATORS.items():
        if table in have or target in called:
            continue
        module, fn = target
        try:
            gen = getattr(importlib.import_module(module), fn)
        except (ImportError, AttributeError):
            continue  # that generator is not part of this build
        called.add(target)
        produced = gen(conn, seed=seed, scale=scale)
        # A generator that fills several tables must not overwrite real data.
        clash = set(produced) & have
        if clash:
            raise RuntimeError(f"generator {module}.{fn} overwrote real data in {', '.join(sorted(clash))}")
        done.update(produced)
    return done
