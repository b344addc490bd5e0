"""Run pipelines through Airflow from the command line (the demo, `make run`).

Each period is one real DAG run (``dag.test``: the DAG's own tasks, params,
validation, callbacks and XComs, executed in this process), recorded in a
project-local Airflow metadata database, never in ~/airflow.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from include import warehouse
from include.settings import STATE_DIR, airflow_env

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
    if stamp.exists() and stamp.read_text() == url and _has_metadata_tables(url):
        return 0.0
    started = time.monotonic()
    r = subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], capture_output=True, text=True,
                       env=os.environ.copy())
    if r.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    stamp.write_text(url)
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
    failed_tasks: list[str]


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


def run(dag_id: str, period, conf: dict | None = None) -> RunResult:
    """One DAG run for one period (a real Airflow run, in this process)."""
    dag = get_dag(dag_id)
    started = time.monotonic()
    dr = dag.test(logical_date=period.logical_date, run_conf=conf or {})
    failed = [ti.task_id for ti in dr.get_task_instances() if ti.state in ("failed", "upstream_failed")]
    return RunResult(dag_id, period.key, str(dr.state), round(time.monotonic() - started, 2), failed)
