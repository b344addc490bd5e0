"""Where things live. Every path and environment default is decided here, once."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Everything a run leaves on disk (warehouse data, Airflow metadata, alert log)
# lives under one git-ignored folder, never in ~/airflow.
STATE_DIR = Path(os.environ.get("PIPELINE_STATE_DIR", PROJECT_ROOT / ".state"))
SQL_DIR = PROJECT_ROOT / "include" / "sql"
DAGS_DIR = PROJECT_ROOT / "dags"
PLUGINS_DIR = PROJECT_ROOT / "plugins"
RUNBOOKS_DIR = PROJECT_ROOT / "runbooks"
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "bootcamp"

WAREHOUSE_CONN_ID = "warehouse"
LOCAL_SPARK_CONN = '{"conn_type":"spark","host":"local[*]"}'  # JSON form: the URI form of local[...] becomes yarn


def airflow_env(airflow_home: Path, metadata_url: str | None = None) -> dict[str, str]:
    """Environment for any Airflow process of this project (CLI, tests, UI)."""
    env = {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
        "SODA_CORE_TELEMETRY_ENABLED": "false",
        # Spark DAGs submit to spark_default: local mode unless a master is configured
        # (the compose stack sets spark://spark-master:7077). Without it the provider falls back to yarn.
        "AIRFLOW_CONN_SPARK_DEFAULT": os.environ.get("AIRFLOW_CONN_SPARK_DEFAULT") or LOCAL_SPARK_CONN,
        "PYTHONPATH": os.pathsep.join(
            p for p in [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")] if p
        ),
    }
    if metadata_url:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata_url
    return env


def url_fingerprint(url: str) -> str:
    """What "migrated for this metadata DB" stamps store: a hash, never the URL (it holds a password)."""
    import hashlib

    return hashlib.sha256(url.encode()).hexdigest()
