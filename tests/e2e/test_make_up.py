"""`make up` / `make down` (include/local_stack.py) as a user runs them: the four real
components come up healthy, the printed password logs in, the DAGs are listed paused (nothing
runs or pages until someone asks), the printed env file points the airflow CLI at the stack,
and `down` leaves no process behind."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from include.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stack(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "include.local_stack", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def stack_env(tmp_path, db_url):
    from tests.conftest import _new_database

    metadata = _new_database().replace("postgresql://", "postgresql+psycopg2://")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(PIPELINE_STATE_DIR=str(tmp_path / "state"), WAREHOUSE_URL=db_url,
               AIRFLOW_UI_SQL_ALCHEMY_CONN=metadata, AIRFLOW_UI_PORT=str(_free_port()))
    yield env
    _stack(env, "down", timeout=60)


def test_make_up_prints_a_working_login_and_cli_env_with_dags_paused(stack_env, tmp_path):
    up = _stack(stack_env, "up", "--timeout", "180")
    logs = "".join(f"\n== {f.name}\n" + f.read_text(errors="replace")[-1500:]
                   for f in sorted((tmp_path / "state" / "airflow-ui" / "logs").glob("*.log")))
    assert up.returncode == 0, up.stdout + up.stderr + logs
    url = re.search(r"^Airflow UI:\s+(\S+)$", up.stdout, re.M).group(1)
    password = re.search(r"^password:\s+(\S+)", up.stdout, re.M).group(1)
    env_file = Path(re.search(r"^airflow CLI: source (\S+)", up.stdout, re.M).group(1))
    assert url == f"http://localhost:{stack_env['AIRFLOW_UI_PORT']}"
    stored = json.loads((tmp_path / "state" / "airflow-ui" / "passwords.json").read_text())
    assert stored == {"admin": password}
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"

    assert httpx.post(f"{url}/auth/token", json={"username": "admin", "password": "wrong"}, timeout=10).status_code == 401
    r = httpx.post(f"{url}/auth/token", json={"username": "admin", "password": password}, timeout=10)
    assert r.status_code == 201, r.text
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    dags = {}
    for _ in range(60):  # the dag-processor parses the folder shortly after start
        dags = {d["dag_id"]: d for d in httpx.get(f"{url}/api/v2/dags", headers=headers, timeout=10).json()["dags"]}
        if {"players", "web_activity"} <= set(dags):
            break
        import time

        time.sleep(1)
    assert {"players", "actors", "web_activity", "game_details"} <= set(dags)
    assert all(d["is_paused"] for d in dags.values()), {k: d["is_paused"] for k, d in dags.items()}
    assert dags["players"]["owners"] == ["amara.okafor"]

    # the runbooks' airflow commands work as written once the env file is sourced
    cli = subprocess.run(["bash", "-c", f"source {env_file} && airflow dags list -o json"],
                         env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
                         capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert "players" in {d["dag_id"] for d in json.loads(cli.stdout[cli.stdout.index("[{"):])}
    assert not (tmp_path / "airflow").exists(), "the CLI must use the stack's AIRFLOW_HOME, not ~/airflow"

    # the metadata DB URL carries the warehouse password: only files closed to other users may hold it
    from urllib.parse import unquote, urlsplit

    secret = unquote(urlsplit(stack_env["AIRFLOW_UI_SQL_ALCHEMY_CONN"]).password)
    leaking = [str(f) for f in (tmp_path / "state").rglob("*") if f.is_file() and f.stat().st_mode & 0o077
               and secret in f.read_text(errors="replace")]
    assert not leaking, leaking

    down = _stack(stack_env, "down", timeout=90)
    assert down.returncode == 0 and "api-server" in down.stdout
    status = _stack(stack_env, "status", timeout=60)
    assert status.returncode == 3 and "running" not in status.stdout.replace("not running", "")
