"""Manual runs through Airflow: bad params fail in resolve_period, before any SQL runs."""
from __future__ import annotations

import pendulum
import pytest

from include.settings import DAGS_DIR


@pytest.fixture(scope="module")
def players_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR)).dags["players"]


def _states(dr):
    return {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}


@pytest.mark.parametrize("conf", [{"period": "abc"}, {"period": "1800"}, {"period": "1997", "method": "fast"}])
def test_bad_params_fail_before_sql(players_dag, airflow_warehouse, db, conf):
    try:
        dr = players_dag.test(logical_date=None, run_conf=conf)
    except Exception as err:  # Airflow's own param validation may refuse the run outright
        assert "method" in str(err) or "period" in str(err)
        return
    states = _states(dr)
    assert str(dr.state) == "failed"
    assert states["resolve_period"] == "failed"
    assert states["prepare_schema"] == "upstream_failed"
    # nothing ran against the warehouse: not even the analytics tables were created
    assert db.execute("SELECT to_regclass('analytics.players')").fetchone()[0] is None


def test_manual_run_without_period_or_logical_date_fails_clearly(players_dag, airflow_warehouse, db):
    dr = players_dag.test(logical_date=None, run_conf={})
    assert str(dr.state) == "failed"
    assert _states(dr)["resolve_period"] == "failed"
    assert db.execute("SELECT to_regclass('analytics.players')").fetchone()[0] is None
