"""Web activity range mode: rebuild days [first, last] with the full method in one pass.

* ``rebuild_range(conn, first, last)`` stages every snapshot of the range in
  one set-based statement per table (``generate_series`` of days joined to the
  events), audits each day with the tables' Soda contracts, then replaces the
  range in ``analytics`` in ONE transaction. It publishes exactly what per-day
  runs of first..last would publish (tested).
* ``repair(conn, first_day)`` is the late-data repair: a range rebuild from
  the late day to the last published day (CLI: ``make repair
  PIPELINE=web_activity FROM=YYYY-MM-DD``).

The SQL is the pipeline's own ``<table>__full.sql``: its first line binds the
bounds ``(%(period)s, %(period)s)`` for a single day; here the same statement
gets ``(%(first)s, %(last)s)``. One definition, so the full method, the range
rebuild and the repair cannot drift apart.
"""
from __future__ import annotations

import datetime as dt
import logging
import time

import psycopg
from psycopg import sql

from include import loads, pipelines
from include.loads import LoadError
from include.periods import Period

log = logging.getLogger(__name__)

PIPELINE_NAME = "web_activity"
FULL_BOUNDS = "SELECT %(period)s::date AS first_day, %(period)s::date AS last_day"
RANGE_BOUNDS = "SELECT %(first)s::date AS first_day, %(last)s::date AS last_day"

# The rows of each table a rebuild of [first, last] replaces.
RANGE_SLICE = {
    "user_devices_cumulated": "date BETWEEN %(first)s::date AND %(last)s::date",
    "hosts_cumulated": "date BETWEEN %(first)s::date AND %(last)s::date",
    "host_activity_reduced": "month BETWEEN date_trunc('month', %(first)s::date)::date "
    "AND date_trunc('month', %(last)s::date)::date",
}

REJECTED_NULL_HOST = """
SELECT count(*) FROM (SELECT DISTINCT url, referrer, user_id, device_id, host, event_time::timestamp AS ts
                      FROM raw.events) e
WHERE e.host IS NULL AND e.ts >= %(first)s::date AND e.ts < %(last)s::date + 1
"""


def range_sql(table: str) -> str:
    """The full method of ``table`` with range bounds instead of one day."""
    text = pipelines.get(PIPELINE_NAME).sql_file(f"{table}__full.sql")
    if text.count(FULL_BOUNDS) != 1:
        raise LoadError(f"{table}__full.sql must bind its bounds with exactly one `{FULL_BOUNDS}`")
    text = text.replace(FULL_BOUNDS, RANGE_BOUNDS)
    if "%(period)s" in text or "%(previous)s" in text:
        raise LoadError(f"{table}__full.sql uses the period outside its bounds line: cannot run it as a range")
    return text


def _as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def rebuild_range(conn: psycopg.Connection, first: dt.date | str, last: dt.date | str) -> dict:
    """Rebuild every web_activity table for the days first..last (full method), write-audit-publish.

    Stage the whole range into ``staging`` in one set-based pass per table, verify each day of it
    with the tables' contracts (the same gate a per-day run passes), then replace the range in
    ``analytics`` in one transaction. A failed check names its day; nothing is published then.
    """
    from include import quality

    pipeline = pipelines.get(PIPELINE_NAME)
    spec = pipeline.periods
    first_p = spec.check(Period("day", _as_date(first)))
    last_p = spec.check(Period("day", _as_date(last)))
    if last_p < first_p:
        raise LoadError(f"range end {last_p} is before its start {first_p}: nothing was published")
    days = spec.range(first_p, last_p)
    started = time.monotonic()
    loads.ensure_schema(conn, pipeline)
    loads.check_sources(conn, pipeline, first_p)
    params = {"first": first_p.value, "last": last_p.value}

    with conn.transaction():  # write
        for table in pipeline.tables:
            conn.execute(sql.SQL("DELETE FROM {s} WHERE ").format(s=table.staging)
                         + sql.SQL(RANGE_SLICE[table.name]), params)
            conn.execute(sql.SQL("INSERT INTO {s} ").format(s=table.staging) + sql.SQL(range_sql(table.name)),
                         params)
    staged_at = time.monotonic()
    for day in days:  # audit: raises QualityGateFailed naming the day, before anything is published
        quality.audit(conn, pipeline, day)
    audited_at = time.monotonic()

    published: dict[str, int] = {}
    with conn.transaction():  # publish
        for table in pipeline.tables:
            conn.execute(sql.SQL("LOCK TABLE {t} IN SHARE ROW EXCLUSIVE MODE").format(t=table.analytics))
        for table in pipeline.tables:
            where = sql.SQL(RANGE_SLICE[table.name])
            conn.execute(sql.SQL("DELETE FROM {t} WHERE ").format(t=table.analytics) + where, params)
            cur = conn.execute(sql.SQL("INSERT INTO {t} SELECT * FROM {s} WHERE ").format(
                t=table.analytics, s=table.staging) + where, params)
            published[table.name] = cur.rowcount
        rejected = conn.execute(REJECTED_NULL_HOST, params).fetchone()[0]
    loads.prune_staging(conn, pipeline, last_p)
    if rejected:
        log.warning("web_activity %s..%s: %d event(s) with NULL host rejected", first_p, last_p, rejected)
    return {"first": first_p.key, "last": last_p.key, "days": len(days),
            "method": "full-range", "published": published, "rejected_null_host_events": rejected,
            "seconds": round(time.monotonic() - started, 3),
            "stage_seconds": round(staged_at - started, 3), "audit_seconds": round(audited_at - staged_at, 3)}


def last_published_day(conn: psycopg.Connection) -> dt.date | None:
    """The latest day any web_activity table has published (None: nothing yet)."""
    loads.ensure_schema(conn, pipelines.get(PIPELINE_NAME))
    return conn.execute(
        """
        SELECT max(d) FROM (
            SELECT max(date) AS d FROM analytics.user_devices_cumulated
            UNION ALL SELECT max(date) FROM analytics.hosts_cumulated
            UNION ALL SELECT max(month + cardinality(hit_array) - 1) FROM analytics.host_activity_reduced
        ) x
        """
    ).fetchone()[0]


def repair_range(conn: psycopg.Connection, first_day: dt.date | str) -> tuple[dt.date, dt.date]:
    """The days a late-data repair from ``first_day`` rebuilds: first_day..last published day."""
    first = _as_date(first_day)
    last = last_published_day(conn)
    if last is None:
        raise LoadError("web_activity has published nothing yet: load the days instead of repairing them")
    if first > last:
        raise LoadError(f"web_activity is published up to {last}; {first} is not published yet: load it instead")
    return first, last


def repair(conn: psycopg.Connection, first_day: dt.date | str) -> dict:
    """Late data for ``first_day``: rebuild first_day..last published day with the full method."""
    first, last = repair_range(conn, first_day)
    result = rebuild_range(conn, first, last)
    result["repair_from"] = first.isoformat()
    return result
