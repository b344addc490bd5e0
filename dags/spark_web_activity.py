"""Web activity on Spark: user_devices_cumulated, hosts_cumulated, host_activity_reduced for one day.

Exports raw.events and raw.devices to Parquet, spark-submits include/spark/web_activity.py
(the Spark SQL twin of the web_activity loads), then verifies the day's output Parquet
with the Spark contracts in include/spark/contracts/spark_web_activity (Soda v4, soda-sparkdf).
Output: ``<SPARK_DATA_DIR>/output/spark_web_activity/<table>/`` partitioned by date (month).
Connection ``spark_default``: local[*] by default, the compose Spark master when configured.
Manual only (no schedule): trigger with conf ``{"period": "2023-01-03"}``.
"""
import pendulum
from airflow.sdk import dag

from include.spark import jobs
from include.spark.dag_args import period_params, spark_dag_args, spark_submit
from include.spark.tasks import OUTPUT, PERIOD, export_sources, resolve_period, source_path, verify_output

JOB = jobs.SPARK_WEB_ACTIVITY


@dag(**spark_dag_args(JOB.name, schedule=None, start=pendulum.datetime(2023, 1, 1, tz="UTC"), doc=__doc__,
                      params=period_params(JOB.periods)))
def spark_web_activity():
    run = resolve_period(JOB.name)
    exported = export_sources(JOB.name)
    computed = spark_submit("spark_job", JOB.application, [
        "--events", source_path("events"), "--devices", source_path("devices"),
        "--date", PERIOD, "--output", OUTPUT,
    ])
    verified = verify_output(JOB.name, run)
    run >> exported >> computed >> verified


spark_web_activity()
