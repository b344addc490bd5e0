"""Run pipelines through Airflow from the command line (the demo, `make run`).

Each period is one real DAG run (``dag.test``: the DAG's own tasks, params,
validation, callbacks and XComs, executed in this process), recorded in a
project-local Airflow metadata database, never in ~/airflow.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from include import warehouse
from include.settings import STATE_DIR, airflow_env, url_fingerprint

AIRFLOW_HOME = STATE_DIR / "airflow"
METADATA_DB = "airflow"


def configure(target: warehouse.Target) -> None:
    """Point this process's Airflow at the project-local home and the warehouse.

    Must run before anything imports airflow.
    """
    AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    metadata_url = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if not metadata_url:
        warehouse.start_embedded(quiet=True)
        warehouse.ensure_database(METADATA_DB)
        metadata_url = warehouse.embedded_url(METADATA_DB).replace("postgresql://", "postgresql+psycopg2://")
    os.environ.update(airflow_env(AIRFLOW_HOME, metadata_url))
    os.environ["AIRFLOW_CONN_WAREHOUSE"] = warehouse.airflow_conn_json(target.url)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    # Airflow's own deprecation chatter is not the user's business in the demo.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette.testclient`")


def migrate() -> float:
    """Create/upgrade Airflow's metadata schema; skipped when already at this version."""
    import airflow

    stamp = AIRFLOW_HOME / f".migrated-{airflow.__version__}"
    url = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    if stamp.exists() and stamp.read_text() == url_fingerprint(url) and _has_metadata_tables(url):
        return 0.0
    started = time.monotonic()
    r = subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], capture_output=True, text=True,
                       env=os.environ.copy())
    if r.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    stamp.write_text(url_fingerprint(url))
    return time.monotonic() - started


def _has_metadata_tables(sqlalchemy_url: str) -> bool:
    if not sqlalchemy_url.startswith("postgresql"):
        return True
    import psycopg

    url = "postgresql://" + sqlalchemy_url.split("://", 1)[1]
    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()[0]
    except psycopg.Error:
        return False


@dataclass
class RunResult:
    dag_id: str
    period: str
    state: str
    seconds: float
    failed_tasks: list[str]  # tasks that ran and failed
    not_run: list[str] = field(default_factory=list)  # tasks that never ran because an upstream task failed
    error: str | None = None  # the failing task's error message, whole
    warnings: list[str] = field(default_factory=list)  # what the loads reported (not failed) during the run
    log_path: Path | None = None  # everything the run printed: task logs, tracebacks, alerts


_bag = None


def get_dag(dag_id: str):
    global _bag
    if _bag is None:
        from airflow.dag_processing.dagbag import DagBag
        from include.settings import DAGS_DIR

        _bag = DagBag(dag_folder=str(DAGS_DIR))
        if _bag.import_errors:
            raise RuntimeError(f"DAG import errors: {_bag.import_errors}")
    try:
        return _bag.dags[dag_id]
    except KeyError:
        raise KeyError(f"no DAG {dag_id!r}; DAGs: {', '.join(sorted(_bag.dags))}") from None


def log_path(dag_id: str, label: str) -> Path:
    """Where a command-line run's output goes, one file per run (an alert's log survives the rerun):
    no Airflow UI serves these runs."""
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return (Path(os.environ.get("AIRFLOW_HOME", AIRFLOW_HOME)) / "logs" / "command-line" / dag_id
            / f"{label}__{started}.log")


def run(dag_id: str, period, conf: dict | None = None) -> RunResult:
    """One DAG run for one period (a real Airflow run, in this process).

    The run's own output (task logs, tracebacks, alerts) goes to ``log_path``, not the
    terminal; the result carries what the terminal needs: the failing task and its
    error, the tasks that did not run, and the loads' warnings.
    """
    from include.alerts import LOCAL_RUN_LOG_ENV

    conf = conf or {}
    dag = get_dag(dag_id)
    _prepare_for_the_command_line(dag)
    label = period.key + (f"..{conf['range_end']}" if conf.get("range_end") else "")
    path = log_path(dag_id, label)
    _failures.clear()
    warnings_seen = _WarningCollector()
    started = time.monotonic()
    with _env(LOCAL_RUN_LOG_ENV, str(path)), output_to(path), warnings_seen:  # alerts say where the log is
        dr = dag.test(logical_date=period.logical_date, run_conf=conf)
    seconds = round(time.monotonic() - started, 2)
    tis = dr.get_task_instances()
    failed = sorted(ti.task_id for ti in tis if ti.state == "failed")
    # skipped tasks (a branch not taken) did not run by design: not reported
    not_run = sorted(ti.task_id for ti in tis if ti.state not in ("success", "failed", "skipped"))
    error = next((_failures[t] for t in failed if t in _failures), None)
    return RunResult(dag_id, period.key, str(dr.state), seconds, failed, not_run if failed else [], error,
                     warnings_seen.messages, path)


# --- what a run reports, collected in this process -------------------------------------

_failures: dict[str, str] = {}  # task_id -> error message, for the run in progress


def _remember_failure(context) -> None:
    _failures[context["ti"].task_id] = str(context.get("exception") or "failed (no exception recorded)")


# Someone is waiting at the terminal: a transient failure is still retried, but soon.
COMMAND_LINE_RETRY_DELAY = dt.timedelta(seconds=5)


def _prepare_for_the_command_line(dag) -> None:
    """Adapt the DAG's tasks to a run from the terminal, and record each task's final error.

    * retries come after ``COMMAND_LINE_RETRY_DELAY``, not minutes;
    * no ``depends_on_past``: the command runs periods in order itself and the loads refuse a
      gap on their own (MissingPreviousPeriod); with it, ``dag.test`` waits forever on a task
      whose previous run (say, an earlier failed command) did not succeed;
    * ``_remember_failure`` joins the failure callbacks (it runs after the final try).
    """
    for task in dag.tasks:
        task.retry_delay = COMMAND_LINE_RETRY_DELAY
        task.depends_on_past = False
        callbacks = task.on_failure_callback or []
        callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
        if _remember_failure not in callbacks:
            task.on_failure_callback = [*callbacks, _remember_failure]


class _WarningCollector(logging.Handler):
    """Warnings our own code logs during a run (``include.*``: e.g. rows a load rejected)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self):
        logging.getLogger("include").addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger("include").removeHandler(self)


def _is_fd(stream, fd: int) -> bool:
    try:
        return stream.fileno() == fd
    except (AttributeError, OSError, ValueError):
        return False


@contextmanager
def _env(name: str, value: str):
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@contextmanager
def output_to(path: Path):
    """Send everything printed during the block to ``path``.

    At the file-descriptor level, so it catches prints and child processes, plus the
    logging handlers that write to this process's stdout/stderr (Airflow's). When
    ``sys.stdout`` is not fd 1 (a test runner's capture) it is swapped too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    streams = (sys.stdout, sys.stderr)
    for s in streams:
        s.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    handlers = [h for h in logging.getLogger().handlers
                if isinstance(h, logging.StreamHandler) and h.stream in (*streams, sys.__stdout__, sys.__stderr__)]
    with open(path, "w", buffering=1) as log:
        swapped = [name for name, fd in (("stdout", 1), ("stderr", 2)) if not _is_fd(getattr(sys, name), fd)]
        handler_streams = [h.setStream(log) for h in handlers]
        try:
            for fd in saved:
                os.dup2(log.fileno(), fd)
            for name in swapped:
                setattr(sys, name, log)
            yield
        finally:
            for h, stream in zip(handlers, handler_streams):
                h.setStream(stream)
            for name, s in zip(("stdout", "stderr"), streams):
                if name in swapped:
                    setattr(sys, name, s)
            for s in (sys.__stdout__, sys.__stderr__, *streams):
                try:
                    s.flush()
                except (OSError, ValueError):
                    pass
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
