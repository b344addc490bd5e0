"""The notifier: every field an on-call engineer needs, for every failure kind."""
from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import json
import threading
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowFailException

from include import alerts, oncall, ownership
from include.loads import LoadError, MissingPreviousPeriod, SourceCheckFailed
from include.periods import PeriodError


@pytest.fixture
def alerts_log(tmp_path, monkeypatch):
    path = tmp_path / "alerts.jsonl"
    monkeypatch.setenv("ALERTS_LOG", str(path))
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("SMTP_HOST", raising=False)
    return path


def _raised(inner: BaseException) -> BaseException:
    """An exception as dagkit raises it: AirflowFailException from the data error."""
    try:
        try:
            raise inner
        except Exception as err:
            raise AirflowFailException(str(err)) from err
    except AirflowFailException as outer:
        return outer


def task_context(exc, *, task_id="check_sources", period="1997", try_number=1, max_tries=0, dag_id="players"):
    run_id = "manual__2026-12-03T03:00:00+00:00"
    ti = SimpleNamespace(dag_id=dag_id, task_id=task_id, run_id=run_id, try_number=try_number, max_tries=max_tries,
                         map_index=-1,
                         log_url=f"http://localhost:8080/dags/{dag_id}/runs/{run_id}/tasks/{task_id}?try_number={try_number}")
    dag_run = SimpleNamespace(dag_id=dag_id, run_id=run_id, logical_date=None,
                              run_after=dt.datetime(2026, 12, 3, 3, tzinfo=dt.timezone.utc),
                              conf={"period": period} if period else {})
    return {"ti": ti, "task_instance": ti, "dag_run": dag_run, "params": {"period": period, "method": "incremental"},
            "exception": exc, "task": SimpleNamespace(retries=max_tries)}


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def assert_common_fields(a, *, kind, pipeline="players"):
    own = ownership.owners(pipeline)
    assert a["kind"] == kind
    assert a["pipeline"] == pipeline
    assert a["owners"]["primary"] == own.primary and a["owners"]["secondary"] == own.secondary
    assert a["owners"]["primary"] != a["owners"]["secondary"]
    now = oncall.on_call()
    assert a["on_call"]["primary"] == now["primary"] and a["on_call"]["secondary"] == now["secondary"]
    assert a["runbook"]["section"] == f"alert-{kind}"
    assert a["runbook"]["path"] == f"runbooks/{pipeline}.md#alert-{kind}"
    assert a["runbook"]["url"].endswith(f"/pipeline-ops/runbooks/{pipeline}#alert-{kind}")
    assert a["log_url"].startswith("http")
    assert a["error"] and "\n" not in a["error"]
    assert a["delivery"] == {"slack": "not configured", "email": "not configured"}


def test_source_check_failure_alert_has_every_field(alerts_log, capsys):
    failures = {"duplicate_keys": [{"player_name": "A.C. Green", "season": 1997, "n": 2}]}
    exc = _raised(SourceCheckFailed("raw.player_seasons has duplicate (player_name, season) keys: 1 key\n"
                                    "  A.C. Green 1997 (2 rows)", failures))
    alerts.PipelineAlertNotifier(pipeline="players").notify(task_context(exc, try_number=1, max_tries=0))
    [a] = read(alerts_log)
    assert_common_fields(a, kind="source_check_failed")
    assert (a["dag_id"], a["task_id"], a["period"], a["try_number"]) == ("players", "check_sources", "1997", 1)
    assert a["error"] == "raw.player_seasons has duplicate (player_name, season) keys: 1 key"
    assert a["failed_checks"] == failures
    assert a["log_url"].endswith("/tasks/check_sources?try_number=1")
    assert a["commands"]["rerun"] == """airflow dags trigger players --conf '{"period":"1997"}'"""
    assert a["commands"]["backfill"] == ("airflow backfill create --dag-id players --from-date 1997-01-01 "
                                         "--to-date 1997-12-31 --max-active-runs 1 --reprocess-behavior failed")
    out = capsys.readouterr()
    assert "PIPELINE ALERT" in out.out and "Failed checks: duplicate_keys" in out.err


def test_quality_gate_failure_lists_failing_checks(alerts_log):
    class QualityGateFailed(LoadError):
        def __init__(self, message, failures):
            super().__init__(message)
            self.failures = failures

    failures = [{"table": "players", "check": "scoring_class valid values", "diagnostic": {"failed_rows": 3}}]
    exc = _raised(QualityGateFailed("quality gate failed for players 1998: 1 check", failures))
    alerts.PipelineAlertNotifier(pipeline="players").notify(
        task_context(exc, task_id="audit", period="1998", try_number=3, max_tries=2))
    [a] = read(alerts_log)
    assert_common_fields(a, kind="quality_gate_failed")
    assert a["failed_checks"] == failures
    assert a["try_number"] == 3 and a["gave_up_after_retries"] is True


def test_missing_previous_period_backfills_from_the_gap(alerts_log):
    exc = _raised(MissingPreviousPeriod("analytics.actors has no snapshot for 1979 but has older ones: load 1979 first"))
    alerts.PipelineAlertNotifier(pipeline="actors").notify(task_context(exc, task_id="stage", period="1980", dag_id="actors"))
    [a] = read(alerts_log)
    assert_common_fields(a, kind="missing_previous_period", pipeline="actors")
    assert a["period"] == "1980"
    assert "--from-date 1979-01-01 --to-date 1980-12-31" in a["commands"]["backfill"]


@pytest.mark.parametrize("exc,kind", [
    (_raised(PeriodError("'19x7' is not a valid period: use YYYY")), "bad_params"),
    (_raised(LoadError("missing SQL step include/sql/players/schema.sql")), "load_error"),
    (ConnectionRefusedError("connection refused"), "warehouse_unavailable"),
    (RuntimeError("boom\nsecond line"), "task_failed"),
])
def test_kinds(alerts_log, exc, kind):
    alerts.PipelineAlertNotifier(pipeline="players").notify(task_context(exc, period="19x7" if kind == "bad_params" else "1997"))
    [a] = read(alerts_log)
    assert_common_fields(a, kind=kind)
    assert a["kind"] in alerts.KINDS


def test_deadline_alert(alerts_log):
    context = {"dag_run": {"dag_id": "players", "dag_run_id": "manual__x", "logical_date": None,
                           "queued_at": "2026-12-03T03:00:00Z", "state": "running", "conf": {"period": "2001"}},
               "deadline": {"id": "d1", "deadline_time": "2026-12-03T05:00:00+00:00"}}
    notifier = alerts.PipelineAlertNotifier(pipeline="players", sla="within 2 hours", interval_seconds=7200,
                                            context=context)
    asyncio.run(_await(notifier))
    [a] = read(alerts_log)
    assert_common_fields(a, kind="deadline_missed")
    assert a["period"] == "2001" and a["run_id"] == "manual__x" and a["task_id"] is None
    assert a["deadline"]["time"] == "2026-12-03T05:00:00+00:00"
    assert a["log_url"].endswith("/dags/players/runs/manual__x")
    assert "2001" in a["commands"]["rerun"]


async def _await(n):
    await n


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        _Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


def test_slack_posted_when_configured(alerts_log, monkeypatch):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.handle_request, daemon=True).start()
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
    alerts.PipelineAlertNotifier(pipeline="players").notify(task_context(RuntimeError("boom")))
    server.server_close()
    [a] = read(alerts_log)
    assert a["delivery"]["slack"] == "sent"
    text = _Hook.received[-1]["text"]
    assert "[task_failed] players.check_sources period 1997" in text and "Runbook: http" in text


def test_failing_delivery_never_hides_the_failure(alerts_log, monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "http://127.0.0.1:9/unreachable")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", "9")
    alerts.PipelineAlertNotifier(pipeline="players").notify(task_context(RuntimeError("the real failure")))
    [a] = read(alerts_log)
    assert a["error"] == "the real failure"
    assert a["delivery"]["slack"].startswith("failed") and a["delivery"]["email"].startswith("failed")


def test_alert_still_written_when_building_breaks(alerts_log, monkeypatch):
    monkeypatch.setattr(alerts, "build_alert", lambda **k: 1 / 0)
    alerts.PipelineAlertNotifier(pipeline="players").notify(task_context(RuntimeError("original")))
    [a] = read(alerts_log)
    assert a["error"] == "original" and "alert_error" in a


def test_command_line_runs_say_where_the_log_is_instead_of_a_dead_ui_link(alerts_log, monkeypatch, capsys):
    # make run / make demo runs live in a metadata DB no UI serves: a UI link would be dead
    hint = "printed by the command that ran it (make run / make demo)"
    monkeypatch.setenv(alerts.LOCAL_RUN_LOG_ENV, hint)
    alerts.PipelineAlertNotifier(pipeline="players").notify(task_context(RuntimeError("boom")))
    (a,) = read(alerts_log)
    assert a["log_url"] is None and a["log"] == hint and a["will_retry"] is False
    assert a["commands"]["rerun_here"] == "make run PIPELINE=players FROM=1997"
    text = alerts.format_text(a)
    assert f"Log: {hint}" in text and "Runbook: runbooks/players.md#alert-task_failed" in text
