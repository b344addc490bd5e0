"""The real Airflow UI in headless Chromium: what an on-call engineer clicks through.

On the real components (api-server, scheduler, dag-processor, triggerer) with the project's
DAGs and plugin, a browser logs in with the simple auth manager and

* sees every pipeline on the DAG list with its tags (tier included), and each owner's DAGs
  behind the UI's owner filter (the 3.3 list shows no owner column; the DAG page does);
* opens each DAG page: owner and tags in the header;
* follows the "Runbook" tab of ``players`` and reads the rendered runbook in its iframe
  (the ``#alert-deadline_missed`` section alerts link to, the on-call banner);
* opens "On call" from the Plugins menu and sees who is primary now.

Screenshots of every step go to ``artifacts/screenshots/`` (git-ignored). Needs Debian's
``chromium`` (``/usr/bin/chromium``, or ``CHROMIUM=path``) and the ``playwright`` package;
Playwright's own browser downloads are never used.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from include import oncall, ownership
from include.settings import PROJECT_ROOT
from tests.harness.airflow_stack import AirflowStack

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
PIPELINES = ["players", "actors", "web_activity", "game_details", "halo_match_stats"]
TIMEOUT_MS = 30_000

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM=path)",
                allow_module_level=True)


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.mouse.move(1395, 995)  # no hover highlight or open tooltip in the picture
    page.screenshot(path=str(path))
    return path


@pytest.fixture(scope="module")
def stack():
    from include.settings import DAGS_DIR

    # Listing needs no warehouse; paused DAGs keep the scheduler from starting runs meanwhile.
    s = AirflowStack(DAGS_DIR, extra_env={"AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True"})
    s.start(timeout=150)
    try:
        _wait_parsed(s, PIPELINES)
        yield s
    finally:
        s.stop()


def _wait_parsed(stack: AirflowStack, dag_ids: list[str], timeout: float = 90) -> None:
    """All DAGs serialized with their tags (the list shows what the API has)."""
    deadline, seen = time.monotonic() + timeout, {}
    with stack.client() as api:
        while time.monotonic() < deadline:
            dags = api.get("/api/v2/dags", params={"limit": 100}).json().get("dags", [])
            seen = {d["dag_id"]: d for d in dags}
            if all(i in seen and seen[i]["tags"] for i in dag_ids):
                return
            time.sleep(0.5)
        errors = api.get("/api/v2/importErrors").json()
    raise AssertionError(f"DAGs not parsed after {timeout}s: have {sorted(seen)}; import errors: {errors}")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def page(stack, browser):
    """A browser session logged in as admin through the login form."""
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    pg.goto("/")
    pg.wait_for_url("**/auth/login**")
    pg.fill("input[name=username]", "admin")
    pg.fill("input[name=password]", stack.password("admin"))
    shot(pg, "00-login.png")
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url(lambda url: "/auth/login" not in url)
    assert "_token" in {c["name"] for c in context.cookies()}, "no session cookie after signing in"
    yield pg
    context.close()


def _api_dag_ids(stack: AirflowStack, **params) -> set[str]:
    with stack.client() as api:
        r = api.get("/api/v2/dags", params={"limit": 100, **params})
        r.raise_for_status()
        return {d["dag_id"] for d in r.json()["dags"]}


def _card(page, dag_id: str):
    return page.get_by_test_id("dag-card").filter(
        has=page.get_by_test_id("dag-id").filter(has_text=re.compile(rf"^{re.escape(dag_id)}$")))


def test_dag_list_shows_every_pipeline_with_its_tags_and_owners(stack, page):
    page.set_viewport_size({"width": 1400, "height": 1700})  # all cards in one screenshot
    try:
        page.goto("/dags")
        expect(page.get_by_test_id("dag-id").first).to_be_visible()
        listed = page.get_by_test_id("dag-id").all_inner_texts()
        assert set(PIPELINES) <= set(listed), listed
        for dag_id in PIPELINES:
            own = ownership.owners(dag_id)
            card = _card(page, dag_id)
            expect(card).to_have_count(1)
            tags = card.get_by_test_id("limited-items-list")
            for tag in (own.tier, *own.tags):
                expect(tags.get_by_role("link", name=tag, exact=True)).to_be_visible()
        shot(page, "01-dag-list.png")

        # owners: the list's owner filter (?owners=) gives exactly each owner's pipelines
        for handle in sorted({ownership.owners(d).primary for d in PIPELINES}, key=lambda h: h == "chen.wei"):
            page.goto(f"/dags?owners={handle}")
            mine = {d for d in PIPELINES if ownership.owners(d).primary == handle}
            expect(page.get_by_test_id("dag-id")).to_have_count(len(_api_dag_ids(stack, owners=handle)))
            shown = set(page.get_by_test_id("dag-id").all_inner_texts())
            assert shown & set(PIPELINES) == mine, (handle, shown)
        shot(page, "01b-dag-list-owner-chen.wei.png")  # chen.wei last: two pipelines and a Spark job
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def test_dag_pages_show_owner_and_tags(page):
    page.goto("/dags")
    for dag_id in [*PIPELINES[1:], "players"]:  # players last: its page is the screenshot
        own = ownership.owners(dag_id)
        page.get_by_role("link", name="Dags", exact=True).first.click()  # in-app navigation
        _card(page, dag_id).get_by_test_id("dag-id").click()
        page.wait_for_url(f"**/dags/{dag_id}")
        expect(page.locator(f"a[href='/dags?owners={own.primary}']")).to_have_text(own.primary)
        for tag in (own.tier, *own.tags):
            expect(page.locator(f"a[href='/dags?tags={tag}']")).to_be_visible()
    expect(page.get_by_role("link", name="resolve_period", exact=True)).to_be_visible()
    shot(page, "02-dag-players.png")


def test_runbook_tab_shows_the_rendered_runbook(page):
    page.goto("/dags/players")
    page.get_by_role("link", name="Runbook", exact=True).click()
    page.wait_for_url("**/dags/players/plugin/runbook")
    iframe = page.locator("iframe[title=Runbook]")
    expect(iframe).to_have_attribute("src", "/pipeline-ops/runbooks/players")
    runbook = page.frame_locator("iframe[title=Runbook]")
    expect(runbook.locator("h1")).to_have_text("Runbook: players")
    now = oncall.on_call()
    expect(runbook.locator("p.now")).to_contain_text(f"{now['primary']} (primary)")
    expect(runbook.locator("p.now")).to_contain_text(f"{now['secondary']} (secondary)")
    own = ownership.owners("players")
    expect(runbook.locator("#owners-and-on-call + p")).to_contain_text(f"primary {own.primary}")
    section = runbook.locator("h2#alert-deadline_missed")
    expect(section).to_have_text("Alert: deadline_missed")
    for anchor in ("alert-bad_params", "alert-source_check_failed", "alert-quality_gate_failed"):
        expect(runbook.locator(f"h2#{anchor}")).to_have_count(1)
    shot(page, "03-runbook.png")
    section.scroll_into_view_if_needed()
    expect(section).to_be_in_viewport()
    shot(page, "03b-runbook-deadline_missed.png")


def test_oncall_page_from_the_plugins_menu(page):
    page.goto("/dags")
    page.get_by_role("button", name="Plugins").click()
    page.get_by_role("menuitem", name="On call").click()
    page.wait_for_url("**/plugin/oncall**")
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("On call")
    now = oncall.on_call()
    expect(frame.locator("#now")).to_contain_text(f"primary {now['primary']}, secondary {now['secondary']}")
    current = frame.locator("tr.now td")
    expect(current.nth(3)).to_have_text(now["primary"])
    expect(current.nth(4)).to_have_text(now["secondary"])
    shot(page, "04-oncall.png")
