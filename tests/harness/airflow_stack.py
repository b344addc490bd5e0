"""A real Airflow for tests: api-server, scheduler, dag-processor and triggerer.

    with AirflowStack(dags_folder=tmp_dags) as stack:
        api = stack.client()                       # authenticated httpx client (admin)
        run = stack.trigger("my_dag", conf={"period": "1997"})
        stack.wait_for_run("my_dag", run["dag_run_id"])

Each stack gets a temporary AIRFLOW_HOME, its own metadata database on the
embedded PostgreSQL (SQLite locks under backfills), free ports for the API
and the log servers, the simple auth manager with generated passwords
(``admin`` and ``viewer``), LocalExecutor with parallelism 4 and a tuned
scheduler loop. ``stop()`` ends only the processes it started (by process
group id) and drops its database. Logs: ``<home>/logs/<component>.log``.

Reusable for backfill and browser tests (``stack.base_url``,
``stack.password("admin")``, ``stack.cli("backfill", "create", ...)``).
Run by hand: ``python -m tests.harness.airflow_stack --dags dags`` keeps a
stack up until Ctrl-C and prints the URL and the admin password.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from include import warehouse
from include.settings import PLUGINS_DIR, PROJECT_ROOT, airflow_env

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
AIRFLOW = str(Path(sys.executable).parent / "airflow")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AirflowStackError(RuntimeError):
    pass


class AirflowStack:
    def __init__(self, dags_folder: Path | str, *, extra_env: dict[str, str] | None = None,
                 home: Path | None = None, keep_home: bool = False):
        self.dags_folder = Path(dags_folder)
        self.home = Path(home) if home else Path(tempfile.mkdtemp(prefix="pipeline-ops-stack-"))
        self.keep_home = keep_home or home is not None
        self.port = free_port()
        self.base_url = f"http://localhost:{self.port}"
        self.db_name = f"stack_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.alerts_log = self.home / "alerts.jsonl"
        self._passwords = {"admin": secrets.token_urlsafe(12), "viewer": secrets.token_urlsafe(12)}
        self._procs: dict[str, subprocess.Popen] = {}
        self._logs: dict[str, object] = {}
        self._token: str | None = None
        self.extra_env = extra_env or {}
        self.env: dict[str, str] = {}

    # --- lifecycle ---------------------------------------------------------------------
    def _build_env(self) -> dict[str, str]:
        warehouse.start_embedded(quiet=True)
        warehouse.ensure_database(self.db_name)
        url = warehouse.embedded_url(self.db_name).replace("postgresql://", "postgresql+psycopg2://")
        pw_file = self.home / "simple_auth_manager_passwords.json"
        pw_file.write_text(json.dumps(self._passwords))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env.update(airflow_env(self.home, url))
        env.update({
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__AUTH_MANAGER":
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin,viewer:viewer",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(pw_file),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__BASE_URL": self.base_url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "ALERTS_LOG": str(self.alerts_log),
            "PIPELINE_STATE_DIR": str(warehouse.EMBEDDED_DIR.parent),
        })
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90) -> "AirflowStack":
        self.env = self._build_env()
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        r = subprocess.run([AIRFLOW, "db", "migrate"], env=self.env, capture_output=True, text=True,
                           cwd=PROJECT_ROOT, timeout=300)
        if r.returncode != 0:
            raise AirflowStackError(f"airflow db migrate failed:\n{r.stderr[-3000:]}")
        for name in COMPONENTS:
            log = open(self.home / "logs" / f"{name}.log", "w")
            self._logs[name] = log
            self._procs[name] = subprocess.Popen([AIRFLOW, name], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                 cwd=PROJECT_ROOT, start_new_session=True)
        try:
            self.wait_healthy(timeout)
        except Exception:
            self.stop()
            raise
        return self

    def wait_healthy(self, timeout: float = 90) -> dict:
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            for name, p in self._procs.items():
                if p.poll() is not None:
                    raise AirflowStackError(f"{name} exited with {p.returncode}:\n{self.log_tail(name)}")
            try:
                last = httpx.get(f"{self.base_url}/api/v2/monitor/health", timeout=2).json()
                if all((last.get(k) or {}).get("status") == "healthy"
                       for k in ("metadatabase", "scheduler", "triggerer", "dag_processor")):
                    return last
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        raise AirflowStackError(f"not healthy after {timeout}s: {last}\n" +
                                "\n".join(self.log_tail(n, 1500) for n in self._procs))

    def stop(self) -> None:
        for name, p in self._procs.items():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)  # our own process group only
                except ProcessLookupError:
                    pass
        for name, p in self._procs.items():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(timeout=10)
        for log in self._logs.values():
            log.close()
        self._procs.clear()
        try:
            warehouse.drop_database(self.db_name)
        except Exception:  # noqa: BLE001 - best effort; connections may linger a moment
            time.sleep(1)
            try:
                warehouse.drop_database(self.db_name)
            except Exception:
                pass
        if not self.keep_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "AirflowStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- using it --------------------------------------------------------------------
    def password(self, user: str = "admin") -> str:
        return self._passwords[user]

    def token(self, user: str = "admin") -> str:
        r = httpx.post(f"{self.base_url}/auth/token", json={"username": user, "password": self._passwords[user]},
                       timeout=10)
        r.raise_for_status()
        return r.json()["access_token"]

    def client(self, user: str = "admin") -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30,
                            headers={"Authorization": f"Bearer {self.token(user)}"})

    def cli(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        r = subprocess.run([AIRFLOW, *args], env=self.env, capture_output=True, text=True, cwd=PROJECT_ROOT,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AirflowStackError(f"airflow {' '.join(args)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        return r

    def wait_for_dag(self, dag_id: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        with self.client() as api:
            while time.monotonic() < deadline:
                r = api.get(f"/api/v2/dags/{dag_id}")
                if r.status_code == 200:
                    if r.json().get("is_paused"):
                        api.patch(f"/api/v2/dags/{dag_id}", json={"is_paused": False}).raise_for_status()
                    return r.json()
                time.sleep(0.5)
            errors = api.get("/api/v2/importErrors").json()
        raise AirflowStackError(f"DAG {dag_id} not parsed after {timeout}s; import errors: {errors}")

    def trigger(self, dag_id: str, conf: dict | None = None, logical_date: str | None = None) -> dict:
        self.wait_for_dag(dag_id)
        with self.client() as api:
            r = api.post(f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": logical_date, "conf": conf or {}})
            if r.status_code >= 300:
                raise AirflowStackError(f"trigger {dag_id}: {r.status_code} {r.text}")
            return r.json()

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 120,
                     states=("success", "failed")) -> dict:
        deadline = time.monotonic() + timeout
        with self.client() as api:
            while time.monotonic() < deadline:
                run = api.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json()
                if run.get("state") in states:
                    return run
                time.sleep(0.5)
        raise AirflowStackError(f"run {dag_id}/{run_id} not in {states} after {timeout}s: {run}")

    def alerts(self) -> list[dict]:
        if not self.alerts_log.exists():
            return []
        return [json.loads(line) for line in self.alerts_log.read_text().splitlines() if line.strip()]

    def wait_for_alerts(self, predicate, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [a for a in self.alerts() if predicate(a)]
            if found:
                return found
            time.sleep(0.5)
        raise AirflowStackError(f"no matching alert after {timeout}s; alerts: {self.alerts()}\n"
                                f"{self.log_tail('triggerer', 3000)}")

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.home / "logs" / f"{name}.log"
        return f"--- {name} ---\n" + (path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)")


def main() -> int:
    import argparse

    p = argparse.ArgumentParser(description="Start a throwaway Airflow stack on a folder of DAGs.")
    p.add_argument("--dags", default=str(PROJECT_ROOT / "dags"))
    args = p.parse_args()
    with AirflowStack(Path(args.dags).resolve()) as stack:
        print(f"Airflow at {stack.base_url} - admin / {stack.password('admin')} (Ctrl-C stops)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
