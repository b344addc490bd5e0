"""Soda v4 on Spark output (soda-sparkdf): real job output passes, crafted bad Parquet fails by name."""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from include.periods import Period
from include.quality import QualityGateFailed
from include.spark import jobs
from include.spark import quality as spark_quality
from tests.spark.test_parity import DAYS, actor_films, web_events


def _web_frames(spark):
    from include.spark import web_activity as wa

    events, devices = web_events()
    ev = spark.createDataFrame([(u, r, None if a is None else Decimal(a), None if d is None else Decimal(d), h, t)
                                for u, r, a, d, h, t in events], wa.EVENTS_SCHEMA)
    dv = spark.createDataFrame([(Decimal(d), b, None, None, None) for d, b in devices], wa.DEVICES_SCHEMA)
    return ev, dv


def test_every_job_table_has_a_contract():
    for job in jobs.JOBS.values():
        for table in job.tables:
            assert job.contract(table).exists(), job.contract(table)


def test_web_activity_output_passes(spark, tmp_path):
    from include.spark import web_activity as wa

    ev, dv = _web_frames(spark)
    for day in DAYS[:2]:  # two partitions: the filter must keep to the verified day
        wa.load_day(spark, ev, dv, day, tmp_path)
    started = time.monotonic()
    summary = spark_quality.verify_output(spark, jobs.SPARK_WEB_ACTIVITY, Period("day", DAYS[1]), tmp_path)
    print(f"soda-sparkdf verify of 3 tables: {time.monotonic() - started:.1f}s")
    assert summary["failed"] == 0 and summary["passed"] == sum(summary["checks"].values())
    assert set(summary["checks"]) == set(jobs.SPARK_WEB_ACTIVITY.tables)


def test_actors_output_passes(spark, tmp_path):
    from include.spark import actors_scd

    films = spark.createDataFrame(actor_films(), "actor STRING, actorid STRING, film STRING, year INT, votes INT, "
                                                "rating FLOAT, filmid STRING")
    actors_scd.load_year(spark, films, 1974, tmp_path)
    summary = spark_quality.verify_output(spark, jobs.SPARK_ACTORS_SCD, Period("year", 1974), tmp_path)
    assert summary["failed"] == 0 and summary["passed"] > 10


def test_bad_web_output_fails_and_names_the_checks(spark, tmp_path):
    """Crafted bad Parquet: a duplicated key, a negative datelist_int, an unsorted datelist."""
    from include.spark import web_activity as wa

    ev, dv = _web_frames(spark)
    day = DAYS[1]
    wa.load_day(spark, ev, dv, day, tmp_path)  # valid hosts tables, then a broken user_devices_cumulated
    good = dt.date(2023, 1, 30)
    bad = spark.createDataFrame(
        [(Decimal(1), "chrome", [good, day], 3, day),
         (Decimal(1), "chrome", [good, day], 3, day),  # duplicate (user_id, browser_type, date)
         (Decimal(2), "firefox", [day, good], -1, day)],  # unsorted datelist, negative bits
        "user_id decimal(38,0), browser_type string, device_activity_datelist array<date>, "
        "datelist_int bigint, date date")
    wa.write_partition(bad, tmp_path / "user_devices_cumulated", "date")

    with pytest.raises(QualityGateFailed) as err:
        spark_quality.verify_output(spark, jobs.SPARK_WEB_ACTIVITY, Period("day", day), tmp_path)
    failed = {(f["table"], f["check"]) for f in err.value.failures}
    assert ("user_devices_cumulated", "key (user_id, browser_type, date) unique") in failed
    assert ("user_devices_cumulated", "datelist_int: datelist_int in [0, 2^32)") in failed
    assert ("user_devices_cumulated", "datelist non-empty, sorted, unique, no NULL, none after date") in failed
    assert all(t == "user_devices_cumulated" for t, _ in failed), failed  # the other tables still pass
    message = str(err.value)
    assert "spark_web_activity period 2023-01-31" in message and "datelist_int in [0, 2^32)" in message


def test_wrong_schema_fails_the_schema_check(spark, tmp_path):
    from include.spark import actors_scd

    films = spark.createDataFrame(actor_films(), "actor STRING, actorid STRING, film STRING, year INT, votes INT, "
                                                "rating FLOAT, filmid STRING")
    actors_scd.load_year(spark, films, 1974, tmp_path)
    # actors_history_scd with end_date as text and its last run ending before the year
    bad = spark.createDataFrame([("nm0", "good", True, 1970, "1972", 1974)],
                                "actorid string, quality_class string, is_active boolean, start_date int, "
                                "end_date string, current_year int")
    bad.write.mode("overwrite").partitionBy("current_year").parquet(str(tmp_path / "actors_history_scd"))
    with pytest.raises(QualityGateFailed) as err:
        spark_quality.verify_output(spark, jobs.SPARK_ACTORS_SCD, Period("year", 1974), tmp_path)
    by_check = {f["check"]: f for f in err.value.failures if f["table"] == "actors_history_scd"}
    assert "schema" in by_check, by_check
    assert any("end_date" in m for m in by_check["schema"]["diagnostics"]["type_mismatches"])
