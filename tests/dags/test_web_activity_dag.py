"""The web_activity DAG run through Airflow (dag.test) against a throwaway warehouse."""
from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from include import warehouse
from include.settings import DAGS_DIR
from include.sources.gen_web import generate

ORDER = {"user_devices_cumulated": "user_id, browser_type, date", "hosts_cumulated": "host, date",
         "host_activity_reduced": "month, host"}
TABLES = tuple(ORDER)


@pytest.fixture
def dag(airflow_warehouse):
    from airflow.dag_processing.dagbag import DagBag

    with warehouse.connect(airflow_warehouse, autocommit=True) as conn:
        generate(conn, seed=11, scale=0.05)
    return DagBag(dag_folder=str(DAGS_DIR)).dags["web_activity"]


def _state(run) -> str:
    return str(getattr(run.state, "value", run.state))


def _published(url):
    with warehouse.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('analytics.hosts_cumulated') IS NOT NULL").fetchone()[0]
        if not exists:
            return None
        return {t: conn.execute(f"SELECT * FROM analytics.{t} ORDER BY {ORDER[t]}").fetchall() for t in TABLES}


def test_three_days_then_range_mode_then_a_manual_run_without_period(dag, airflow_warehouse):
    for day in (1, 2, 3):
        run = dag.test(logical_date=pendulum.datetime(2023, 1, day, tz="UTC"))
        assert _state(run) == "success", day
    with warehouse.connect(airflow_warehouse, autocommit=True) as conn:
        dates = [r[0] for r in conn.execute("SELECT DISTINCT date FROM analytics.user_devices_cumulated ORDER BY 1")]
        assert dates == [dt.date(2023, 1, d) for d in (1, 2, 3)]
        lengths = conn.execute("SELECT DISTINCT cardinality(hit_array) FROM analytics.host_activity_reduced").fetchall()
        assert lengths == [(3,)]
        # Jan 3 hits straight from the sources (distinct events, NULL host rejected)
        expected = dict(conn.execute(
            "SELECT host, count(*) FROM (SELECT DISTINCT url, referrer, user_id, device_id, host, "
            "event_time::timestamp AS ts FROM raw.events) e WHERE host IS NOT NULL AND ts::date = '2023-01-03' "
            "GROUP BY host").fetchall())
        got = dict(conn.execute("SELECT host, hit_array[3] FROM analytics.host_activity_reduced").fetchall())
        assert got == expected and sum(got.values()) > 0
    per_day = _published(airflow_warehouse)

    # range mode through the DAG: same rows as the per-day runs
    with warehouse.connect(airflow_warehouse, autocommit=True) as conn:
        conn.execute("TRUNCATE " + ", ".join(f"analytics.{t}" for t in TABLES))
    run = dag.test(logical_date=pendulum.datetime(2023, 1, 1, tz="UTC"), run_conf={"range_end": "2023-01-03"})
    assert _state(run) == "success"
    assert _published(airflow_warehouse) == per_day

    # manual run without logical date and without period: fails clearly, publishes nothing
    run = dag.test(logical_date=None)
    assert _state(run) == "failed"
    assert _published(airflow_warehouse) == per_day


def test_manual_run_on_an_empty_warehouse_publishes_nothing(dag, airflow_warehouse):
    run = dag.test(logical_date=None)
    assert _state(run) == "failed"
    published = _published(airflow_warehouse)
    assert published is None or all(rows == [] for rows in published.values())
