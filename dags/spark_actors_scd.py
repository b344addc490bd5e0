"""Actors on Spark: actors and actors_history_scd (type-2 SCD) for one year.

Exports raw.actor_films to Parquet, spark-submits include/spark/actors_scd.py (the Spark
SQL twin of the actors loads), then verifies the year's output Parquet with the Spark
contracts in include/spark/contracts/spark_actors_scd (Soda v4, soda-sparkdf).
Output: ``<SPARK_DATA_DIR>/output/spark_actors_scd/<table>/`` partitioned by current_year.
Connection ``spark_default``: local[*] by default, the compose Spark master when configured.
Manual only (no schedule): trigger with conf ``{"period": "1974"}``.
"""
import pendulum
from airflow.sdk import dag

from include.spark import jobs
from include.spark.dag_args import period_params, spark_dag_args, spark_submit
from include.spark.tasks import OUTPUT, PERIOD, export_sources, resolve_period, source_path, verify_output

JOB = jobs.SPARK_ACTORS_SCD


@dag(**spark_dag_args(JOB.name, schedule=None, start=pendulum.datetime(2023, 1, 1, tz="UTC"), doc=__doc__,
                      params=period_params(JOB.periods)))
def spark_actors_scd():
    run = resolve_period(JOB.name)
    exported = export_sources(JOB.name)
    computed = spark_submit("spark_job", JOB.application, [
        "--actor-films", source_path("actor_films"), "--year", PERIOD, "--output", OUTPUT,
    ])
    verified = verify_output(JOB.name, run)
    run >> exported >> computed >> verified


spark_actors_scd()
