"""The Spark period jobs that have a DAG: what each reads, writes and accepts.

One name, five places, as for the Postgres pipelines: the DAG ``dags/<name>.py``,
the Spark contracts ``include/spark/contracts/<name>/<table>.contract.yml``, the
runbook ``runbooks/<name>.md`` and the ``<name>`` entry of ``include/ownership.yaml``;
the Spark SQL itself is the job module (``application``).

Where a run's files go (``SPARK_DATA_DIR``, default ``.state/spark``; with a
``spark://`` master it must be storage the Spark workers and Airflow share)::

    <SPARK_DATA_DIR>/input/<job>/<raw table>/      Parquet export of raw.<table> (replaced each run)
    <SPARK_DATA_DIR>/output/<job>/<table>/<partition column>=<value>/   the job's output
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from include.periods import PeriodSpec
from include.settings import PROJECT_ROOT, STATE_DIR

SPARK_DIR = PROJECT_ROOT / "include" / "spark"
CONTRACTS_DIR = SPARK_DIR / "contracts"


@dataclass(frozen=True)
class SparkJob:
    name: str                        # DAG id, ownership entry, runbook, contracts folder
    application: Path                # the spark-submit script
    periods: PeriodSpec              # the periods a run accepts (same as the Postgres twin)
    sources: tuple[str, ...]         # raw tables exported to Parquet before the job runs
    tables: dict[str, str]           # output table -> partition column
    twin: str                        # the Postgres pipeline computing the same rows

    def contract(self, table: str) -> Path:
        return CONTRACTS_DIR / self.name / f"{table}.contract.yml"


def _twin_periods(name: str) -> PeriodSpec:
    from include import pipelines

    return pipelines.get(name).periods


SPARK_WEB_ACTIVITY = SparkJob(
    name="spark_web_activity",
    application=SPARK_DIR / "web_activity.py",
    periods=_twin_periods("web_activity"),
    sources=("events", "devices"),
    tables={"user_devices_cumulated": "date", "hosts_cumulated": "date", "host_activity_reduced": "month"},
    twin="web_activity",
)

SPARK_ACTORS_SCD = SparkJob(
    name="spark_actors_scd",
    application=SPARK_DIR / "actors_scd.py",
    periods=_twin_periods("actors"),
    sources=("actor_films",),
    tables={"actors": "current_year", "actors_history_scd": "current_year"},
    twin="actors",
)

JOBS: dict[str, SparkJob] = {j.name: j for j in (SPARK_WEB_ACTIVITY, SPARK_ACTORS_SCD)}


def get(name: str) -> SparkJob:
    try:
        return JOBS[name]
    except KeyError:
        raise KeyError(f"unknown Spark job {name!r}; known: {', '.join(sorted(JOBS))}") from None


def data_dir() -> Path:
    """Read at call time (not import time) so a task and a test see the same setting."""
    return Path(os.environ.get("SPARK_DATA_DIR") or STATE_DIR / "spark")


def input_dir(job: SparkJob) -> Path:
    return data_dir() / "input" / job.name


def output_dir(job: SparkJob) -> Path:
    return data_dir() / "output" / job.name


def halo_result_path() -> Path:
    """Where the halo_match_stats job writes its answers (read by ``make demo``)."""
    return data_dir() / "halo_match_stats" / "result.json"
