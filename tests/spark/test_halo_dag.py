"""The halo_match_stats DAG: structure, metadata, and one real run under dag.test."""
from __future__ import annotations

import json
import os
import sys
import time

import pytest

from include import ownership
from include.spark import jobs


@pytest.fixture(scope="module")
def halo_dag():
    from airflow.dag_processing.dagbag import DagBag

    from include.settings import DAGS_DIR

    bag = DagBag(dag_folder=str(DAGS_DIR / "halo_match_stats.py"))
    assert not bag.import_errors, bag.import_errors
    return bag.dags["halo_match_stats"]


def test_structure_and_metadata(halo_dag):
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

    own = ownership.owners("halo_match_stats")
    assert [t.task_id for t in halo_dag.tasks] == ["halo_match_stats"]
    task = halo_dag.tasks[0]
    assert isinstance(task, SparkSubmitOperator)
    assert task.owner == own.primary and task.retries >= 1
    assert own.tier in halo_dag.tags and halo_dag.doc_md
    assert task._conn_id == "spark_default"
    assert os.path.isabs(task.application) and task.application.endswith("include/spark/halo_match_stats.py")
    assert task.conf["spark.pyspark.python"] == sys.executable


@pytest.mark.skipif(os.environ.get("SKIP_SPARK_DAG_RUN") == "1", reason="SKIP_SPARK_DAG_RUN=1")
def test_dag_test_runs_spark_submit(halo_dag, airflow_db, monkeypatch):
    from airflow.utils.state import DagRunState

    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", '{"conn_type":"spark","host":"local[2]"}')
    started = time.monotonic()
    jobs.halo_result_path().unlink(missing_ok=True)
    run = halo_dag.test()
    print(f"dag.test of halo_match_stats: {time.monotonic() - started:.1f}s")
    assert run.state == DagRunState.SUCCESS
    # the answers make demo prints come from this file
    answers = json.loads(jobs.halo_result_path().read_text())["answers"]
    assert set(answers) == {"top_killer", "top_playlist", "top_map", "top_killing_spree_map"}
    assert answers["top_killer"]["games"] >= answers["top_killer"]["min_games"] == 10
