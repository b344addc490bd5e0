"""The tasks around a Spark period job: validate the period, export its sources,
(spark-submit runs the job), verify the output with Soda. Used by dags/spark_*.py.

    resolve_period -> export_sources -> spark_job -> verify_output
"""
from __future__ import annotations

import logging

from airflow.sdk import get_current_context, task

from include.dagkit import fail_fast_on_bad_input
from include.spark import jobs

log = logging.getLogger(__name__)

# Jinja for the spark-submit arguments: values from the validated run, never raw params.
PERIOD = "{{ ti.xcom_pull(task_ids='resolve_period')['period'] }}"
OUTPUT = "{{ ti.xcom_pull(task_ids='resolve_period')['output'] }}"


def source_path(table: str) -> str:
    return "{{ ti.xcom_pull(task_ids='export_sources')['paths']['" + table + "'] }}"


@task(retries=0)
@fail_fast_on_bad_input
def resolve_period(job_name: str) -> dict:
    """The run's period (param, else logical date), validated before Spark starts; and its folders."""
    job = jobs.get(job_name)
    ctx = get_current_context()
    period = job.periods.resolve(ctx["params"].get("period"), ctx["dag_run"].logical_date)
    run = {"period": period.key, "input": str(jobs.input_dir(job)), "output": str(jobs.output_dir(job))}
    log.info("%s: period %s, output %s", job.name, period.key, run["output"])
    return run


@task
@fail_fast_on_bad_input
def export_sources(job_name: str) -> dict:
    """raw.<source> -> Parquet for the job (the same rows the Postgres twin reads)."""
    from include.spark.export import export_sources as export
    from include.warehouse import task_connect

    job = jobs.get(job_name)
    with task_connect() as conn:
        result = export(conn, job.sources, jobs.input_dir(job))
    log.info("%s: exported %s in %.1f s", job.name, result["rows"], result["seconds"])
    return result


@task
@fail_fast_on_bad_input
def verify_output(job_name: str, run: dict) -> dict:
    """Soda v4 contracts on the period's Spark output (a local session reads the Parquet)."""
    from pyspark import SparkContext

    from include.spark import quality
    from include.spark.session import get_session

    job = jobs.get(job_name)
    period = job.periods.parse(run["period"])
    # Reuse a running session (tests, one process for several runs); stop only one we started.
    started_here = SparkContext._active_spark_context is None
    # local: checking a period's Parquet is cheaper in-process than a round trip to a cluster
    spark = get_session(f"{job.name}-verify", master="local[2]" if started_here else None)
    try:
        return quality.verify_output(spark, job, period, run["output"])
    finally:
        if started_here:
            spark.stop()
