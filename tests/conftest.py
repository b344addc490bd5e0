"""Test fixtures on real parts: the embedded PostgreSQL and a throwaway Airflow.

Tests never touch the demo's warehouse or Airflow metadata: each session gets
its own databases on the embedded server and its own AIRFLOW_HOME.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest

from include.settings import PROJECT_ROOT, airflow_env

# Airflow reads its configuration at import: set it before anything imports it.
_SESSION = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="pipeline-ops-test-airflow-"))
os.environ.pop("WAREHOUSE_URL", None)
# Alerts of failing test runs go to the session's own log, never the project's .state/alerts.
os.environ["ALERTS_LOG"] = str(_AIRFLOW_HOME / "alerts" / "alerts.jsonl")
os.environ.pop("AIRFLOW_CONN_WAREHOUSE", None)

from include import warehouse  # noqa: E402

warehouse.start_embedded(quiet=True)
_META_DB = f"test_airflow_{_SESSION}"
os.environ.update(airflow_env(_AIRFLOW_HOME, warehouse.embedded_url(_META_DB).replace(
    "postgresql://", "postgresql+psycopg2://")))

DATA_DIR = Path(os.environ.get("BOOTCAMP_DATA", PROJECT_ROOT.parent / "shared" / "data" / "bootcamp"))
_TEMPLATE = f"test_template_{_SESSION}"
_created: list[str] = []


def _new_database(template: str | None = None) -> str:
    name = f"test_{_SESSION}_{len(_created)}"
    from psycopg import sql
    import psycopg

    with psycopg.connect(warehouse.embedded_url("postgres"), autocommit=True) as conn:
        q = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            q = q + sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(q)
    _created.append(name)
    return warehouse.embedded_url(name)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA_DIR / "player_seasons.csv.gz").exists():
        pytest.skip(f"bootcamp data not found at {DATA_DIR} (set BOOTCAMP_DATA)")
    return DATA_DIR


@pytest.fixture
def db_url() -> str:
    """A fresh, empty warehouse database (schemas raw/analytics/staging/audit) for one test."""
    url = _new_database()
    with warehouse.connect(url, autocommit=True) as conn:
        warehouse.ensure_schemas(conn)
    return url


@pytest.fixture
def db(db_url):
    """A psycopg connection to a fresh warehouse database."""
    conn = warehouse.connect(db_url, autocommit=True)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow metadata database, migrated once per session."""
    import subprocess

    warehouse.ensure_database(_META_DB)
    subprocess.run([str(Path(os.sys.executable).parent / "airflow"), "db", "migrate"], check=True,
                   capture_output=True, env=os.environ.copy())
    return _META_DB


@pytest.fixture
def airflow_warehouse(airflow_db, db_url, monkeypatch):
    """A fresh warehouse database wired as Airflow's ``warehouse`` connection."""
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", warehouse.airflow_conn_json(db_url))
    return db_url


def pytest_sessionfinish(session, exitstatus):
    import sys

    if "airflow.settings" in sys.modules:  # close Airflow's pool before its database goes away
        try:
            sys.modules["airflow.settings"].dispose_orm()
        except Exception:  # noqa: BLE001 - nothing to close
            pass
    try:
        for name in _created + [_META_DB]:
            warehouse.drop_database(name)
    except Exception:  # the server may already be gone; nothing to clean then
        pass
