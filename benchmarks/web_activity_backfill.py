"""Backfill a month of web_activity: 31 per-day incremental loads vs one range rebuild.

    PYTHONPATH=. .venv/bin/python benchmarks/web_activity_backfill.py [--scale 1.0]

Uses a throwaway database on the embedded warehouse (dropped at the end) and the
generator's January 2023 data. Per-day = check + stage + audit + publish of each day (what
the DAG's tasks do, minus Airflow's per-task overhead); range = include.web_activity_range.rebuild_range
(stage the month in one pass, audit each day, publish once). Both write-audit-publish.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
import uuid

from include import loads, pipelines, quality, warehouse
from include.periods import Period
from include.sources.gen_web import generate
from include.web_activity_range import rebuild_range

ORDER = {"user_devices_cumulated": "user_id, browser_type, date", "hosts_cumulated": "host, date",
         "host_activity_reduced": "month, host"}


def timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    scale = ap.parse_args().scale
    warehouse.start_embedded(quiet=True)
    name = f"bench_web_{uuid.uuid4().hex[:8]}"
    warehouse.ensure_database(name)
    try:
        with warehouse.connect(warehouse.embedded_url(name), autocommit=True) as conn:
            warehouse.ensure_schemas(conn)
            counts = generate(conn, scale=scale)
            pipeline = pipelines.get("web_activity")
            loads.ensure_schema(conn, pipeline)
            t, audit_s = time.perf_counter(), 0.0
            for day in range(1, 32):
                period = Period("day", dt.date(2023, 1, day))
                loads.check_sources(conn, pipeline, period)
                loads.stage(conn, pipeline, period)
                audit_s += timed(quality.audit, conn, pipeline, period)
                loads.publish(conn, pipeline, period)
            per_day = time.perf_counter() - t
            snap = {k: conn.execute(f"SELECT * FROM analytics.{k} ORDER BY {o}").fetchall() for k, o in ORDER.items()}
            conn.execute("TRUNCATE " + ", ".join(f"analytics.{k}" for k in ORDER))
            t = time.perf_counter()
            result = rebuild_range(conn, "2023-01-01", "2023-01-31")
            ranged = time.perf_counter() - t
            same = snap == {k: conn.execute(f"SELECT * FROM analytics.{k} ORDER BY {o}").fetchall()
                            for k, o in ORDER.items()}
        print(f"events: {counts['events']} (scale {scale}); published rows: {result['published']}")
        print(f"per-day incremental, 31 days: {per_day:.2f} s (of which Soda audit {audit_s:.2f} s)")
        print(f"range rebuild (full), 1 pass: {ranged:.2f} s (stage {result['stage_seconds']:.2f} s, "
              f"audit {result['audit_seconds']:.2f} s)")
        print(f"identical rows: {same}")
    finally:
        warehouse.drop_database(name)


if __name__ == "__main__":
    main()
