"""Ownership: every DAG has an entry, every entry a DAG; owners on the team; SLAs as Deadline Alerts."""
from __future__ import annotations

import datetime as dt

import pytest

from include import alerts, deadlines, ownership
from include.settings import DAGS_DIR


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_file_is_consistent():
    assert ownership.problems() == []


def test_owners_on_the_team_and_distinct():
    team = ownership.team_members()
    for name in ownership.pipelines():
        o = ownership.owners(name)
        assert o.primary in team and o.secondary in team, name
        assert o.primary != o.secondary, name


def test_every_dag_has_an_entry_and_every_entry_a_dag(dagbag):
    assert dagbag.import_errors == {}
    dags, entries = set(dagbag.dags), set(ownership.pipelines())
    assert dags - entries == set(), f"DAGs without an ownership entry: {dags - entries}"
    assert entries - dags == set(), f"ownership entries without a DAG: {entries - dags}"


def test_dags_draw_metadata_and_alerts_from_the_file(dagbag):
    for dag_id, dag in dagbag.dags.items():
        o = ownership.owners(dag_id)
        assert o.tier in dag.tags and set(o.tags) <= set(dag.tags), dag_id
        assert o.primary in dag.doc_md and o.secondary in dag.doc_md, dag_id
        for t in dag.tasks:
            cbs = t.on_failure_callback if isinstance(t.on_failure_callback, list) else [t.on_failure_callback]
            assert any(isinstance(cb, alerts.PipelineAlertNotifier) and cb.pipeline == dag_id for cb in cbs), \
                (dag_id, t.task_id)


def test_parse_durations():
    assert ownership.parse_duration("2h") == dt.timedelta(hours=2)
    assert ownership.parse_duration("90m") == dt.timedelta(minutes=90)
    with pytest.raises(ValueError):
        ownership.parse_duration("soon")


@pytest.mark.parametrize("name", sorted(ownership.pipelines()))
def test_sla_becomes_a_deadline_alert(name):
    alert = deadlines.deadline_alert(name)
    assert alert is not None
    assert alert.callback.path == "include.alerts.PipelineAlertNotifier"
    assert alert.callback.kwargs["pipeline"] == name
    assert alert.interval >= ownership.sla_interval(name)


def test_deadlines_only_where_a_scheduler_parses(monkeypatch):
    monkeypatch.delenv("PIPELINE_OPS_DEADLINES", raising=False)
    assert deadlines.enabled(["/venv/bin/airflow", "dag-processor"])
    assert deadlines.enabled(["/venv/bin/airflow", "dags", "reserialize"])
    assert not deadlines.enabled(["/venv/bin/airflow", "dags", "test", "players"])
    assert not deadlines.enabled(["/venv/bin/pytest", "tests"])
    monkeypatch.setenv("PIPELINE_OPS_DEADLINES", "on")
    assert deadlines.enabled(["/venv/bin/pytest"]) and deadlines.deadlines_for("players")
    monkeypatch.setenv("PIPELINE_OPS_DEADLINES", "off")
    assert not deadlines.enabled(["/venv/bin/airflow", "dag-processor"]) and deadlines.deadlines_for("players") == []
