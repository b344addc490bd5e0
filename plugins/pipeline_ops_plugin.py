"""Pipeline operations inside the Airflow UI.

* ``/pipeline-ops/runbooks`` and ``/pipeline-ops/runbooks/<pipeline>``: the runbooks
  of ``runbooks/*.md`` rendered as HTML, every heading an anchor
  (``#alert-<kind>`` is where alerts link);
* ``/pipeline-ops/oncall``: who is on call now and the coming weeks;
* a "Runbook" tab on every DAG page and an "On-call" entry in the navigation
  (``external_views``);
* a "Runbook" extra link on every task, pointing at the section of the failure
  that task most often raises.

Plugin FastAPI apps are mounted without auth: every route here requires an
Airflow user (the UI's ``_token`` cookie or a ``Bearer`` token). Anonymous
browsers are redirected to the login page; API clients get 401.
"""
from __future__ import annotations

import datetime as dt
import html
import sys
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from airflow.api_fastapi.core_api.security import get_user
from airflow.plugins_manager import AirflowPlugin
from airflow.sdk import BaseOperatorLink

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # include/ lives in the project root
    sys.path.insert(0, str(_ROOT))

from include import alerts, oncall, ownership  # noqa: E402
from include.settings import RUNBOOKS_DIR  # noqa: E402

URL_PREFIX = alerts.URL_PREFIX

# The section a task's extra link opens: the failure that task raises.
TASK_SECTIONS = {
    "resolve_period": "alert-bad_params",
    "check_sources": "alert-source_check_failed",
    "stage": "alert-missing_previous_period",
    "audit": "alert-quality_gate_failed",
    "publish": "alert-load_error",
}

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;
line-height:1.5;color:#1f2933}
code,pre{font-family:ui-monospace,Menlo,monospace;font-size:.9em}pre{background:#f3f4f6;padding:.75rem;overflow:auto}
h2{border-bottom:1px solid #e5e7eb;padding-bottom:.2rem;margin-top:2rem}h2:target{background:#fff7d6}
table{border-collapse:collapse}td,th{border:1px solid #d1d5db;padding:.25rem .6rem;text-align:left}
.now{background:#ecfdf5}nav a{margin-right:1rem}
"""


def render_markdown(text: str) -> str:
    """Markdown -> HTML with an ``id`` on every heading (same anchors as alerts use)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            tok.attrSet("id", alerts.slug(tokens[i + 1].content))
    html_out = md.renderer.render(tokens, md.options, {})
    # links between runbooks: foo.md#x -> ./foo#x ; repository files -> plain text targets stay
    return html_out.replace('.md#', '#').replace('.md"', '"')


def page(title: str, body: str) -> HTMLResponse:
    nav = (f'<nav><a href="{URL_PREFIX}/runbooks">Runbooks</a><a href="{URL_PREFIX}/oncall">On call</a>'
           f'<a href="/">Airflow</a></nav>')
    return HTMLResponse(f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                        f"<style>{STYLE}</style></head><body>{nav}{body}</body></html>")


def runbook_names() -> list[str]:
    return sorted(p.stem for p in RUNBOOKS_DIR.glob("*.md"))


app = FastAPI(title="Pipeline operations", docs_url=None, redoc_url=None, openapi_url=None)


@app.exception_handler(HTTPException)
async def _login_redirect(request: Request, exc: HTTPException) -> Response:
    """Browsers without a valid session go to the login page and come back."""
    if exc.status_code in (401, 403) and "text/html" in request.headers.get("accept", ""):
        target = str(request.url)
        try:
            from airflow.api_fastapi.app import get_auth_manager

            login = get_auth_manager().get_url_login(next_url=target)
        except Exception:  # noqa: BLE001
            login = f"/auth/login?next={quote(target, safe='')}"
        return RedirectResponse(login, status_code=302)
    return Response(content=f'{{"detail": "{exc.detail}"}}', status_code=exc.status_code,
                    media_type="application/json", headers=getattr(exc, "headers", None))


@app.get("/runbooks", response_class=HTMLResponse)
def runbook_index(user=Depends(get_user)):
    rows = []
    for name in runbook_names():
        try:
            o = ownership.owners(name)
            who, tier = f"{o.primary} / {o.secondary}", o.tier
        except KeyError:
            who, tier = "(no ownership entry)", ""
        rows.append(f'<tr><td><a href="{URL_PREFIX}/runbooks/{name}">{name}</a></td>'
                    f"<td>{html.escape(who)}</td><td>{tier}</td></tr>")
    return page("Runbooks", "<h1>Runbooks</h1><table><tr><th>pipeline</th><th>owners (primary / secondary)</th>"
                f"<th>tier</th></tr>{''.join(rows)}</table>")


@app.get("/runbooks/{pipeline}", response_class=HTMLResponse)
def runbook(pipeline: str, user=Depends(get_user)):
    if pipeline not in runbook_names():
        raise HTTPException(status_code=404, detail=f"no runbook for {pipeline!r}")
    text = (RUNBOOKS_DIR / f"{pipeline}.md").read_text()
    now = oncall.on_call()
    banner = (f"<p class='now'><b>On call now:</b> {html.escape(str(now.get('primary')))} (primary), "
              f"{html.escape(str(now.get('secondary')))} (secondary) · <a href='{URL_PREFIX}/oncall'>rotation</a></p>")
    return page(f"Runbook: {pipeline}", banner + render_markdown(text))


@app.get("/oncall", response_class=HTMLResponse)
def oncall_page(weeks: int = 8, user=Depends(get_user)):
    rot = oncall.rotation()
    now = dt.datetime.now(dt.timezone.utc)
    cur = rot.at(now)
    rows = []
    for s in rot.shifts(now, max(1, min(weeks, 104))):
        notes = ", ".join(h.name + (" (major)" if h.major else "") for h in s.holidays)
        if s.overridden:
            notes = "override" + (f"; {notes}" if notes else "")
        cls = " class='now'" if s.start <= now < s.end else ""
        rows.append(f"<tr{cls}><td>{s.start:%G-W%V}</td><td>{s.start:%a %Y-%m-%d %H:%M}</td>"
                    f"<td>{s.end:%a %Y-%m-%d %H:%M}</td><td>{s.primary}</td><td>{s.secondary}</td>"
                    f"<td>{html.escape(notes)}</td></tr>")
    body = (f"<h1>On call</h1><p class='now' id='now'><b>Now:</b> primary <b>{cur.primary}</b>, secondary "
            f"<b>{cur.secondary}</b> until {cur.end:%a %Y-%m-%d %H:%M} {rot.tz.key}</p>"
            f"<p>{rot.length.days}-day shifts, hand-off {rot.epoch:%A %H:%M} {rot.tz.key}. "
            "Edit <code>include/oncall.yaml</code> for swaps and overrides.</p>"
            "<table><tr><th>week</th><th>from</th><th>to</th><th>primary</th><th>secondary</th><th>notes</th></tr>"
            f"{''.join(rows)}</table>")
    return page("On call", body)


@app.get("/oncall.json")
def oncall_json(user=Depends(get_user)):
    return oncall.on_call()


class RunbookLink(BaseOperatorLink):
    """Per-task link to the runbook section of the failure that task raises."""

    name = "Runbook"

    def get_link(self, operator, *, ti_key) -> str:
        section = TASK_SECTIONS.get(ti_key.task_id, "alert-task_failed")
        return f"{alerts.base_url()}{URL_PREFIX}/runbooks/{ti_key.dag_id}#{section}"


class PipelineOpsPlugin(AirflowPlugin):
    name = "pipeline_ops"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "Pipeline operations"}]
    external_views = [
        {"name": "Runbook", "href": URL_PREFIX + "/runbooks/{DAG_ID}", "destination": "dag", "url_route": "runbook"},
        {"name": "On call", "href": URL_PREFIX + "/oncall", "destination": "nav", "url_route": "oncall"},
        {"name": "Runbooks", "href": URL_PREFIX + "/runbooks", "destination": "nav", "url_route": "runbooks"},
    ]
    global_operator_extra_links = [RunbookLink()]
