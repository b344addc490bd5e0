"""What every Spark DAG does the same way: the ownership-derived metadata of
include.dagkit.ops_dag_args (owner, tier tag, retries, docs, the SLA as a Deadline
Alert, the failure notifier on every task), the period param, and the spark-submit
task on the ``spark_default`` connection.

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

from include import dagkit
from include.dagkit import ops_dag_args
from include.periods import PeriodSpec
from include.settings import PROJECT_ROOT

SPARK_CONN_ID = "spark_default"


def spark_dag_args(name: str, *, schedule: str | None, start: dt.datetime, doc: str = "",
                   params: dict[str, Param] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``@dag``/``DAG``: the same ownership-derived metadata as every DAG."""
    return ops_dag_args(name, schedule=schedule, start=start, doc=doc, params=params)


def period_params(spec: PeriodSpec) -> dict[str, Param]:
    """A Spark job recomputes its period from the sources: ``period`` only, no method."""
    return dagkit.period_params(spec, with_method=False)


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
