"""The Spark period DAGs (spark_web_activity, spark_actors_scd): structure, metadata, the period
check before Spark, and one real dag.test run each (export -> spark-submit -> Soda on Spark)."""
from __future__ import annotations

import os
import sys
import time

import pyarrow.parquet as pq
import pytest

from include import alerts, deadlines, ownership
from include.settings import SQL_DIR
from include.spark import jobs
from tests.spark.test_parity import actor_films, web_events

SPARK_DAGS = ["spark_web_activity", "spark_actors_scd", "halo_match_stats"]
LOCAL_SPARK = '{"conn_type":"spark","host":"local[2]"}'


@pytest.fixture(scope="module")
def bag():
    from airflow.dag_processing.dagbag import DagBag

    from include.settings import DAGS_DIR

    dagbag = DagBag(dag_folder=str(DAGS_DIR))
    assert not dagbag.import_errors, dagbag.import_errors
    return dagbag


@pytest.mark.parametrize("name", ["spark_web_activity", "spark_actors_scd"])
def test_structure(bag, name):
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

    dag, job = bag.dags[name], jobs.get(name)
    order = ["resolve_period", "export_sources", "spark_job", "verify_output"]
    assert sorted(t.task_id for t in dag.tasks) == sorted(order)
    for upstream, downstream in zip(order, order[1:]):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    submit = dag.get_task("spark_job")
    assert isinstance(submit, SparkSubmitOperator) and submit._conn_id == "spark_default"
    assert submit.application == str(job.application) and os.path.isabs(submit.application)
    assert submit.conf["spark.pyspark.python"] == sys.executable
    # the job gets the validated period from resolve_period, never the raw param
    assert any("xcom_pull(task_ids='resolve_period')['period']" in a for a in submit.application_args)
    assert not any("params" in a for a in submit.application_args)
    assert dag.get_task("resolve_period").retries == 0
    assert set(dag.params.keys()) == {"period"}
    assert dag.schedule is None or str(dag.timetable.summary) in ("None", "")


@pytest.mark.parametrize("name", SPARK_DAGS)
def test_ownership_notifier_and_deadline(bag, name, monkeypatch):
    from include.spark.dag_args import spark_dag_args

    dag, own = bag.dags[name], ownership.owners(name)
    assert own.tier in dag.tags and own.primary in dag.doc_md
    for t in dag.tasks:
        assert t.owner == own.primary
        cbs = t.on_failure_callback if isinstance(t.on_failure_callback, list) else [t.on_failure_callback]
        assert any(isinstance(cb, alerts.PipelineAlertNotifier) and cb.pipeline == name for cb in cbs)
    monkeypatch.setenv("PIPELINE_OPS_DEADLINES", "on")  # as the dag-processor parses it
    args = spark_dag_args(name, schedule=None, start=dag.start_date)
    assert [d.name for d in args["deadline"]] == [f"{name}-sla"]
    assert args["deadline"][0].interval == ownership.sla_interval(name)
    assert deadlines.deadlines_for(name)


def test_bad_period_fails_before_spark(bag, airflow_warehouse, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", LOCAL_SPARK)
    monkeypatch.setenv("ALERTS_LOG", str(tmp_path / "alerts.jsonl"))
    run = bag.dags["spark_web_activity"].test(run_conf={"period": "2023-1-3"})
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["resolve_period"] == "failed"
    assert states["spark_job"] == "upstream_failed" and states["export_sources"] == "upstream_failed"
    alert = (tmp_path / "alerts.jsonl").read_text().splitlines()[-1]
    assert '"kind": "bad_params"' in alert and "2023-1-3" in alert


def _raw(db_url):
    from include import warehouse

    conn = warehouse.connect(db_url, autocommit=True)
    conn.execute((SQL_DIR / "raw" / "schema.sql").read_text())
    return conn


def _run(dag, period, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", LOCAL_SPARK)
    monkeypatch.setenv("SPARK_DATA_DIR", str(tmp_path))
    started = time.monotonic()
    run = dag.test(run_conf={"period": period})
    print(f"dag.test of {dag.dag_id} {period}: {time.monotonic() - started:.1f}s")
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert str(run.state) == "success", states
    return run


@pytest.mark.skipif(os.environ.get("SKIP_SPARK_DAG_RUN") == "1", reason="SKIP_SPARK_DAG_RUN=1")
def test_web_activity_dag_run(bag, airflow_warehouse, monkeypatch, tmp_path):
    events, devices = web_events()
    with _raw(airflow_warehouse) as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO raw.events VALUES (%s, %s, %s, %s, %s, %s)", events)
        cur.executemany("INSERT INTO raw.devices (device_id, browser_type) VALUES (%s, %s)", devices)
    _run(bag.dags["spark_web_activity"], "2023-01-31", monkeypatch, tmp_path)
    out = tmp_path / "output" / "spark_web_activity"
    udc = pq.read_table(out / "user_devices_cumulated" / "date=2023-01-31")
    assert udc.num_rows > 0 and str(udc.schema.field("user_id").type) == "decimal128(38, 0)"
    assert (out / "hosts_cumulated" / "date=2023-01-31").is_dir()
    assert (out / "host_activity_reduced" / "month=2023-01-01").is_dir()
    assert pq.read_table(tmp_path / "input" / "spark_web_activity" / "events").num_rows == len(events)


@pytest.mark.skipif(os.environ.get("SKIP_SPARK_DAG_RUN") == "1", reason="SKIP_SPARK_DAG_RUN=1")
def test_actors_dag_run(bag, airflow_warehouse, monkeypatch, tmp_path):
    rows = actor_films()
    with _raw(airflow_warehouse) as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO raw.actor_films VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
    _run(bag.dags["spark_actors_scd"], "1974", monkeypatch, tmp_path)
    out = tmp_path / "output" / "spark_actors_scd"
    actors = pq.read_table(out / "actors" / "current_year=1974")
    assert actors.num_rows == len({r[1] for r in rows if r[3] <= 1974})
    assert pq.read_table(out / "actors_history_scd" / "current_year=1974").num_rows >= actors.num_rows
