"""Loading one period of a pipeline: source checks -> stage -> audit -> publish.

Every DAG loads its period through these functions, so every table gets the
same guarantees:

* **idempotent**: staging and publishing replace the period, nothing else;
* **atomic**: all tables of a pipeline are published in one transaction, so
  ``analytics`` shows the whole period or the previous state, never half;
* **no silent restarts**: an incremental load whose previous snapshot is
  missing while older ones exist fails and names the missing period.

SQL lives in ``include/sql/<pipeline>/`` (one file per step):

* ``schema.sql``               idempotent DDL for ``analytics.<table>`` and ``staging.<table>``
* ``<table>__incremental.sql`` SELECT of the period's rows from the previous snapshot + sources
* ``<table>__full.sql``        SELECT of the same rows straight from the sources
* ``<table>__warnings.sql``    optional: rows to report (not fail) after staging
* ``checks/<name>.sql``        source checks: SELECT returning the bad rows (none = pass)

Files are trusted code from this repository; values reach them only as bound
parameters (``%(period)s``, ``%(previous)s``), never formatted into the text.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import psycopg
from psycopg import sql

from include.periods import Period, PeriodSpec
from include.settings import SQL_DIR

log = logging.getLogger(__name__)

METHODS = ("incremental", "full")
# Staged rows stay for diagnosis (a failed gate keeps its period's rows in ``staging``) for this
# many periods before the latest published one, then publishing prunes them.
STAGING_RETENTION_PERIODS = int(os.environ.get("STAGING_RETENTION_PERIODS", "7"))


class LoadError(RuntimeError):
    """A load that must not publish. The message names the bad period or rows."""


class MissingPreviousPeriod(LoadError):
    pass


class SourceCheckFailed(LoadError):
    def __init__(self, message: str, failures: dict[str, list[dict]]):
        super().__init__(message)
        self.failures = failures


@dataclass(frozen=True)
class Table:
    """A published table and the slice of it that one period's run replaces.

    By default a run replaces the rows whose ``period_column`` equals the
    period. ``period_key`` maps a period to another value of that column (e.g.
    a daily run that replaces its month's rows); ``period_column=None`` means
    every run replaces the whole table (a full snapshot, not keyed by time).
    ``allow_empty`` lets a run publish zero rows for its key (e.g. a quiet
    first day of a month) instead of failing as "not staged".
    """

    name: str
    period_column: str | None
    period_key: Callable[[Period], Any] | None = None
    allow_empty: bool = False

    def key_value(self, period: Period) -> Any:
        return period.value if self.period_key is None else self.period_key(period)

    @property
    def analytics(self) -> sql.Composable:
        return sql.Identifier("analytics", self.name)

    @property
    def staging(self) -> sql.Composable:
        return sql.Identifier("staging", self.name)


@dataclass(frozen=True)
class Pipeline:
    """A set of tables loaded and published together for one period."""

    name: str
    periods: PeriodSpec
    tables: tuple[Table, ...]
    # tables whose incremental method reads their own previous snapshot
    cumulative: tuple[str, ...] = field(default=())

    @property
    def sql_dir(self) -> Path:
        return SQL_DIR / self.name

    def sql_file(self, name: str) -> str:
        path = self.sql_dir / name
        if not path.exists():
            raise LoadError(f"missing SQL step {path.relative_to(SQL_DIR.parents[1])}")
        return path.read_text()

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _params(period: Period) -> dict:
    return {"period": period.value, "previous": period.previous.value}


def _key_params(table: Table, period: Period) -> dict:
    return {**_params(period), "key": table.key_value(period)}


def _key_filter(table: Table) -> sql.Composable:
    """The rows of a table one period's run replaces (``%(key)s`` bound by ``_key_params``)."""
    if table.period_column is None:
        return sql.SQL("TRUE")
    return sql.SQL("{c} = %(key)s").format(c=sql.Identifier(table.period_column))


def _rows_as_dicts(cur: psycopg.Cursor) -> list[dict]:
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def ensure_schema(conn: psycopg.Connection, pipeline: Pipeline) -> None:
    """Create the pipeline's analytics and staging tables if they do not exist."""
    from include.warehouse import ensure_schemas

    with conn.transaction():
        # Serialise concurrent DDL from parallel runs of different pipelines.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('pipeline-ops-ddl'))")
        ensure_schemas(conn)
        conn.execute(pipeline.sql_file("schema.sql"))


def check_sources(conn: psycopg.Connection, pipeline: Pipeline, period: Period, limit: int = 20) -> None:
    """Run every ``checks/*.sql``; any returned row is a failure naming the bad keys."""
    failures: dict[str, list[dict]] = {}
    checks_dir = pipeline.sql_dir / "checks"
    with conn.transaction():
        for path in sorted(checks_dir.glob("*.sql")) if checks_dir.exists() else []:
            rows = _rows_as_dicts(conn.execute(path.read_text(), _params(period)))
            if rows:
                failures[path.stem] = rows
    if failures:
        lines = [f"source checks failed for {pipeline.name} period {period.key}; nothing was published:"]
        for name, rows in failures.items():
            shown = ", ".join(_describe(r) for r in rows[:limit])
            more = f" (+{len(rows) - limit} more)" if len(rows) > limit else ""
            lines.append(f"  - {name}: {len(rows)} bad row(s): {shown}{more}")
        raise SourceCheckFailed("\n".join(lines), failures)


def _describe(row: dict) -> str:
    return "(" + ", ".join(f"{k}={v}" for k, v in row.items()) + ")"


def previous_snapshot_state(conn: psycopg.Connection, table: Table, period: Period) -> str:
    """'present', 'first' (no older snapshot: start empty) or 'gap'."""
    q = sql.SQL(
        "SELECT EXISTS (SELECT 1 FROM {t} WHERE {c} = %(previous)s),"
        "       EXISTS (SELECT 1 FROM {t} WHERE {c} < %(previous)s)"
    ).format(t=table.analytics, c=sql.Identifier(table.period_column))
    has_prev, has_older = conn.execute(q, _params(period)).fetchone()
    if has_prev:
        return "present"
    return "gap" if has_older else "first"


def require_previous(conn: psycopg.Connection, pipeline: Pipeline, period: Period) -> None:
    for name in pipeline.cumulative:
        state = previous_snapshot_state(conn, pipeline.table(name), period)
        if state == "gap":
            raise MissingPreviousPeriod(
                f"analytics.{name} has no snapshot for {period.previous.key} but has older ones: "
                f"load {period.previous.key} first (or rebuild the range with the full method). "
                f"Nothing was published for {period.key}."
            )


@dataclass
class StageResult:
    period: str
    method: str
    rows: dict[str, int]
    warnings: dict[str, list[dict]]
    seconds: float


def stage(conn: psycopg.Connection, pipeline: Pipeline, period: Period, method: str = "incremental") -> StageResult:
    """Compute the period's rows of every table into ``staging`` (one transaction)."""
    if method not in METHODS:
        raise LoadError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    started = time.monotonic()
    rows: dict[str, int] = {}
    warnings: dict[str, list[dict]] = {}
    with conn.transaction():
        if method == "incremental":
            require_previous(conn, pipeline, period)
        for table in pipeline.tables:
            conn.execute(sql.SQL("DELETE FROM {s} WHERE {f}").format(s=table.staging, f=_key_filter(table)),
                         _key_params(table, period))
            select = sql.SQL(pipeline.sql_file(f"{table.name}__{method}.sql"))
            cur = conn.execute(sql.SQL("INSERT INTO {s} ").format(s=table.staging) + select, _params(period))
            rows[table.name] = cur.rowcount
            warn_file = pipeline.sql_dir / f"{table.name}__warnings.sql"
            if warn_file.exists():
                found = _rows_as_dicts(conn.execute(warn_file.read_text(), _params(period)))
                if found:
                    warnings[table.name] = found
                    log.warning("%s %s: %d warning row(s): %s", table.name, period.key, len(found),
                                ", ".join(_describe(r) for r in found[:20]))
    return StageResult(period.key, method, rows, warnings, round(time.monotonic() - started, 3))


def publish(conn: psycopg.Connection, pipeline: Pipeline, period: Period) -> dict[str, int]:
    """Replace the period in every analytics table from staging, in one transaction."""
    published: dict[str, int] = {}
    with conn.transaction():
        for table in pipeline.tables:
            # Lock the target so readers see the old period or the new one, never a mix.
            conn.execute(sql.SQL("LOCK TABLE {t} IN SHARE ROW EXCLUSIVE MODE").format(t=table.analytics))
            key_filter, key_params = _key_filter(table), _key_params(table, period)
            staged = conn.execute(
                sql.SQL("SELECT count(*) FROM {s} WHERE {f}").format(s=table.staging, f=key_filter),
                key_params,
            ).fetchone()[0]
            if staged == 0 and not table.allow_empty:
                raise LoadError(
                    f"staging.{table.name} holds no rows for {period.key}: stage it first. Nothing was published."
                )
            conn.execute(sql.SQL("DELETE FROM {t} WHERE {f}").format(t=table.analytics, f=key_filter),
                         key_params)
            cur = conn.execute(
                sql.SQL("INSERT INTO {t} SELECT * FROM {s} WHERE {f}").format(
                    t=table.analytics, s=table.staging, f=key_filter),
                key_params,
            )
            published[table.name] = cur.rowcount
    prune_staging(conn, pipeline, period)
    return published


def prune_staging(conn: psycopg.Connection, pipeline: Pipeline, published: Period,
                  keep: int = STAGING_RETENTION_PERIODS) -> dict[str, int]:
    """Delete staged rows of periods more than ``keep`` periods before ``published``."""
    cutoff = published
    for _ in range(keep):
        cutoff = cutoff.previous
    pruned: dict[str, int] = {}
    with conn.transaction():
        for table in pipeline.tables:
            if table.period_column is None:  # a whole-table snapshot: each stage replaces it
                continue
            cur = conn.execute(sql.SQL("DELETE FROM {s} WHERE {c} < %(cutoff)s").format(
                s=table.staging, c=sql.Identifier(table.period_column)), {"cutoff": table.key_value(cutoff)})
            pruned[table.name] = cur.rowcount
    return pruned


def load_period(conn: psycopg.Connection, pipeline: Pipeline, period: Period, method: str = "incremental") -> dict:
    """Everything a DAG run does, in one call (for the CLI, tests and benchmarks)."""
    ensure_schema(conn, pipeline)
    check_sources(conn, pipeline, period)
    staged = stage(conn, pipeline, period, method)
    from include import quality

    quality.audit(conn, pipeline, period)
    published = publish(conn, pipeline, period)
    return {"period": period.key, "method": method, "staged": staged.rows, "published": published,
            "warnings": staged.warnings}
