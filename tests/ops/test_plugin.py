"""The UI plugin: runbook and on-call pages (FastAPI TestClient), links, auth."""
from __future__ import annotations

import importlib.util
import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from include import alerts, oncall, ownership
from include.settings import PLUGINS_DIR, RUNBOOKS_DIR


@pytest.fixture(scope="module")
def plugin():
    spec = importlib.util.spec_from_file_location("pipeline_ops_plugin", PLUGINS_DIR / "pipeline_ops_plugin.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def client(plugin):
    from airflow.api_fastapi.core_api.security import get_user

    plugin.app.dependency_overrides[get_user] = lambda: SimpleNamespace(get_name=lambda: "admin")
    yield TestClient(plugin.app)
    plugin.app.dependency_overrides.clear()


@pytest.mark.parametrize("name", sorted(p.stem for p in RUNBOOKS_DIR.glob("*.md")))
def test_runbook_pages_have_every_alert_anchor(client, name):
    r = client.get(f"/runbooks/{name}")
    assert r.status_code == 200, r.text
    ids = set(re.findall(r'<h[1-6] id="([^"]+)"', r.text))
    for kind in alerts.KINDS:
        assert f"alert-{kind}" in ids
    assert "On call now:" in r.text and "<pre><code" in r.text


def test_alert_link_targets_exist_in_the_rendered_page(client):
    for name in ownership.pipelines():
        for kind in alerts.KINDS:
            link = alerts.runbook_links(name, kind)
            path, anchor = link["url"].split(alerts.URL_PREFIX, 1)[1].split("#")
            r = client.get(path)
            assert r.status_code == 200 and f'id="{anchor}"' in r.text, (name, kind)


def test_index_and_unknown(client):
    r = client.get("/runbooks")
    assert r.status_code == 200 and 'href="/pipeline-ops/runbooks/players"' in r.text
    assert client.get("/runbooks/nope").status_code == 404
    assert client.get("/runbooks/..%2Fsecrets").status_code == 404


def test_oncall_page(client):
    r = client.get("/oncall?weeks=8")
    assert r.status_code == 200
    now = oncall.on_call()
    assert f"primary <b>{now['primary']}</b>" in r.text
    assert r.text.count("<tr") == 9  # header + 8 weeks
    assert client.get("/oncall.json").json()["primary"] == now["primary"]


def test_anonymous_is_refused_or_redirected(plugin):
    anon = TestClient(plugin.app)
    assert anon.get("/runbooks/players").status_code == 401
    r = anon.get("/oncall", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 302 and "login" in r.headers["location"]


def test_plugin_declares_views_and_links(plugin):
    p = plugin.PipelineOpsPlugin
    dag_view = next(v for v in p.external_views if v["destination"] == "dag")
    assert dag_view["href"] == "/pipeline-ops/runbooks/{DAG_ID}" and dag_view["url_route"]
    assert p.fastapi_apps[0]["url_prefix"] == "/pipeline-ops"
    link = p.global_operator_extra_links[0]
    url = link.get_link(None, ti_key=SimpleNamespace(dag_id="players", task_id="check_sources"))
    assert url.endswith("/pipeline-ops/runbooks/players#alert-source_check_failed")
