"""The command line as a user meets it: one-line errors before anything starts, honest
messages, real data kept, and run output without log noise or tracebacks."""
from __future__ import annotations

from pathlib import Path

import gzip

import pytest

from include import airflow_runner, cli, local_stack, pipelines, warehouse
from include.sources import files, gen_actors, gen_web

KNOWN = ", ".join(sorted(pipelines.PIPELINES))


@pytest.fixture
def nothing_starts(monkeypatch):
    """Fail the test if the command starts the warehouse or Airflow (bad input must not)."""
    def started(*a, **k):
        raise AssertionError("started the warehouse or Airflow before rejecting the input")

    monkeypatch.setattr(warehouse, "target", started)
    monkeypatch.setattr(cli, "_start_airflow", started)


def _error(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err  # one line, no traceback
    return lines[0]


# --- 1, 2, 4: bad input is one line, exit 2, before the warehouse or Airflow starts ----------

@pytest.mark.parametrize("argv, message", [
    (["run", "nope", "--from", "2000"], f"error: unknown pipeline 'nope'; known: {KNOWN}"),
    (["run", "players", "--from", "2001", "--to", "2000"], "error: --to 2000 is before --from 2001"),
    (["run", "players", "--from", "abc"], "error: period 'abc' is not a valid year: expected YYYY, e.g. 1996"),
    (["run", "players", "--from", "2000", "--to", "20x0"], "error: period '20x0' is not a valid year"),
    (["run", "web_activity", "--from", "2023-01-09", "--to", "2023-01-08"],
     "error: --to 2023-01-08 is before --from 2023-01-09"),
    (["run", "players", "--from", "1800"], "error: period 1800 is out of range"),
])
def test_bad_run_input_is_one_line_before_anything_starts(argv, message, nothing_starts, capsys):
    assert cli.main(argv) == 2
    assert _error(capsys).startswith(message)


# --- 3: repair says what to do for each kind of pipeline ------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["repair", "nope", "--from", "2023-01-05"], f"error: unknown pipeline 'nope'; known: {KNOWN}"),
    (["repair", "players", "--from", "2000"],
     "`make run PIPELINE=players FROM=2000 TO=<last published year> METHOD=full`"),
    (["repair", "actors", "--from", "2023-01-05"],  # not a year: a placeholder, not a wrong hint
     "`make run PIPELINE=actors FROM=<year> TO=<last published year> METHOD=full`"),
    (["repair", "game_details", "--from", "2023-01-05"],
     "rebuilds its whole table from the sources on every run, so late data needs no repair: "
     "run it again with `make run PIPELINE=game_details FROM=2023-01-05`"),
    (["repair", "web_activity", "--from", "2023-1-5"], "error: period '2023-1-5' is not a valid day"),
])
def test_repair_hint_fits_the_pipeline(argv, message, nothing_starts, capsys):
    assert cli.main(argv) == 2
    assert message in _error(capsys)


# --- 5: warehouse-reset says what it deletes, and refuses while `make up` runs ---------------

@pytest.fixture
def fake_reset(monkeypatch, tmp_path):
    """Never delete the real embedded server from a test: record the call instead."""
    calls = []
    monkeypatch.setattr(warehouse, "reset_embedded", lambda: calls.append("reset"))
    monkeypatch.setattr(cli, "_embedded_databases", lambda: ["airflow", "airflow_ui", "warehouse"])
    for module, name in ((airflow_runner, "AIRFLOW_HOME"), (local_stack, "HOME")):
        home = tmp_path / name
        home.mkdir()
        (home / ".migrated-3.x").write_text("url")
        monkeypatch.setattr(module, name, home)
    return calls


def test_reset_refused_while_the_ui_stack_runs(fake_reset, monkeypatch, capsys):
    monkeypatch.setattr(local_stack, "running", lambda: {"api-server": 4242, "scheduler": None})
    assert cli.main(["warehouse", "reset"]) == 2
    assert "run `make down` first" in _error(capsys)
    assert fake_reset == []


def test_stop_refused_while_the_ui_stack_runs(monkeypatch, capsys):
    stopped = []
    monkeypatch.setattr(local_stack, "running", lambda: {"api-server": 4242, "scheduler": None})
    monkeypatch.setattr(warehouse, "stop_embedded", lambda: stopped.append(1))
    assert cli.main(["warehouse", "stop"]) == 2
    assert "run `make down` first, then stop the warehouse" in _error(capsys)
    assert stopped == []


def test_reset_names_the_airflow_databases_it_deletes(fake_reset, monkeypatch, capsys):
    monkeypatch.setattr(local_stack, "running", lambda: dict.fromkeys(local_stack.COMPONENTS))
    assert cli.main(["warehouse", "reset"]) == 0
    out = capsys.readouterr().out
    assert fake_reset == ["reset"]
    assert "Airflow state kept" not in out
    for db in ("warehouse", "airflow", "airflow_ui"):
        assert any(line.split()[:1] == [db] for line in out.splitlines()), db
    assert "make up" in out and "make run" in out
    # their databases are gone: the next command migrates them again
    assert not list(airflow_runner.AIRFLOW_HOME.glob(".migrated-*"))
    assert not list(local_stack.HOME.glob(".migrated-*"))


# --- 6: summary with nothing published -------------------------------------------------------

def test_summary_after_a_reset_does_not_create_a_warehouse(monkeypatch, tmp_path, nothing_starts, capsys):
    monkeypatch.setattr(warehouse, "PGDATA", tmp_path / "pgdata")  # as after `make warehouse-reset`
    assert cli.main(["summary"]) == 0
    assert capsys.readouterr().out.splitlines() == [cli.NOTHING_PUBLISHED]
    assert not (tmp_path / "pgdata").exists()


def test_summary_of_an_empty_warehouse_says_how_to_fill_it(db, db_url, monkeypatch, capsys):
    monkeypatch.setenv("WAREHOUSE_URL", db_url)
    from include import loads

    loads.ensure_schema(db, pipelines.get("players"))  # tables exist, no rows
    assert cli.main(["summary"]) == 0
    assert capsys.readouterr().out.splitlines() == ["nothing is published yet: fill the warehouse with `make demo`"]
    db.execute("INSERT INTO analytics.players_scd (player_name, scoring_class, is_active, start_season, "
               "end_season, current_season) VALUES ('A', 'star', true, 1996, 1996, 1996)")
    assert cli.main(["summary"]) == 0
    assert "analytics.players_scd" in capsys.readouterr().out


# --- 7: make demo keeps raw tables loaded from real data; make load regenerates ---------------

def _flat(text: str) -> str:
    return " ".join(text.split())


def _csv_folder(path, rows):
    with gzip.open(path / "player_seasons.csv.gz", "wt") as f:
        f.write("player_name,season,pts\n" + "".join(f"{name},{season},10\n" for name, season in rows))
    return path


def test_demo_keeps_real_data_and_load_regenerates_it(db, db_url, monkeypatch, tmp_path, capsys):
    target = warehouse.Target(db_url, "WAREHOUSE_URL")
    data = _csv_folder(tmp_path, [("Real One", 1996), ("Real Two", 1997)])
    cli.load_sources(target, data, None, seed=1, scale=0.02, keep_real=True)
    assert f"raw.player_seasons 2 rows <- csv {data}" in _flat(capsys.readouterr().out)

    # make demo without DATA: the real table is kept and says so, the rest is generated
    cli.load_sources(target, None, None, seed=1, scale=0.02, keep_real=True)
    out = capsys.readouterr().out
    assert f"raw.player_seasons 2 rows (kept: loaded from csv {data} earlier)" in _flat(out)
    assert "raw.actor_films" in out and "<- generated (seed 1)" in out
    assert db.execute("SELECT count(*) FROM raw.player_seasons WHERE player_name LIKE 'Real%'").fetchone()[0] == 2

    # make load without DATA: regenerates, and says what it replaces
    monkeypatch.setenv("WAREHOUSE_URL", db_url)
    assert cli.main(["load", "--seed", "1", "--scale", "0.02"]) == 0
    out = capsys.readouterr().out
    assert "replacing real data loaded earlier" in out.splitlines()[0]
    assert f"(replaces csv {data} loaded earlier)" in next(line for line in out.splitlines()
                                                           if "raw.player_seasons" in line)
    assert db.execute("SELECT count(*) FROM raw.player_seasons WHERE player_name LIKE 'Real%'").fetchone()[0] == 0
    # and the next demo has no real data left to keep: it generates again
    cli.load_sources(target, None, None, seed=1, scale=0.02, keep_real=True)
    assert "kept" not in capsys.readouterr().out


def test_a_bad_csv_is_a_one_line_error(db_url, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("WAREHOUSE_URL", db_url)
    with gzip.open(tmp_path / "player_seasons.csv.gz", "wt") as f:
        f.write("player_name,season,shoe_size\nA,1996,12\n")
    assert cli.main(["load", "--data", str(tmp_path)]) == 2
    assert "shoe_size" in _error(capsys)


# --- 8: run output: warnings inline, failures without tracebacks or log noise ------------------

def _no_log_noise(out: str) -> None:
    assert "Traceback" not in out
    assert "[warning" not in out and "[error" not in out and "[info" not in out
    assert "PIPELINE ALERT" not in out


def test_load_warnings_are_on_the_progress_line(airflow_warehouse, capsys):
    with warehouse.connect(airflow_warehouse, autocommit=True) as conn:
        gen_web.generate(conn, seed=11, scale=0.05)
        day = conn.execute("SELECT min(event_time::timestamp::date) FROM raw.events WHERE host IS NULL").fetchone()[0]
    spec = pipelines.get("web_activity").periods
    [result] = cli.run_pipeline("web_activity", [spec.parse(day.isoformat())], "full")
    out = capsys.readouterr().out
    _no_log_noise(out + capsys.readouterr().err)
    [line] = out.splitlines()
    assert line.startswith(f"  [web_activity]   1/1 {day} ok")
    assert "warning: hosts_cumulated: " in line and "issue=events with NULL host rejected" in line
    assert result.log_path.exists()  # the run's raw output goes there


def test_a_failed_run_names_the_task_and_its_whole_error(airflow_warehouse, monkeypatch, capsys):
    with warehouse.connect(airflow_warehouse, autocommit=True) as conn:
        gen_actors.generate_player_seasons(conn, seed=3, scale=0.05)
        first = conn.execute("SELECT min(season) FROM raw.player_seasons").fetchone()[0]
        conn.execute("INSERT INTO raw.player_seasons SELECT * FROM raw.player_seasons "
                     "WHERE season = %s ORDER BY player_name LIMIT 2", (first,))
        dupes = [r[0] for r in conn.execute("SELECT player_name FROM raw.player_seasons WHERE season = %s "
                                            "GROUP BY 1 HAVING count(*) > 1 ORDER BY 1", (first,))]
    monkeypatch.setenv("WAREHOUSE_URL", airflow_warehouse)
    monkeypatch.setattr(cli, "_start_airflow", lambda target: 0.0)  # the test session's Airflow is set up
    assert len(dupes) == 2
    assert cli.main(["run", "players", "--from", str(first), "--to", str(first + 1)]) == 1
    captured = capsys.readouterr()
    _no_log_noise(captured.out + captured.err)
    lines = captured.out.splitlines()
    assert lines[0].startswith(f"  [players]   1/2 {first}       FAILED") and lines[0].endswith("in check_sources")
    assert f"source checks failed for players period {first}; nothing was published:" in lines[1]
    for name in dupes:  # the error that names the bad keys is kept whole
        assert f"player_name={name}" in captured.out
    assert "did not run (an upstream task failed): audit, publish, stage" in captured.out
    log = Path(captured.out.split("full log: ")[1].split()[0])  # one file per run
    assert log.parent == airflow_runner.log_path("players", str(first)).parent and log.name.startswith(f"{first}__")
    assert "Traceback" in log.read_text()  # the details are there
    assert "2/2" not in captured.out  # later periods do not run
    assert captured.err.splitlines() == [
        f"error: players {first} failed in check_sources; published data for earlier periods is intact"]


def test_printed_warehouse_urls_hide_the_password(monkeypatch, capsys):
    monkeypatch.setattr(warehouse, "target", lambda: warehouse.Target("postgresql://u:s3cret@h:5432/db", "WAREHOUSE_URL"))
    assert cli.main(["warehouse", "url"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "u:***@h:5432/db" in out


def test_rerunning_a_past_day_of_a_cumulative_pipeline_points_to_repair(airflow_warehouse, monkeypatch, capsys):
    import datetime as dt

    from include import loads, pipelines
    from include.periods import Period

    web = pipelines.get("web_activity")
    with warehouse.connect(airflow_warehouse, autocommit=True) as conn:
        loads.ensure_schema(conn, web)
        conn.execute("INSERT INTO analytics.hosts_cumulated VALUES ('h1', ARRAY[DATE '2023-01-05'], DATE '2023-01-05')")
        cli._say_later_periods_hint(warehouse.Target(airflow_warehouse, "WAREHOUSE_URL"), web,
                                    Period("day", dt.date(2023, 1, 2)))
        cli._say_later_periods_hint(warehouse.Target(airflow_warehouse, "WAREHOUSE_URL"), web,
                                    Period("day", dt.date(2023, 1, 5)))  # the latest: nothing to say
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "published up to 2023-01-05" in out[0]
    assert "`make repair PIPELINE=web_activity FROM=2023-01-02`" in out[0]


def test_a_run_after_a_failed_earlier_period_does_not_wait_forever(airflow_warehouse):
    """depends_on_past would make `dag.test` wait forever on the failed previous run: the command
    line runs periods in order itself, so its runs go without it (a subprocess, so a regression
    times out instead of hanging the suite)."""
    import os
    import subprocess
    import sys

    with warehouse.connect(airflow_warehouse, autocommit=True) as conn:
        files.ensure_raw_tables(conn)
        conn.execute("INSERT INTO raw.player_seasons (player_name, season, pts) "
                     "VALUES ('A', 1996, 10), ('A', 1996, 12), ('B', 1997, 25)")
    env = {**os.environ, "WAREHOUSE_URL": airflow_warehouse}
    cmd = [sys.executable, "-m", "include.cli", "run", "players", "--from"]
    failed = subprocess.run(cmd + ["1996"], env=env, capture_output=True, text=True, timeout=240)
    assert failed.returncode == 1 and "player_name=A" in failed.stdout
    with warehouse.connect(airflow_warehouse, autocommit=True) as conn:
        conn.execute("DELETE FROM raw.player_seasons WHERE season = 1996")
    ok = subprocess.run(cmd + ["1997"], env=env, capture_output=True, text=True, timeout=240)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    with warehouse.connect(airflow_warehouse) as conn:
        assert conn.execute("SELECT player_name, scoring_class FROM analytics.players").fetchall() == [("B", "star")]
