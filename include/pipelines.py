"""Every pipeline: its tables, the column that holds the period, the periods it accepts.

The DAG of pipeline ``X`` is ``dags/X.py``, its SQL ``include/sql/X/``, its
runbook ``runbooks/X.md`` and its owners the ``X`` entry of
``include/ownership.yaml``: one name, five places.
"""
from __future__ import annotations

from include.loads import Pipeline, Table
from include.periods import PeriodSpec

PLAYERS = Pipeline(
    name="players",
    periods=PeriodSpec("year", first=1996),
    tables=(Table("players", "current_season"), Table("players_scd", "current_season")),
    cumulative=("players", "players_scd"),
)

ACTORS = Pipeline(
    name="actors",
    periods=PeriodSpec("year", first=1970),
    tables=(Table("actors", "current_year"), Table("actors_history_scd", "current_year")),
    cumulative=("actors", "actors_history_scd"),
)

PIPELINES: dict[str, Pipeline] = {p.name: p for p in (PLAYERS, ACTORS)}


def get(name: str) -> Pipeline:
    try:
        return PIPELINES[name]
    except KeyError:
        raise KeyError(f"unknown pipeline {name!r}; known: {', '.join(sorted(PIPELINES))}") from None
