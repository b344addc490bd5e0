"""What every Spark DAG does the same way: metadata from include/ownership.yaml (as
include.dagkit.dag_args does for the Postgres pipelines: owner, tier tag, retries,
docs, the SLA as a Deadline Alert, the failure notifier on every task), the period
param, and the spark-submit task on the ``spark_default`` connection.

Master: whatever ``spark_default`` says. ``include.settings.airflow_env`` defaults
it to ``local[*]``; the compose stack sets ``spark://spark-master:7077``.

Nothing here touches a database, the network or the file system at import time.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from airflow.sdk import Param

from include import deadlines, ownership
from include.alerts import PipelineAlertNotifier
from include.periods import PeriodSpec
from include.settings import PROJECT_ROOT

DEFAULT_RETRIES = 2
SPARK_CONN_ID = "spark_default"


def spark_dag_args(name: str, *, schedule: str | None, start: dt.datetime, doc: str = "",
                   params: dict[str, Param] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``@dag``/``DAG``: owner, tier tag, retries >= 1, doc_md, deadline, notifier."""
    own = ownership.owners(name)
    doc_md = "\n".join([
        f"# {name}", own.description, "", doc.strip(), "",
        f"**Owners:** {own.primary} (primary), {own.secondary} (secondary) · **Tier:** {own.tier}",
        f"**SLA:** {own.sla.get('statement', 'none')}",
        f"**Runbook:** [{own.runbook}](/pipeline-ops/runbooks/{name})",
    ])
    return dict(
        dag_id=name,
        schedule=schedule,
        start_date=start,
        catchup=False,
        max_active_runs=1,
        tags=[own.tier, *own.tags],
        doc_md=doc_md,
        params=params or {},
        # the SLA from the ownership file as a Deadline Alert (see include/deadlines.py)
        deadline=deadlines.deadlines_for(name),
        default_args={
            "owner": own.primary,
            "retries": DEFAULT_RETRIES,
            "retry_delay": dt.timedelta(minutes=2),
            # Task-level, as in dagkit (a DAG-level notifier breaks `dags test`).
            "on_failure_callback": PipelineAlertNotifier(pipeline=name),
        },
    )


def period_params(spec: PeriodSpec) -> dict[str, Param]:
    unit = "year (YYYY)" if spec.kind == "year" else "day (YYYY-MM-DD)"
    return {
        "period": Param(
            None,
            type=["null", "string"],
            title="Period",
            description=f"The {unit} to compute. Empty: the run's logical date (manual runs have none: "
                        f"give it). Valid: {spec.first} onwards.",
        ),
    }


def submit_conf(**extra: str) -> dict[str, str]:
    """spark-submit --conf for the project's jobs. The executors' Python is this venv's unless
    ``SPARK_PYSPARK_PYTHON`` names the one on the cluster's workers."""
    python = os.environ.get("SPARK_PYSPARK_PYTHON") or sys.executable
    return {
        "spark.pyspark.python": python,
        "spark.pyspark.driver.python": sys.executable,
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "4",
        **extra,
    }


def spark_submit(task_id: str, application: str, application_args: list[str], **kwargs):
    """The one SparkSubmitOperator shape every Spark DAG uses (``spark_default``, project on PYTHONPATH)."""
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

    return SparkSubmitOperator(
        task_id=task_id,
        conn_id=SPARK_CONN_ID,
        application=str(application),
        name=task_id,
        application_args=application_args,
        conf=submit_conf(),
        env_vars={
            "PYTHONPATH": str(PROJECT_ROOT),
            # the venv's spark-submit (pyspark ships it) even when the venv is not activated
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        },
        **kwargs,
    )
