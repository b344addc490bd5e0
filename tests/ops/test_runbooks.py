"""Runbook lint: required sections, one section per alert kind, real commands, links that resolve."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from include import alerts, loads, ownership, pipelines
from include.settings import DAGS_DIR, PROJECT_ROOT, RUNBOOKS_DIR

REQUIRED = ["summary-and-consumers", "owners-and-on-call", "sla", "upstream", "downstream",
            "rerun-and-backfill", "escalation"]
RUNBOOKS = sorted(RUNBOOKS_DIR.glob("*.md"))
PLUGIN_ROUTES = {"/pipeline-ops/oncall", "/pipeline-ops/runbooks"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)


def commands(text: str) -> list[str]:
    cmds = [line.strip() for block in code_blocks(text) for line in block.splitlines()
            if line.strip().startswith("airflow ")]
    cmds += re.findall(r"`(airflow [^`]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return cmds


def test_every_pipeline_has_a_runbook_and_back():
    names = {p.stem for p in RUNBOOKS}
    entries = set(ownership.pipelines())
    assert entries <= names, f"entries without a runbook: {entries - names}"
    assert names <= entries, f"runbooks without an ownership entry: {names - entries}"
    for name in entries:
        assert ownership.owners(name).runbook == f"runbooks/{name}.md"


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.stem)
def test_sections(path):
    anchors = alerts.runbook_anchors(path.read_text())
    for section in REQUIRED:
        assert section in anchors, f"{path.name}: missing section {section}"
    for kind in alerts.KINDS:
        assert f"alert-{kind}" in anchors, f"{path.name}: no section for alert kind {kind}"
    text = path.read_text()
    for kind in alerts.KINDS:
        body = text.split(f"## Alert: {kind}\n", 1)[1].split("\n## ", 1)[0]
        for part in ("**Meaning.**", "**Diagnosis.**", "**Mitigation.**"):
            assert part in body, f"{path.name} {kind}: missing {part}"


def _check_command(cmd: str, dagbag, where: str):
    argv = shlex.split(cmd)
    if argv[:3] == ["airflow", "dags", "trigger"]:
        dag_id = argv[3]
        assert dag_id in dagbag.dags, f"{where}: `{cmd}` names no DAG"
        conf = json.loads(argv[argv.index("--conf") + 1]) if "--conf" in argv else {}
        dag = dagbag.dags[dag_id]
        assert set(conf) <= set(dag.params.keys()), f"{where}: unknown params in `{cmd}`"
        if dag_id in pipelines.PIPELINES and "period" in conf:
            pipelines.get(dag_id).periods.parse(conf["period"])  # raises PeriodError when invalid
        if "method" in conf:
            assert conf["method"] in loads.METHODS, where
    elif argv[:3] == ["airflow", "backfill", "create"]:
        opts = dict(zip(argv[3::2], argv[4::2]))
        assert opts["--dag-id"] in dagbag.dags, f"{where}: `{cmd}` names no DAG"
        assert opts["--from-date"] <= opts["--to-date"], where
        assert opts["--reprocess-behavior"] in ("failed", "completed", "none"), where
        assert opts.get("--max-active-runs") == "1", f"{where}: cumulative backfills must run one at a time"
        if opts["--dag-id"] in pipelines.PIPELINES:
            spec = pipelines.get(opts["--dag-id"]).periods
            first = opts["--from-date"][:4] if spec.kind == "year" else opts["--from-date"]
            spec.parse(first)
    else:
        pytest.fail(f"{where}: unknown airflow command `{cmd}` (lint it here first)")


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.stem)
def test_commands_name_real_dags_and_valid_params(path, dagbag):
    cmds = commands(path.read_text())
    assert any("dags trigger" in c for c in cmds), path.name
    for cmd in cmds:
        _check_command(cmd, dagbag, path.name)


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.stem)
def test_links_resolve(path):
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    own = alerts.runbook_anchors(path.read_text())
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        assert not target.startswith(("http://", "https://")), f"{path.name}: external link {target}"
        if target.startswith("/"):
            assert target.split("#")[0] in PLUGIN_ROUTES or target.startswith("/pipeline-ops/runbooks/"), target
            continue
        file_part, _, anchor = target.partition("#")
        file = (path.parent / file_part).resolve() if file_part else path
        assert file.exists(), f"{path.name}: link to missing {target}"
        assert PROJECT_ROOT in file.parents, target
        if anchor:
            assert file.suffix == ".md" and anchor in alerts.runbook_anchors(file.read_text()), \
                f"{path.name}: anchor {target} does not resolve"


def test_alert_commands_pass_the_same_lint(dagbag):
    """What the notifier puts in an alert would pass the runbook lint too."""
    for name in pipelines.PIPELINES:
        if name not in dagbag.dags:
            continue
        for kind in alerts.KINDS:
            for cmd in alerts.commands(name, name, pipelines.get(name).periods.example, kind).values():
                _check_command(cmd, dagbag, f"alert {name} {kind}")
