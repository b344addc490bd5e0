"""Triggering and backfilling through the REST API, on the real scheduler, with the real DAGs.

* a manual run (``POST /api/v2/dags/{id}/dagRuns`` with a logical date and conf period) succeeds;
* a backfill of the first 10 days of the generated month on the cumulative ``web_activity`` DAG
  (``POST /api/v2/backfills``, ``max_active_runs: 1``) runs the days strictly in order, publishes
  exactly what a direct full rebuild publishes, and re-creating it with reprocess ``completed``
  re-runs every day and changes nothing.
"""
from __future__ import annotations

import datetime as dt
import time

import psycopg
import pytest

from include import loads, pipelines, warehouse
from include.sources.generate import generate_missing
from include.web_activity_range import rebuild_range
from tests.harness.airflow_stack import AirflowStack

pytestmark = pytest.mark.e2e

DAYS = [dt.date(2023, 1, d) for d in range(1, 11)]
WEB_TABLES = {  # table -> (key order, slice of the backfilled range)
    "user_devices_cumulated": ("user_id, browser_type, date", "date BETWEEN %(first)s AND %(last)s"),
    "hosts_cumulated": ("host, date", "date BETWEEN %(first)s AND %(last)s"),
    "host_activity_reduced": ("month, host", "month = date_trunc('month', %(first)s::date)::date"),
}


def _load_sources(url: str) -> dict:
    """Raw sources from the repo's generator (deterministic: same seed, same rows)."""
    with warehouse.connect(url, autocommit=True) as conn:
        warehouse.ensure_schemas(conn)
        return generate_missing(conn, have=set(), seed=42, scale=0.5)


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory):
    from tests.conftest import _new_database

    url = _new_database()
    _load_sources(url)
    return url


@pytest.fixture(scope="module")
def stack(warehouse_url):
    from include.settings import DAGS_DIR

    s = AirflowStack(DAGS_DIR, extra_env={
        "AIRFLOW_CONN_WAREHOUSE": warehouse.airflow_conn_json(warehouse_url),
    })
    s.start(timeout=150)
    try:
        yield s
    finally:
        s.stop()


def _runs(api, dag_id: str) -> list[dict]:
    r = api.get(f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 100, "order_by": "logical_date"})
    r.raise_for_status()
    return r.json()["dag_runs"]


def _wait_idle(api, dag_id: str, timeout: float = 120) -> None:
    """Let runs the scheduler made on its own (the latest interval, on unpause) finish first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(r["state"] in ("success", "failed") for r in _runs(api, dag_id)):
            return
        time.sleep(0.5)
    raise AssertionError(f"{dag_id} still has active runs: {_runs(api, dag_id)}")


def _snapshot(url: str) -> dict[str, list[tuple]]:
    params = {"first": DAYS[0], "last": DAYS[-1]}
    with warehouse.connect(url) as conn:
        return {t: conn.execute(f"SELECT * FROM analytics.{t} WHERE {where} ORDER BY {order}", params).fetchall()
                for t, (order, where) in WEB_TABLES.items()}


def _parse(ts: str) -> dt.datetime:
    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))


def test_trigger_a_run_through_the_rest_api(stack, warehouse_url):
    stack.wait_for_dag("players")
    with stack.client() as api:
        _wait_idle(api, "players")
        r = api.post("/api/v2/dags/players/dagRuns",
                     json={"logical_date": "1996-01-01T00:00:00Z", "conf": {"period": "1996"}})
        assert r.status_code == 200, r.text
        run = r.json()
        assert run["conf"] == {"period": "1996"} and run["run_type"] == "manual"
    done = stack.wait_for_run("players", run["dag_run_id"], timeout=150)
    assert done["state"] == "success", stack.log_tail("scheduler")
    with warehouse.connect(warehouse_url) as conn:
        rows = conn.execute("SELECT count(*) FROM analytics.players WHERE current_season = 1996").fetchone()[0]
    assert rows > 0


def _create_backfill(api, reprocess: str, timeout: float = 90) -> dict:
    """POST a backfill; a 409 while the previous one is not yet marked completed (its
    ``completed_at`` lags its last run by up to ~30 s) is retried until ``timeout``."""
    body = {
        "dag_id": "web_activity",
        "from_date": f"{DAYS[0]}T00:00:00Z",
        "to_date": f"{DAYS[-1]}T00:00:00Z",
        "run_backwards": False,
        "dag_run_conf": {},
        "reprocess_behavior": reprocess,
        "max_active_runs": 1,
    }
    deadline = time.monotonic() + timeout
    while True:
        r = api.post("/api/v2/backfills", json=body)
        if r.status_code == 409 and "already a running backfill" in r.text and time.monotonic() < deadline:
            time.sleep(1)
            continue
        assert r.status_code == 200, r.text
        return r.json()


def _wait_backfill_runs(api, backfill_id, since: dt.datetime, timeout: float = 240) -> list[dict]:
    """All 10 runs of the backfill finished (ended after ``since``); completed_at lags, so poll runs."""
    deadline, runs = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        runs = [r for r in _runs(api, "web_activity") if r["logical_date"] and
                DAYS[0] <= _parse(r["logical_date"]).date() <= DAYS[-1]]
        failed = [r for r in runs if r["state"] == "failed"]
        assert not failed, f"backfill runs failed: {[r['dag_run_id'] for r in failed]}"
        if len(runs) == len(DAYS) and all(r["state"] == "success" and r["end_date"] and
                                          _parse(r["end_date"]) > since for r in runs):
            return runs
        time.sleep(0.5)
    raise AssertionError(f"backfill {backfill_id} not done after {timeout}s: "
                         f"{[(r['logical_date'], r['state']) for r in runs]}")


def test_backfill_ten_days_in_order_equals_full_rebuild_and_reprocess_changes_nothing(stack, warehouse_url):
    stack.wait_for_dag("web_activity")  # also unpauses: a backfill on a paused DAG never starts
    with stack.client() as api:
        _wait_idle(api, "web_activity")
        t0 = dt.datetime.now(dt.timezone.utc)
        started = time.monotonic()
        bf = _create_backfill(api, "failed")
        assert bf["max_active_runs"] == 1
        runs = _wait_backfill_runs(api, bf["id"], t0)
        seconds = time.monotonic() - started
        print(f"\nBACKFILL web_activity {DAYS[0]}..{DAYS[-1]} (10 days) through the scheduler: {seconds:.1f} s")

        # strictly in order: each day started after the previous day ended
        runs.sort(key=lambda r: r["logical_date"])
        assert [_parse(r["logical_date"]).date() for r in runs] == DAYS
        assert all(r["run_type"] == "backfill" for r in runs)
        for prev, nxt in zip(runs, runs[1:]):
            assert _parse(nxt["start_date"]) >= _parse(prev["end_date"]), (prev, nxt)

        published = _snapshot(warehouse_url)
        assert all(published.values()), {t: len(v) for t, v in published.items()}

        # a direct full rebuild of the same range on a second, fresh warehouse
        from tests.conftest import _new_database

        ref = _new_database()
        _load_sources(ref)
        with warehouse.connect(ref, autocommit=True) as conn:
            loads.ensure_schema(conn, pipelines.get("web_activity"))
            rebuild_range(conn, DAYS[0], DAYS[-1])
        assert published == _snapshot(ref)

        # the same backfill again, reprocessing completed days: every day re-runs, nothing changes
        t1 = dt.datetime.now(dt.timezone.utc)
        again = _create_backfill(api, "completed")
        assert again["id"] != bf["id"]
        rerun = _wait_backfill_runs(api, again["id"], t1)
        assert sorted(r["dag_run_id"] for r in rerun) == sorted(r["dag_run_id"] for r in runs)
        tis = api.get("/api/v2/dags/web_activity/dagRuns/~/taskInstances",
                      params={"task_id": "publish", "limit": 100}).json()["task_instances"]
        in_range = [ti for ti in tis if ti["dag_run_id"] in {r["dag_run_id"] for r in runs}]
        assert len(in_range) == len(DAYS) and all(ti["try_number"] >= 2 for ti in in_range)
        assert _snapshot(warehouse_url) == published
