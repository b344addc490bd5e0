"""Every contract passes on good staged rows and every check fails on the bad input made for it."""
from __future__ import annotations

import pytest

from include import pipelines, quality
from include.quality import QualityGateFailed, contract_path
from tests.quality.scenarios import MUTATIONS, SCENARIOS


def _checks_in_contract(pipeline_name: str, table: str) -> set[str]:
    """Names of the checks in a contract, as quality.audit reports them."""
    import yaml

    pipeline = pipelines.get(pipeline_name)
    doc = yaml.safe_load(contract_path(pipeline, table).read_text())
    names = set()
    for item in doc.get("checks") or []:
        (ctype, body), = item.items()
        names.add((body or {}).get("name") or ctype)
    for col in doc.get("columns") or []:
        for item in col.get("checks") or []:
            (ctype, body), = item.items()
            names.add(f"{col['name']}: {(body or {}).get('name') or ctype}")
    return names


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_contract_passes_on_good_data(scenario_db, name):
    conn, pipeline, period = scenario_db(name)
    summary = quality.audit(conn, pipeline, period)
    assert summary["failed"] == 0
    assert summary["skipped"] == []
    for table in pipeline.tables:
        assert summary["checks"][table.name] == len(_checks_in_contract(name, table.name))
    rows = conn.execute(
        "SELECT table_name, count(*), count(*) FILTER (WHERE outcome = 'PASSED') FROM audit.quality_results"
        " WHERE run_id = %s GROUP BY 1 ORDER BY 1", (summary["run_id"],)).fetchall()
    assert {t: (n, ok) for t, n, ok in rows} == {t: (n, n) for t, n in summary["checks"].items()}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_every_check_fails_on_its_bad_input(scenario_db, mutation):
    conn, pipeline, period = scenario_db(mutation.pipeline)
    assert mutation.check in _checks_in_contract(mutation.pipeline, mutation.table), "unknown check name"
    conn.execute(mutation.sql)
    with pytest.raises(QualityGateFailed) as err:
        quality.audit(conn, pipeline, period)
    failed = {(f["table"], f["check"]) for f in err.value.failures}
    assert (mutation.table, mutation.check) in failed
    extra = {c for t, c in failed if (t, c) != (mutation.table, mutation.check)}
    assert extra <= set(mutation.also), f"unexpected failing checks: {extra}"
    assert all(f["outcome"] == "FAILED" for f in err.value.failures), err.value.failures
    assert mutation.check in str(err.value)


def test_every_pipeline_has_a_scenario():
    assert set(pipelines.PIPELINES) <= set(SCENARIOS), "add a scenario to tests/quality/scenarios.py"


def test_every_check_has_a_mutation():
    """A check no test makes fail could be a check that cannot fail."""
    covered = {(m.table, m.check) for m in MUTATIONS}
    for name in SCENARIOS:
        if name not in pipelines.PIPELINES:
            continue
        for table in pipelines.get(name).tables:
            missing = {c for c in _checks_in_contract(name, table.name)} - {c for t, c in covered if t == table.name}
            assert not missing, f"{table.name}: no bad-input test for {sorted(missing)}"
