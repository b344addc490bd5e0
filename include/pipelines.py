"""Every pipeline: its tables, the column that holds the period, the periods it accepts.

The DAG of pipeline ``X`` is ``dags/X.py``, its SQL ``include/sql/X/``, its
runbook ``runbooks/X.md`` and its owners the ``X`` entry of
``include/ownership.yaml``: one name, five places.
"""
from __future__ import annotations

import datetime as _dt

from include.loads import Pipeline, Table
from include.periods import Period, PeriodSpec

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



def _month_of(period: Period) -> _dt.date:
    return period.value.replace(day=1)


WEB_ACTIVITY = Pipeline(
    name="web_activity",
    periods=PeriodSpec("day", first=_dt.date(2023, 1, 1)),
    tables=(
        # A day before any event has no rows: publishing zero rows is right there.
        Table("user_devices_cumulated", "date", allow_empty=True),
        Table("hosts_cumulated", "date", allow_empty=True),
        # Keyed by month: a day's run republishes its month's rows with only its own element set.
        Table("host_activity_reduced", "month", period_key=_month_of, allow_empty=True),
    ),
    cumulative=("user_devices_cumulated", "hosts_cumulated"),
)

# A full snapshot of the deduplicated source: every run replaces the whole table (no period column).
GAME_DETAILS = Pipeline(
    name="game_details",
    periods=PeriodSpec("day", first=_dt.date(2023, 1, 1)),
    tables=(Table("fct_game_details", None),),
)

PIPELINES: dict[str, Pipeline] = {p.name: p for p in (PLAYERS, ACTORS, WEB_ACTIVITY, GAME_DETAILS)}


def get(name: str) -> Pipeline:
    try:
        return PIPELINES[name]
    except KeyError:
        raise KeyError(f"unknown pipeline {name!r}; known: {', '.join(sorted(PIPELINES))}") from None
