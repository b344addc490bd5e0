"""The project's command line (what the Makefile calls).

    python -m include.cli demo [--data DIR] [--dump FILE]
    python -m include.cli warehouse up|stop|reset|url
    python -m include.cli load [--data DIR] [--dump FILE] [--seed N] [--scale X]
    python -m include.cli run PIPELINE --from PERIOD [--to PERIOD] [--method full]
    python -m include.cli repair web_activity --from YYYY-MM-DD
    python -m include.cli summary

Bad input (an unknown pipeline, a bad period or range) is rejected before the
warehouse or Airflow starts: one ``error:`` line, exit 2. A run that fails
prints the failing task, its error and where the full log is: exit 1.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from include import warehouse
from include.periods import PeriodError
from include.sources.files import SourceError


class InputError(Exception):
    """Input the command cannot act on: one ``error:`` line, exit 2 (like argparse)."""


class RunFailed(Exception):
    """A pipeline run failed; its details are already printed: one ``error:`` line, exit 1."""

# The periods the demo runs for each pipeline: from the first to the last period
# present in its sources. Order matters: pipelines run in this order.
SOURCE_PERIODS = {
    "players": "SELECT min(season)::text, max(season)::text FROM raw.player_seasons",
    "actors": "SELECT min(year)::text, max(year)::text FROM raw.actor_films",
    "web_activity": "SELECT min(event_time::timestamp::date)::text, max(event_time::timestamp::date)::text "
                    "FROM raw.events",
    "game_details": "SELECT min(event_time::timestamp::date)::text, max(event_time::timestamp::date)::text "
                    "FROM raw.events",
}


def say(msg: str = "") -> None:
    print(msg, flush=True)


# --- warehouse ---------------------------------------------------------------------

def cmd_warehouse(args) -> int:
    if args.action == "up":
        t = warehouse.target()
        say(f"warehouse ({t.source}): {warehouse.redact(t.url)}")
        with warehouse.connect(t.url, autocommit=True) as conn:
            warehouse.ensure_schemas(conn)
    elif args.action == "stop":
        _refuse_under_make_up("stop the warehouse")
        say("warehouse: stopped" if warehouse.stop_embedded() else "warehouse: embedded server was not running")
    elif args.action == "reset":
        reset_warehouse()
    elif args.action == "url":
        say(warehouse.redact(warehouse.target().url))
    return 0


def reset_warehouse() -> None:
    """Delete the embedded server: the warehouse AND the Airflow metadata databases on it."""
    from include import airflow_runner, local_stack

    _refuse_under_make_up("delete the warehouse")
    databases = _embedded_databases()
    warehouse.reset_embedded()
    # Their databases are gone: the next command must migrate again, not trust the stamp.
    for home in (airflow_runner.AIRFLOW_HOME, local_stack.HOME):
        for stamp in home.glob(".migrated-*"):
            stamp.unlink()
    what = {warehouse.WAREHOUSE_DB: "raw sources and published tables (raw, analytics, staging, audit)",
            airflow_runner.METADATA_DB: "Airflow metadata of make run / demo / repair (run history)",
            local_stack.METADATA_DB: "Airflow metadata of make up (runs, pauses, the UI's history)"}
    say(f"warehouse: deleted the embedded PostgreSQL in {warehouse.EMBEDDED_DIR} with all its databases"
        + (":" if databases else " (it was stopped; these are the ones this project creates):"))
    for name in databases or list(what):
        say(f"  {name:<12} {what.get(name, '')}".rstrip())
    say(f"kept: {airflow_runner.AIRFLOW_HOME} and {local_stack.HOME} (config, logs, the UI login), the alerts log")
    if warehouse.configured_target():
        say("your configured warehouse (WAREHOUSE_URL / AIRFLOW_CONN_WAREHOUSE) was not touched")


def _refuse_under_make_up(what: str) -> None:
    from include import local_stack

    if any(local_stack.running().values()):
        raise InputError(f"the Airflow UI (`make up`) is running and keeps its metadata on the embedded server: "
                         f"run `make down` first, then {what}")


def _embedded_databases() -> list[str]:
    """The databases on the embedded server, when it runs (else unknown: [])."""
    if not warehouse.embedded_running():
        return []
    with warehouse.connect(warehouse.embedded_url("postgres"), autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' "
                            "ORDER BY datname").fetchall()
    return [r[0] for r in rows]


# --- sources -----------------------------------------------------------------------

def load_sources(target: warehouse.Target, data: Path | None, dump: Path | None, seed: int, scale: float,
                 keep_real: bool) -> dict:
    """Real data where given, the deterministic generator for the rest; prints what each raw table holds.

    ``keep_real`` (make demo): a table loaded earlier from real data (CSV folder or dump) that
    this call is not given is kept, never replaced by generated rows. Without it (make load)
    the generator refills every table it is not given.
    """
    from include.sources import files, generate

    loaded: dict[str, tuple[int, str]] = {}  # table -> (rows, where they came from)
    shapes: dict[str, int] = {}  # what the generator planted on purpose (duplicates, a quiet day...)
    with warehouse.connect(target.url, autocommit=True) as conn:
        warehouse.ensure_schemas(conn)
        files.ensure_raw_tables(conn)
        earlier = {t: src for t, src in files.last_sources(conn).items() if not src.startswith(files.GENERATED)}
        if dump:
            server = target.with_database("postgres") if target.source == "embedded" else target.url
            for t, n in files.load_dump(conn, dump, server_url=server).items():
                loaded[t] = (n, f"<- dump {dump}")
        if data:
            for t, n in files.load_csv_folder(conn, data).items():
                loaded[t] = (n, f"<- csv {data}")  # loaded after the dump: the CSV is what the table holds
        if keep_real:
            for t, src in earlier.items():
                n = files.raw_row_count(conn, t)
                if t not in loaded and n:
                    loaded[t] = (n, f"(kept: loaded from {src} earlier)")
        raw_tables = set(files.known_raw_tables())
        for t, n in generate.generate_missing(conn, have=set(loaded), seed=seed, scale=scale).items():
            if t in raw_tables:
                replaced = f"  (replaces {earlier[t]} loaded earlier)" if t in earlier else ""
                loaded[t] = (n, f"<- generated (seed {seed}){replaced}")
            else:
                shapes[t] = n
    for table, (n, source) in loaded.items():
        say(f"  raw.{table:<24} {n:>9,} rows  {source}")
    if shapes:
        say("  generated on purpose: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in shapes.items()))
    return loaded


def cmd_load(args) -> int:
    if not (args.data or args.dump):
        say("  make load without DATA/DUMP generates every source table it can, replacing real data loaded "
            "earlier (make demo keeps that)")
    target = warehouse.target()
    load_sources(target, args.data, args.dump, args.seed, args.scale, keep_real=False)
    if _anything_published(target.url):
        say("  note: analytics still holds what was built from the previous sources: rebuild it with "
            "`make demo` (or `make run ... METHOD=full`)")
    return 0


# --- running pipelines through Airflow ---------------------------------------------

def _pipeline(name: str):
    from include import pipelines

    try:
        return pipelines.get(name)
    except KeyError as err:
        raise InputError(err.args[0]) from None


def _rebuilds_whole_table(pipeline) -> bool:
    """Every run replaces whole tables (no period column): the last period's run is the whole job."""
    return all(t.period_column is None for t in pipeline.tables)


def _periods_from_sources(conn, pipeline) -> list:
    first, last = conn.execute(SOURCE_PERIODS[pipeline.name]).fetchone()
    if first is None:
        return []
    if _rebuilds_whole_table(pipeline):
        return [pipeline.periods.parse(last)]
    return pipeline.periods.range(pipeline.periods.parse(first), pipeline.periods.parse(last))


def _start_airflow(target: warehouse.Target) -> float:
    from include import airflow_runner

    airflow_runner.configure(target)
    return airflow_runner.migrate()


ERROR_LINES = 20  # of a failed task's error; a source-check or gap error is a few lines and is shown whole
WARNING_CHARS = 160


def _warnings_note(messages: list[str], period_key: str) -> str:
    # "hosts_cumulated 2023-01-07: 1 warning row(s): ...": the progress line already names the period
    texts = [m.replace(f" {period_key}:", ":", 1) for m in messages]
    texts = [t if len(t) <= WARNING_CHARS else t[:WARNING_CHARS - 1] + "…" for t in texts]
    return f"{len(texts)} warning{'s' if len(texts) > 1 else ''}: " + "; ".join(texts)


def _outcome(r) -> str:
    """The end of a run's progress line: ok / FAILED, time, warnings inline."""
    if r.state == "success":
        return f"ok     {r.seconds:6.2f} s" + (f"  ({_warnings_note(r.warnings, r.period)})" if r.warnings else "")
    return f"FAILED {r.seconds:6.2f} s  in {', '.join(r.failed_tasks) or 'the DAG run'}"


def _say_failure(r) -> None:
    """The failing task's error (no traceback), what did not run, where the full log is."""
    lines = (r.error or "no error message was recorded: see the log").splitlines()
    if len(lines) > ERROR_LINES:
        lines = lines[:ERROR_LINES] + [f"... ({len(lines) - ERROR_LINES} more lines in the log)"]
    if r.not_run:
        lines.append(f"did not run (an upstream task failed): {', '.join(r.not_run)}")
    lines.append(f"full log: {r.log_path}")
    for line in lines:
        say(f"      {line}")


def run_pipeline(name: str, periods: list, method: str = "incremental") -> list:
    from include import airflow_runner

    results = []
    total = len(periods)
    for i, period in enumerate(periods, 1):
        # the start of the line now (which period is running), the outcome when it ends
        print(f"  [{name}] {i:>3}/{total} {period.key:<10} ", end="", flush=True)
        r = airflow_runner.run(name, period, {"method": method})
        results.append(r)
        say(_outcome(r))
        if r.state != "success":
            _say_failure(r)
            raise RunFailed(f"{name} {period.key} failed in {', '.join(r.failed_tasks) or 'the DAG run'}; "
                            "published data for earlier periods is intact")
    return results


def cmd_run(args) -> int:
    # All input is checked before the warehouse or Airflow starts (that takes seconds).
    pipeline = _pipeline(args.pipeline)
    first = pipeline.periods.parse(args.first)
    last = pipeline.periods.parse(args.last) if args.last else first
    if last < first:
        raise InputError(f"--to {last} is before --from {first}")
    target = warehouse.target()
    _start_airflow(target)
    run_pipeline(pipeline.name, pipeline.periods.range(first, last), args.method)
    _say_later_periods_hint(target, pipeline, last)
    return 0


def _say_later_periods_hint(target: warehouse.Target, pipeline, last) -> None:
    """Later snapshots of a cumulative table were built on the old state of the periods just rerun."""
    cumulative = [t for t in pipeline.tables if t.name in pipeline.cumulative]
    if not cumulative:
        return
    from psycopg import sql

    latest_of_each = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT max({c}) AS p FROM {t}").format(c=sql.Identifier(t.period_column), t=t.analytics)
        for t in cumulative)
    with warehouse.connect(target.url, autocommit=True) as conn:
        latest = conn.execute(sql.SQL("SELECT max(p) FROM ({}) x").format(latest_of_each)).fetchone()[0]
    if latest is None or latest <= last.value:
        return
    latest_key = pipeline.periods.parse(str(latest)).key
    from include.web_activity_range import PIPELINE_NAME as REPAIRABLE

    how = (f"make repair PIPELINE={pipeline.name} FROM={last.key}" if pipeline.name == REPAIRABLE
           else f"make run PIPELINE={pipeline.name} FROM={last.key} TO={latest_key} METHOD=full")
    say(f"  note: {pipeline.name} is published up to {latest_key}; those later snapshots still reflect the old "
        f"{last.key}. To carry a change forward: `{how}`")


def _no_repair(pipeline, first_text: str) -> str:
    """Why ``repair`` does not apply to this pipeline, and what to run instead (from its spec)."""
    from include.web_activity_range import PIPELINE_NAME

    kind = pipeline.periods.kind
    try:
        start = pipeline.periods.parse(first_text).key
    except PeriodError:
        start = f"<{kind}>"
    if _rebuilds_whole_table(pipeline):
        return (f"{pipeline.name} rebuilds its whole table from the sources on every run, so late data needs no "
                f"repair: run it again with `make run PIPELINE={pipeline.name} FROM={start}`")
    return (f"repair (one range-mode run) exists for {PIPELINE_NAME} only; rebuild {pipeline.name} "
            f"({'yearly' if kind == 'year' else 'daily'}) from the late {kind} with the full method: "
            f"`make run PIPELINE={pipeline.name} FROM={start} TO=<last published {kind}> METHOD=full`")


def cmd_repair(args) -> int:
    """Late data: one Airflow run of web_activity in range mode, from the late day to the last published day."""
    from include import airflow_runner
    from include.loads import LoadError
    from include.web_activity_range import PIPELINE_NAME, repair_range

    pipeline = _pipeline(args.pipeline)
    if pipeline.name != PIPELINE_NAME:
        raise InputError(_no_repair(pipeline, args.first))
    first = pipeline.periods.parse(args.first)
    target = warehouse.target()
    try:
        with warehouse.connect(target.url, autocommit=True) as conn:
            first_day, last_day = repair_range(conn, first.value)
    except LoadError as err:
        raise InputError(str(err)) from None
    _start_airflow(target)
    print(f"  [{PIPELINE_NAME}] repair: rebuilding {first_day}..{last_day} with the full method in one run: ",
          end="", flush=True)
    r = airflow_runner.run(PIPELINE_NAME, first, {"period": first_day.isoformat(), "range_end": last_day.isoformat()})
    say(_outcome(r))
    if r.state != "success":
        _say_failure(r)
        raise RunFailed(f"repair of {first_day}..{last_day} failed; published data is unchanged")
    return 0


# --- summary -----------------------------------------------------------------------

LAST_PERIOD_STATS = {
    "players": """SELECT 'players ' || current_season, count(*) FILTER (WHERE is_active),
                         count(*) FILTER (WHERE scoring_class = 'star')
                  FROM analytics.players WHERE current_season = (SELECT max(current_season) FROM analytics.players)
                  GROUP BY current_season""",
    "actors": """SELECT 'actors ' || current_year, count(*) FILTER (WHERE is_active),
                        count(*) FILTER (WHERE quality_class = 'star')
                 FROM analytics.actors WHERE current_year = (SELECT max(current_year) FROM analytics.actors)
                 GROUP BY current_year""",
}

# Active users on the last loaded day, from datelist_int (bit 31 = that day, bit 31-k = k days
# before). A user with several browsers counts once: OR their bits first.
ACTIVE_USERS = """
    WITH last AS (SELECT max(date) AS day FROM analytics.user_devices_cumulated),
    users AS (SELECT user_id, bit_or(datelist_int) AS bits FROM analytics.user_devices_cumulated
              WHERE date = (SELECT day FROM last) GROUP BY user_id)
    SELECT (SELECT day FROM last)::text,
           count(*) FILTER (WHERE bits >= 2147483648),                   -- today
           count(*) FILTER (WHERE bits & 4261412864 <> 0),               -- last 7 days
           count(*) FILTER (WHERE bits & 4294967292 <> 0)                -- last 30 days
    FROM users
"""

HITS_PER_HOST = """
    SELECT month::text, host, (SELECT sum(h) FROM unnest(hit_array) h)::bigint AS hits,
           cardinality(hit_array) AS days
    FROM analytics.host_activity_reduced
    WHERE month = (SELECT max(month) FROM analytics.host_activity_reduced)
    ORDER BY hits DESC, host LIMIT 5
"""


def _print_web_stats(conn) -> None:
    import psycopg

    try:
        day, dau, wau, mau = conn.execute(ACTIVE_USERS).fetchone()
        hosts = conn.execute(HITS_PER_HOST).fetchall()
    except psycopg.errors.UndefinedTable:
        return
    if day is not None:
        say(f"\nactive users on {day} (from datelist_int): daily {dau:,} · 7-day {wau:,} · 30-day {mau:,}")
    if hosts:
        say(f"hits per host, month {hosts[0][0]} ({hosts[0][3]} days loaded), top {len(hosts)}:")
        for _, host, hits, _ in hosts:
            say(f"  {host:<40} {hits:>10,}")


def print_summary(url: str, seconds: float | None = None, halo=None) -> None:
    """``halo``: the demo's HaloOutcome (include/spark/demo.py), printed with the summary."""
    import psycopg

    with warehouse.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'analytics' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()
        say("\n== summary " + "=" * 60)
        say(f"{'table':<36} {'rows':>10} {'periods':>8}")
        from include import pipelines

        period_col = {t.name: t.period_column for p in pipelines.PIPELINES.values() for t in p.tables}
        for (name,) in tables:
            n = conn.execute(psycopg.sql.SQL("SELECT count(*) FROM {}").format(
                psycopg.sql.Identifier("analytics", name))).fetchone()[0]
            # a full snapshot (no period column, e.g. fct_game_details) has no periods to count
            periods = "whole" if name in period_col else ""
            if period_col.get(name):
                periods = conn.execute(psycopg.sql.SQL("SELECT count(DISTINCT {}) FROM {}").format(
                    psycopg.sql.Identifier(period_col[name]), psycopg.sql.Identifier("analytics", name))).fetchone()[0]
            say(f"analytics.{name:<26} {n:>10,} {periods!s:>8}")
        stats = [(k, q) for k, q in LAST_PERIOD_STATS.items() if k in pipelines.PIPELINES]
        if stats:
            say(f"\n{'last period':<36} {'active':>10} {'stars':>8}")
            for _, q in stats:
                try:
                    for label, active, stars in conn.execute(q).fetchall():
                        say(f"{label:<36} {active:>10,} {stars:>8,}")
                except psycopg.Error:
                    pass
        _print_web_stats(conn)
    if halo is not None:
        _print_halo(halo)
    if seconds is not None:
        say(f"\ntime taken: {seconds:.1f} s")


def _print_halo(halo) -> None:
    from include.spark.demo import answer_lines

    if halo.state != "success":
        say(f"\nHalo match stats (Spark): {halo.state}: {halo.message}")
        return
    say(f"\nHalo match stats (Spark, halo_match_stats DAG run in {halo.seconds:.1f} s):")
    for line in answer_lines(halo.answers):
        say(f"  {line}")


NOTHING_PUBLISHED = "nothing is published yet: fill the warehouse with `make demo`"


def _anything_published(url: str) -> bool:
    import psycopg

    with warehouse.connect(url, autocommit=True) as conn:
        tables = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'analytics' "
                              "AND table_type = 'BASE TABLE'").fetchall()
        return any(conn.execute(psycopg.sql.SQL("SELECT EXISTS (SELECT FROM {})").format(
            psycopg.sql.Identifier("analytics", name))).fetchone()[0] for (name,) in tables)


def cmd_summary(args) -> int:
    # After a reset there is no embedded warehouse: say so instead of creating an empty one.
    never_created = warehouse.configured_target() is None and not (warehouse.PGDATA / "PG_VERSION").exists()
    if never_created or not _anything_published(url := warehouse.target().url):
        say(NOTHING_PUBLISHED)
        return 0
    print_summary(url)
    return 0


# --- the main job ------------------------------------------------------------------

def cmd_demo(args) -> int:
    from include import pipelines

    started = time.monotonic()
    # read before airflow_runner.configure fills in the local default
    spark_conn_configured = bool(os.environ.get("AIRFLOW_CONN_SPARK_DEFAULT"))
    say("== 1/5 warehouse")
    target = warehouse.target()
    say(f"  {target.source}: {warehouse.redact(target.url)}")

    say("== 2/5 sources -> raw")
    step = time.monotonic()
    load_sources(target, args.data, args.dump, args.seed, args.scale, keep_real=True)
    say(f"  ({time.monotonic() - step:.1f} s)")

    say("== 3/5 Airflow (project-local metadata in .state/airflow)")
    took = _start_airflow(target)
    say(f"  metadata database ready ({took:.1f} s)")

    say("== 4/5 pipelines, one Airflow DAG run per period")
    with warehouse.connect(target.url, autocommit=True) as conn:
        plan = [(name, _periods_from_sources(conn, pipelines.get(name)))
                for name in SOURCE_PERIODS if name in pipelines.PIPELINES]
    for name, periods in plan:
        if not periods:
            say(f"  [{name}] no source rows: skipped")
            continue
        step = time.monotonic()
        say(f"  [{name}] {len(periods)} periods {periods[0].key}..{periods[-1].key}")
        run_pipeline(name, periods)
        say(f"  [{name}] done in {time.monotonic() - step:.1f} s")

    say("== 5/5 Spark: Halo match stats (the halo_match_stats DAG)")
    from include.spark import demo as spark_demo

    from include import airflow_runner

    halo_log = airflow_runner.log_path("halo_match_stats", "demo")
    with airflow_runner.output_to(halo_log):  # Spark's and Airflow's log lines, like every run's
        halo = spark_demo.run_halo(args.data, spark_conn_configured)
    say(f"  [halo_match_stats] {halo.state}" + (f" in {halo.seconds:.1f} s" if halo.seconds else "")
        + (f": {halo.message}" if halo.state != "success" else ""))
    if halo.state == "failed":
        say(f"      full log: {halo_log}")

    print_summary(target.url, time.monotonic() - started, halo=halo)
    return 1 if halo.state == "failed" else 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")
    p = argparse.ArgumentParser(prog="python -m include.cli", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def source_args(sp):
        sp.add_argument("--data", type=Path, help="folder of gzip CSVs (bootcamp format)")
        sp.add_argument("--dump", type=Path, help="the course's pg_restore dump (data.dump)")
        sp.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
        sp.add_argument("--scale", type=float, default=1.0, help="generator size factor (default 1)")

    w = sub.add_parser("warehouse", help="embedded warehouse: up, stop, reset, url")
    w.add_argument("action", choices=["up", "stop", "reset", "url"])
    w.set_defaults(fn=cmd_warehouse)
    ld = sub.add_parser("load", help="load sources into raw")
    source_args(ld)
    ld.set_defaults(fn=cmd_load)
    r = sub.add_parser("run", help="run a pipeline for a range of periods through Airflow")
    r.add_argument("pipeline")
    r.add_argument("--from", dest="first", required=True)
    r.add_argument("--to", dest="last")
    r.add_argument("--method", default="incremental", choices=["incremental", "full"])
    r.set_defaults(fn=cmd_run)
    rp = sub.add_parser("repair", help="late data: rebuild a day and every later snapshot (web_activity)")
    rp.add_argument("pipeline")
    rp.add_argument("--from", dest="first", required=True, help="the late day, YYYY-MM-DD")
    rp.set_defaults(fn=cmd_repair)
    d = sub.add_parser("demo", help="the main job: everything, end to end")
    source_args(d)
    d.set_defaults(fn=cmd_demo)
    s = sub.add_parser("summary", help="rows per published table")
    s.set_defaults(fn=cmd_summary)
    args = p.parse_args(argv)
    try:
        for attr in ("data", "dump"):
            v = getattr(args, attr, None)
            if v is not None:
                v = v.expanduser().resolve()
                if not v.exists():
                    raise InputError(f"--{attr} {v} does not exist")
                setattr(args, attr, v)
        return args.fn(args)
    except (InputError, PeriodError, SourceError) as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 2
    except (RunFailed, warehouse.WarehouseError) as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
