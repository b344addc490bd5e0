"""The embedded warehouse asks for a password: no local account gets in as superuser for free.

The shared server (started by conftest) is only read here; initialising and migrating
happen on throwaway clusters in a temporary folder.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from include import warehouse


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username}@{parts.hostname}:{parts.port}").geturl()


def _assert_refused(url: str) -> None:
    # pg_reload_conf() is asynchronous: give the postmaster a moment to apply the new rules.
    deadline = time.monotonic() + 10
    while True:
        try:
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.OperationalError as err:
            assert "password" in str(err)
            return
        assert time.monotonic() < deadline, f"{url} still connects without a password"
        time.sleep(0.2)


@pytest.fixture(autouse=True)
def _no_ambient_password(monkeypatch, tmp_path):
    # A password from the environment or ~/.pgpass would make "refused" checks meaningless.
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))


# --- the shared server --------------------------------------------------------------

def test_connection_without_password_is_refused():
    _assert_refused(_without_password(warehouse.embedded_url("postgres")))


def test_embedded_url_carries_the_password_and_connects():
    url = warehouse.embedded_url("postgres")
    assert urlsplit(url).password == warehouse.PASSWORD_FILE.read_text().strip()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
        assert conn.execute("SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'").fetchone() == (0,)
    # the Airflow connection built from it carries the password too
    assert json.loads(warehouse.airflow_conn_json(url))["password"] == urlsplit(url).password


def test_password_file_and_folder_are_private():
    assert stat.S_IMODE(warehouse.PASSWORD_FILE.stat().st_mode) == 0o600
    assert warehouse.PASSWORD_FILE.stat().st_uid == os.geteuid()  # the client reads it, not the server
    assert stat.S_IMODE(warehouse.EMBEDDED_DIR.stat().st_mode) == 0o700


def test_redact_hides_the_password():
    url = warehouse.embedded_url("warehouse")
    password = urlsplit(url).password
    shown = warehouse.redact(url)
    assert password not in shown
    assert shown == f"postgresql://postgres:***@127.0.0.1:{warehouse.PORT_FILE.read_text()}/warehouse"
    assert warehouse.redact(url.replace("postgresql://", "postgresql+psycopg2://")).startswith(
        "postgresql+psycopg2://postgres:***@")
    assert warehouse.redact("postgresql://u@h:5432/db") == "postgresql://u@h:5432/db"
    assert password not in repr(warehouse.Target(url, "embedded"))


# --- throwaway clusters -------------------------------------------------------------

@pytest.fixture
def throwaway(monkeypatch):
    """The module pointed at an empty folder; the cluster started there is stopped and deleted after."""
    base = Path(tempfile.mkdtemp(prefix="pipeline-ops-auth-test-"))
    base.chmod(0o711)  # as root the server runs as another account, which must traverse it
    embedded = base / "warehouse"
    for name, path in {"EMBEDDED_DIR": embedded, "PGDATA": embedded / "pgdata", "PORT_FILE": embedded / "port",
                       "LOG_FILE": embedded / "postgres.log", "PASSWORD_FILE": embedded / "password"}.items():
        monkeypatch.setattr(warehouse, name, path)
    yield embedded
    subprocess.run([warehouse._bin("pg_ctl"), "-D", str(embedded / "pgdata"), "-m", "immediate", "-w", "stop"],
                   capture_output=True, **warehouse._run_as())
    shutil.rmtree(base, ignore_errors=True)


def _small_conf(pgdata: Path) -> None:
    with open(pgdata / "postgresql.conf", "a") as conf:
        conf.write("\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nshared_buffers = 16MB\n")


def test_new_cluster_requires_the_password(throwaway):
    url = warehouse.start_embedded(quiet=True).url
    assert not list(throwaway.glob(".initdb-*"))  # the initdb password file is gone
    assert stat.S_IMODE(warehouse.PASSWORD_FILE.stat().st_mode) == 0o600
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("warehouse",)
    _assert_refused(_without_password(url))


def test_trust_cluster_is_migrated_with_its_data(throwaway):
    # A cluster as the module made them before passwords: initdb --auth=trust, with some data.
    pgdata, run_as, pg_ctl = warehouse.PGDATA, warehouse._run_as(), warehouse._bin("pg_ctl")
    throwaway.mkdir(mode=0o700)
    if run_as:
        os.chown(throwaway, run_as["user"], run_as["group"])
    subprocess.run([warehouse._bin("initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust", "--no-sync"],
                   check=True, capture_output=True, **run_as)
    _small_conf(pgdata)
    port = warehouse._free_port()
    warehouse.PORT_FILE.write_text(str(port))
    # -l: without a log file the server would hold our captured stdout open, and run() would never return
    subprocess.run([pg_ctl, "-D", str(pgdata), "-l", str(warehouse.LOG_FILE), "-o", f"-p {port}", "-w", "start"],
                   check=True, capture_output=True, timeout=60, **run_as)
    trust_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    with psycopg.connect(trust_url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE warehouse")
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/warehouse", autocommit=True) as conn:
        conn.execute("CREATE TABLE kept AS SELECT 42 AS answer")
    subprocess.run([pg_ctl, "-D", str(pgdata), "-w", "stop"], check=True, capture_output=True, **run_as)
    assert not warehouse.PASSWORD_FILE.exists()

    url = warehouse.start_embedded(quiet=True).url

    assert stat.S_IMODE(warehouse.PASSWORD_FILE.stat().st_mode) == 0o600
    lines = (pgdata / "pg_hba.conf").read_text().splitlines()
    rules = [line.split() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert rules and all(rule[-1] == "scram-sha-256" for rule in rules)
    _assert_refused(trust_url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT answer FROM kept").fetchone() == (42,)

    # restarted, it stays migrated and reachable with the same password
    assert warehouse.stop_embedded()
    assert warehouse.start_embedded(quiet=True).url == url
    _assert_refused(trust_url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT answer FROM kept").fetchone() == (42,)
