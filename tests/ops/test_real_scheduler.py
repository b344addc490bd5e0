"""Under the real Airflow components: a missed deadline and a failed task page with every
field, the callback imports in the triggerer, and the plugin answers through the API server."""
from __future__ import annotations

import textwrap
import time

import httpx
import pytest

from include import alerts, oncall, ownership
from tests.harness.airflow_stack import AirflowStack

PROBES = {
    # Built with the same helpers as production DAGs; only the dag_id and the deadline differ.
    "ops_probe_deadline.py": '''
        import datetime as dt, time
        import pendulum
        from airflow.sdk import dag, task
        from include import deadlines
        from include.dagkit import dag_args

        args = dag_args("players", schedule="@yearly", start=pendulum.datetime(1996, 1, 1, tz="UTC"),
                        doc="Test-only: misses a 3 second deadline.")
        # the dag-processor attaches the ownership SLA (auto mode); fail the parse if it did not
        assert args["deadline"], "deadlines not attached under the dag-processor"
        args.update(dag_id="ops_probe_deadline", schedule=None,
                    deadline=[deadlines.deadline_alert("players", within=dt.timedelta(seconds=3))])

        @dag(**args)
        def ops_probe_deadline():
            @task(retries=0)
            def slow_stage():
                time.sleep(12)
            slow_stage()

        ops_probe_deadline()
    ''',
    "ops_probe_failure.py": '''
        import datetime as dt
        import pendulum
        from airflow.sdk import dag, task
        from include.dagkit import fail_fast_on_bad_input, dag_args
        from include.loads import SourceCheckFailed

        args = dag_args("players", schedule="@yearly", start=pendulum.datetime(1996, 1, 1, tz="UTC"),
                        doc="Test-only: a failing source check and a task whose retries give up.")
        args.update(dag_id="ops_probe_failure", schedule=None, deadline=[])
        args["default_args"]["depends_on_past"] = False

        @dag(**args)
        def ops_probe_failure():
            @task(retries=0)
            @fail_fast_on_bad_input
            def check_sources():
                raise SourceCheckFailed(
                    "raw.player_seasons has duplicate (player_name, season) keys: 1 key\\n  A.C. Green 1997",
                    {"duplicate_player_seasons": [{"player_name": "A.C. Green", "season": 1997, "rows": 2}]})

            @task(retries=1, retry_delay=dt.timedelta(seconds=1))
            def flaky_publish():
                raise RuntimeError("connection to analytics lost mid-publish\\ntraceback detail")

            check_sources()
            flaky_publish()

        ops_probe_failure()
    ''',
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    dags = tmp_path_factory.mktemp("probe_dags")
    for name, src in PROBES.items():
        (dags / name).write_text(textwrap.dedent(src))
    t = time.monotonic()
    with AirflowStack(dags) as s:
        print(f"\nstack healthy in {time.monotonic() - t:.1f}s", flush=True)
        yield s


def assert_alert_fields(a: dict, *, kind: str, dag_id: str, base_url: str):
    own = ownership.owners("players")
    assert a["kind"] == kind and a["pipeline"] == "players" and a["dag_id"] == dag_id
    assert a["period"] == "1997"
    assert a["error"] and "\n" not in a["error"]
    assert (a["owners"]["primary"], a["owners"]["secondary"]) == (own.primary, own.secondary)
    now = oncall.on_call()
    assert (a["on_call"]["primary"], a["on_call"]["secondary"]) == (now["primary"], now["secondary"])
    assert a["runbook"]["url"] == f"{base_url}/pipeline-ops/runbooks/players#alert-{kind}"
    assert a["runbook"]["path"] == f"runbooks/players.md#alert-{kind}"
    assert a["log_url"].startswith(f"{base_url}/dags/{dag_id}/runs/")
    assert a["commands"]["rerun"] == f"""airflow dags trigger {dag_id} --conf '{{"period":"1997"}}'"""
    assert a["commands"]["backfill"].startswith(f"airflow backfill create --dag-id {dag_id} --from-date 1997-01-01")


def test_deadline_miss_and_task_failures_page_with_every_field(stack):
    dl = stack.trigger("ops_probe_deadline", conf={"period": "1997"})
    fl = stack.trigger("ops_probe_failure", conf={"period": "1997"})

    deadline_alerts = stack.wait_for_alerts(lambda a: a.get("kind") == "deadline_missed" and a.get("run_id") == dl["dag_run_id"], timeout=60)
    a = deadline_alerts[0]
    assert_alert_fields(a, kind="deadline_missed", dag_id="ops_probe_deadline", base_url=stack.base_url)
    assert a["run_id"] == dl["dag_run_id"] and a["deadline"]["time"]
    assert a["deadline"]["interval_seconds"] == 3.0

    run = stack.wait_for_run("ops_probe_failure", fl["dag_run_id"], timeout=90)
    assert run["state"] == "failed"
    failures = stack.wait_for_alerts(lambda a: a.get("dag_id") == "ops_probe_failure" and a.get("task_id") == "flaky_publish")
    failures += stack.wait_for_alerts(lambda a: a.get("dag_id") == "ops_probe_failure" and a.get("task_id") == "check_sources")
    by_task = {a["task_id"]: a for a in failures}

    src = by_task["check_sources"]
    assert_alert_fields(src, kind="source_check_failed", dag_id="ops_probe_failure", base_url=stack.base_url)
    assert src["try_number"] == 1 and src["gave_up_after_retries"] is False
    assert src["error"] == "raw.player_seasons has duplicate (player_name, season) keys: 1 key"
    assert src["failed_checks"] == {"duplicate_player_seasons": [{"player_name": "A.C. Green", "season": 1997, "rows": 2}]}
    assert "/tasks/check_sources" in src["log_url"]

    flaky = by_task["flaky_publish"]
    assert_alert_fields(flaky, kind="task_failed", dag_id="ops_probe_failure", base_url=stack.base_url)
    assert flaky["try_number"] == 2 and flaky["gave_up_after_retries"] is True
    assert flaky["error"] == "connection to analytics lost mid-publish"
    # one alert per task: no page for the retry that was still going to be retried
    assert len([a for a in stack.alerts() if a.get("task_id") == "flaky_publish"]) == 1

    # the deadline run itself still succeeds: the alert does not disturb it
    assert stack.wait_for_run("ops_probe_deadline", dl["dag_run_id"], timeout=60)["state"] == "success"
    print("\nREAL ALERT:", [l for l in stack.alerts_log.read_text().splitlines() if '"source_check_failed"' in l][0])


def test_plugin_pages_through_the_api_server_need_auth(stack):
    url = f"{stack.base_url}/pipeline-ops"
    with stack.client() as api:
        r = api.get("/pipeline-ops/runbooks/players")
        assert r.status_code == 200 and 'id="alert-deadline_missed"' in r.text
        r = api.get("/pipeline-ops/oncall")
        assert r.status_code == 200 and oncall.on_call()["primary"] in r.text
        # the plugin is registered with its views and the per-task link
        plugins = api.get("/api/v2/plugins").json()["plugins"]
        mine = next(p for p in plugins if p["name"] == "pipeline_ops")
        assert any(v["href"] == "/pipeline-ops/runbooks/{DAG_ID}" for v in mine["external_views"])
    assert httpx.get(f"{url}/runbooks/players", timeout=10).status_code == 401
    r = httpx.get(f"{url}/oncall", headers={"accept": "text/html"}, timeout=10, follow_redirects=False)
    assert r.status_code in (302, 307) and "login" in r.headers["location"]
    # a browser session (the UI's _token cookie) passes
    r = httpx.get(f"{url}/runbooks/players", cookies={"_token": stack.token("viewer")}, timeout=10)
    assert r.status_code == 200
