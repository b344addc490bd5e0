"""Write-audit-publish: a failed gate publishes nothing and says why; source checks name bad keys."""
from __future__ import annotations

import pytest

from include import loads, pipelines, quality
from include.loads import LoadError, SourceCheckFailed
from include.quality import QualityGateFailed, contract_path
from tests.quality.conftest import table_hash


def test_every_analytics_table_has_a_contract():
    missing = [f"{p.name}/{t.name}" for p in pipelines.PIPELINES.values() for t in p.tables
               if not contract_path(p, t).exists()]
    assert not missing, f"tables without a Soda contract: {missing}"


def test_contracts_filter_on_the_period_column():
    import yaml

    for p in pipelines.PIPELINES.values():
        for t in p.tables:
            doc = yaml.safe_load(contract_path(p, t).read_text())
            assert doc["dataset"] == f"warehouse/${{var.database}}/${{var.schema}}/{t.name}"
            if t.period_column is None:  # a full snapshot: the whole staged table is verified
                assert "filter" not in doc, t.name
                continue
            assert t.period_column in doc["filter"] and "${var.period}" in doc["filter"], t.name


def test_failed_gate_publishes_nothing_and_keeps_staged_rows(scenario_db):
    conn, pipeline, period = scenario_db("players")
    loads.load_period(conn, pipeline, period)  # 1998 published once, good
    before = {t.name: table_hash(conn, "analytics", t.name) for t in pipeline.tables}
    # A late-arriving history row: the incremental load cannot see it, the reconciliation can.
    conn.execute("INSERT INTO raw.player_seasons (player_name, season, pts) VALUES ('Late Larry', 1990, 5)")
    with pytest.raises(QualityGateFailed) as err:
        loads.load_period(conn, pipeline, period)
    assert isinstance(err.value, LoadError)  # the DAG fails fast, without retries
    after = {t.name: table_hash(conn, "analytics", t.name) for t in pipeline.tables}
    assert after == before
    msg = str(err.value)
    assert "nothing was published" in msg and "staging.players" in msg
    assert "players = distinct players seen up to the season" in msg and "Late Larry" in msg
    assert [f["check"] for f in err.value.failures] == ["players = distinct players seen up to the season"]
    f = err.value.failures[0]
    assert f["table"] == "players" and f["value"] == 1 and f["sample"][0]["player_name"] == "Late Larry"
    staged = conn.execute("SELECT count(*) FROM staging.players WHERE current_season = 1998").fetchone()[0]
    assert staged == 4
    recorded = conn.execute(
        "SELECT table_name, check_name, outcome, value FROM audit.quality_results"
        " WHERE run_id = %s AND outcome <> 'PASSED'", (err.value.run_id,)).fetchall()
    assert recorded == [("players", "players = distinct players seen up to the season", "FAILED", 1)]


def test_error_lists_every_failing_check_with_values(scenario_db):
    conn, pipeline, period = scenario_db("players")
    conn.execute("UPDATE staging.players SET years_since_last_active = -1 WHERE current_season = 1998"
                 " AND player_name = 'B';"
                 "UPDATE staging.players_scd SET start_season = 1998 WHERE current_season = 1998"
                 " AND player_name = 'A' AND start_season = 1997;")
    with pytest.raises(QualityGateFailed) as err:
        quality.audit(conn, pipeline, period)
    msg = str(err.value)
    assert "2 check(s) failed" in msg
    assert "players: years_since_last_active: years_since_last_active >= 0 [invalid] FAILED: value=1.0" in msg
    assert "players_scd: runs contiguous and not overlapping per player [failed_rows] FAILED: value=1.0" in msg
    assert "player_name=A" in msg  # the bad key is named
    assert "staging.players, staging.players_scd" in msg


def test_broken_contract_is_a_failed_gate(scenario_db, tmp_path, monkeypatch):
    """A contract that cannot run (here: a column renamed away) must stop the load, not pass it."""
    conn, pipeline, period = scenario_db("players")
    conn.execute("ALTER TABLE staging.players RENAME COLUMN seasons TO seasons_old")
    with pytest.raises(QualityGateFailed) as err:
        quality.audit(conn, pipeline, period)
    assert {f["table"] for f in err.value.failures} == {"players"}
    assert any(f["check"] == "schema" for f in err.value.failures)


def test_duplicate_player_season_source_row_names_the_key(scenario_db):
    conn, pipeline, period = scenario_db("players")
    before = {t.name: table_hash(conn, "analytics", t.name) for t in pipeline.tables}
    conn.execute("INSERT INTO raw.player_seasons (player_name, pts, season) VALUES ('A', 30, 1998)")
    with pytest.raises(SourceCheckFailed) as err:
        loads.load_period(conn, pipeline, period)
    assert "duplicate_player_seasons" in str(err.value) and "player_name=A" in str(err.value)
    assert "season=1998" in str(err.value) and "nothing was published" in str(err.value)
    assert err.value.failures["duplicate_player_seasons"][0]["player_name"] == "A"
    assert {t.name: table_hash(conn, "analytics", t.name) for t in pipeline.tables} == before


def test_results_table_is_idempotent_and_keeps_runs(scenario_db):
    conn, pipeline, period = scenario_db("players")
    first = quality.audit(conn, pipeline, period)
    second = quality.audit(conn, pipeline, period)
    assert first["run_id"] != second["run_id"]
    runs = conn.execute("SELECT count(DISTINCT run_id) FROM audit.quality_results WHERE pipeline = 'players'"
                        " AND period = '1998'").fetchone()[0]
    assert runs == 2
    assert all(s < 5 for s in second["seconds"].values())
