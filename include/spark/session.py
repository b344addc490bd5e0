"""One way to get a SparkSession, sized for the project's 2-core machines.

Settings that matter for correctness are always set (UTC session time zone, dynamic
partition overwrite); sizing knobs have defaults the caller may override.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

DEFAULT_MASTER = os.environ.get("SPARK_MASTER", "local[2]")

# Correctness settings: never overridden by callers.
FIXED_CONF = {
    # event_time is UTC without a zone: its date must not depend on the machine's zone.
    "spark.sql.session.timeZone": "UTC",
    # A run replaces only its own period's partition.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
}

DEFAULT_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.sql.adaptive.enabled": "true",
    "spark.driver.memory": "1g",
    "spark.sql.ansi.enabled": "true",
}


def quiet_py4j() -> None:
    for name in ("py4j", "py4j.clientserver", "py4j.java_gateway"):
        logging.getLogger(name).setLevel(logging.WARNING)


def get_session(app_name: str = "pipeline-ops", *, warehouse_dir: str | Path | None = None,
                master: str | None = None, conf: dict[str, str] | None = None):
    """A (possibly shared) SparkSession with the project's settings applied.

    ``warehouse_dir``: where ``saveAsTable`` writes (the bucketed Halo tables); only
    effective for the first session of a JVM (Spark fixes it at startup).
    """
    from pyspark.sql import SparkSession

    quiet_py4j()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    # Under spark-submit the JVM already exists (PYSPARK_GATEWAY_PORT) with its --master.
    if master or not os.environ.get("PYSPARK_GATEWAY_PORT"):
        builder = builder.master(master or DEFAULT_MASTER)
    settings = {**DEFAULT_CONF, **(conf or {}), **FIXED_CONF}
    if warehouse_dir is not None:
        settings["spark.sql.warehouse.dir"] = str(Path(warehouse_dir).resolve())
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in FIXED_CONF.items():  # a reused session gets them too
        spark.conf.set(key, value)
    spark.sparkContext.setLogLevel("WARN")
    return spark

