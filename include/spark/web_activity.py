"""Web activity as Spark SQL jobs: user_devices_cumulated, hosts_cumulated, host_activity_reduced.

Same rows as the PostgreSQL loads (include/sql/web_activity, spec LOADS.md section 3) on
the same input. Each function computes the snapshot of one day straight from the
sources (the "full" method; it equals the incremental one by contract):

* ids stay ``DECIMAL(38,0)`` (values near 1.8e19 exceed BIGINT), never double;
* ``event_time`` is TEXT, UTC without zone: its day is ``CAST(event_time AS
  TIMESTAMP_NTZ)`` cast to date, so the session time zone cannot move it (the
  session is UTC anyway);
* exact duplicate events count once; events with NULL host are rejected (not loaded);
  events with NULL user_id are ignored for user devices but are hits for hosts;
* a device's browser is the smallest non-null browser_type of its rows (binary
  order, = COLLATE "C"); unknown device or no browser -> ``'unknown'``;
* ``datelist_int``: bit ``31 - (date - d)`` for each active day d in [date-31, date].

Output: Parquet partitioned by ``date`` (``month`` for host_activity_reduced), written
with dynamic partition overwrite so a run replaces only its own partition.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

ID = T.DecimalType(38, 0)
EVENTS_SCHEMA = T.StructType([
    T.StructField("url", T.StringType()), T.StructField("referrer", T.StringType()),
    T.StructField("user_id", ID), T.StructField("device_id", ID),
    T.StructField("host", T.StringType()), T.StructField("event_time", T.StringType()),
])
DEVICES_SCHEMA = T.StructType([
    T.StructField("device_id", ID), T.StructField("browser_type", T.StringType()),
    T.StructField("browser_version_major", T.IntegerType()), T.StructField("device_type", T.StringType()),
    T.StructField("os_type", T.StringType()),
])

_EVENTS = """
    SELECT DISTINCT url, referrer, CAST(user_id AS DECIMAL(38,0)) AS user_id,
           CAST(device_id AS DECIMAL(38,0)) AS device_id, host,
           CAST(event_time AS TIMESTAMP_NTZ) AS ts
    FROM {events}
    WHERE host IS NOT NULL AND CAST(event_time AS TIMESTAMP_NTZ) < DATE_ADD(DATE'{date}', 1)
"""

USER_DEVICES_SQL = """
WITH events AS ({events_sql}),
browsers AS (
    SELECT CAST(device_id AS DECIMAL(38,0)) AS device_id, min(browser_type) AS browser_type
    FROM {devices} WHERE browser_type IS NOT NULL GROUP BY 1
), activity AS (
    SELECT DISTINCT e.user_id, COALESCE(b.browser_type, 'unknown') AS browser_type, CAST(e.ts AS DATE) AS day
    FROM events e LEFT JOIN browsers b ON b.device_id = e.device_id
    WHERE e.user_id IS NOT NULL
)
SELECT user_id, browser_type,
       array_sort(collect_list(day)) AS device_activity_datelist,
       CAST(COALESCE(sum(CASE WHEN day >= DATE_SUB(DATE'{date}', 31)
                              THEN shiftleft(CAST(1 AS BIGINT), 31 - datediff(DATE'{date}', day)) END), 0)
            AS BIGINT) AS datelist_int,
       DATE'{date}' AS date
FROM activity
GROUP BY user_id, browser_type
"""

HOSTS_SQL = """
WITH events AS ({events_sql}),
activity AS (SELECT DISTINCT host, CAST(ts AS DATE) AS day FROM events)
SELECT host, array_sort(collect_list(day)) AS host_activity_datelist, DATE'{date}' AS date
FROM activity GROUP BY host
"""

HOST_REDUCED_SQL = """
WITH events AS ({events_sql}),
daily AS (
    SELECT host, day(ts) AS day_no, count(*) AS hits, count(DISTINCT user_id) AS visitors
    FROM events WHERE ts >= DATE'{month}'
    GROUP BY 1, 2
)
SELECT DATE'{month}' AS month, host,
       transform(sequence(1, {dom}), i -> COALESCE(map_from_entries(collect_list(struct(day_no, hits)))[i],
                                                   CAST(0 AS BIGINT))) AS hit_array,
       transform(sequence(1, {dom}), i -> COALESCE(map_from_entries(collect_list(struct(day_no, visitors)))[i],
                                                   CAST(0 AS BIGINT))) AS unique_visitors
FROM daily GROUP BY host
"""


def _as_date(date: dt.date | str) -> dt.date:
    return date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))


def _sql(spark: SparkSession, template: str, date: dt.date, **frames: DataFrame) -> DataFrame:
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    names = {}
    for key, df in frames.items():
        name = f"_wa_{key}_{id(df)}"
        df.createOrReplaceTempView(name)
        names[key] = name
    events_sql = _EVENTS.format(events=names["events"], date=date.isoformat())
    return spark.sql(template.format(events_sql=events_sql, date=date.isoformat(),
                                     month=date.replace(day=1).isoformat(), dom=date.day, **names))


def user_devices_cumulated(spark: SparkSession, events: DataFrame, devices: DataFrame, date) -> DataFrame:
    """Snapshot of ``date``: one row per (user_id, browser_type) active on or before it."""
    return _sql(spark, USER_DEVICES_SQL, _as_date(date), events=events, devices=devices)


def hosts_cumulated(spark: SparkSession, events: DataFrame, date) -> DataFrame:
    return _sql(spark, HOSTS_SQL, _as_date(date), events=events)


def host_activity_reduced(spark: SparkSession, events: DataFrame, date) -> DataFrame:
    """The month's rows after loading ``date``: elements 1..day-of-month(date) from the sources.

    (Postgres keeps elements of later days that were loaded before; a Spark run of the
    month's last loaded day gives the same rows as loading days in order.)"""
    return _sql(spark, HOST_REDUCED_SQL, _as_date(date), events=events)


TABLES = {
    "user_devices_cumulated": "date",
    "hosts_cumulated": "date",
    "host_activity_reduced": "month",
}


def write_partition(df: DataFrame, path: str | Path, partition_column: str) -> None:
    """Replace only the partitions present in ``df`` (dynamic partition overwrite)."""
    spark = df.sparkSession
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    df.write.mode("overwrite").partitionBy(partition_column).parquet(str(path))


def load_day(spark: SparkSession, events: DataFrame, devices: DataFrame, date, output: str | Path) -> dict[str, int]:
    """Compute and write the three tables for ``date`` under ``output/<table>``; rows per table."""
    frames = {
        "user_devices_cumulated": user_devices_cumulated(spark, events, devices, date),
        "hosts_cumulated": hosts_cumulated(spark, events, date),
        "host_activity_reduced": host_activity_reduced(spark, events, date),
    }
    counts = {}
    for name, df in frames.items():
        df = df.cache()
        counts[name] = df.count()
        write_partition(df, Path(output) / name, TABLES[name])
        df.unpersist()
    return counts


def main(argv: list[str] | None = None) -> int:
    from include.spark.session import get_session

    parser = argparse.ArgumentParser(description="Web activity tables for one day (Spark SQL)")
    parser.add_argument("--events", required=True, help="Parquet of raw events")
    parser.add_argument("--devices", required=True, help="Parquet of raw devices")
    parser.add_argument("--date", required=True, help="YYYY-MM-DD")
    parser.add_argument("--output", required=True, help="folder of the partitioned Parquet tables")
    args = parser.parse_args(argv)
    spark = get_session("web-activity")
    counts = load_day(spark, spark.read.parquet(args.events), spark.read.parquet(args.devices), args.date, args.output)
    print(counts)
    spark.stop()
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
