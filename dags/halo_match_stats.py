"""Halo match stats: one spark-submit of include/spark/halo_match_stats.py.

Reads the bootcamp Halo CSVs, writes matches / match_details / medals_matches_players
bucketed on match_id (16 buckets) and joins them bucket-to-bucket, broadcasts medals and
maps, and prints the four answers (top killer with >= 10 games, most played playlist,
most played map, map with the most Killing Spree medals) plus the sortWithinPartitions
size comparison. Connection ``spark_default`` (local: ``{"conn_type":"spark","host":"local[2]"}``).
"""
import sys

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import dag

from include.settings import PROJECT_ROOT, STATE_DIR
from include.spark.dag_args import spark_dag_args

APPLICATION = str(PROJECT_ROOT / "include" / "spark" / "halo_match_stats.py")


@dag(**spark_dag_args("halo_match_stats", schedule=None, start=pendulum.datetime(2026, 1, 1, tz="UTC"), doc=__doc__))
def halo_match_stats():
    SparkSubmitOperator(
        task_id="halo_match_stats",
        conn_id="spark_default",
        application=APPLICATION,
        name="halo_match_stats",
        application_args=["--warehouse", str(STATE_DIR / "spark" / "halo-warehouse"), "--no-sort-sizes"],
        conf={
            "spark.pyspark.python": sys.executable,
            "spark.pyspark.driver.python": sys.executable,
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "4",
        },
        env_vars={"PYTHONPATH": str(PROJECT_ROOT)},
    )


halo_match_stats()
