"""Halo match stats: one spark-submit of include/spark/halo_match_stats.py.

Reads the bootcamp Halo CSVs, writes matches / match_details / medals_matches_players
bucketed on match_id (16 buckets) and joins them bucket-to-bucket, broadcasts medals and
maps, and computes the four answers (top killer with >= 10 games, most played playlist,
most played map, map with the most Killing Spree medals), written as JSON to
``<SPARK_DATA_DIR>/halo_match_stats/result.json`` (``make demo`` prints them).
Connection ``spark_default`` (local: ``{"conn_type":"spark","host":"local[2]"}``).
"""
import pendulum
from airflow.sdk import dag

from include.spark import jobs
from include.spark.dag_args import spark_dag_args, spark_submit
from include.spark.jobs import SPARK_DIR


@dag(**spark_dag_args("halo_match_stats", schedule=None, start=pendulum.datetime(2026, 1, 1, tz="UTC"), doc=__doc__))
def halo_match_stats():
    spark_submit("halo_match_stats", SPARK_DIR / "halo_match_stats.py", [
        "--warehouse", str(jobs.data_dir() / "halo_match_stats" / "warehouse"),
        "--output", str(jobs.halo_result_path()),
        "--no-sort-sizes",
    ])


halo_match_stats()
