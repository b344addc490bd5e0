"""The Airflow UI on this machine, without Docker: ``make up`` / ``make down``.

    python -m include.local_stack up       # start (or reuse) the four components, print URL + login
    python -m include.local_stack status   # which components run, health
    python -m include.local_stack down     # stop what `up` started

Starts the real Airflow 3 components (api-server, scheduler, dag-processor,
triggerer) with the LocalExecutor, sized for 2 cores, on their own project-local
home ``.state/airflow-ui`` and metadata database ``airflow_ui`` on the embedded
PostgreSQL. That is deliberately not the CLI's ``.state/airflow``: a UI left
running and ``make demo`` never share a metadata DB (a scheduler executes the
leftovers it finds there).

Login uses Airflow's simple auth manager: user ``admin`` with a password
generated on the first ``up`` and kept in ``.state/airflow-ui/passwords.json``
(git-ignored, mode 600). The JWT and API secrets are generated once too and
kept in ``.state/airflow-ui/secrets.json``. Nothing secret is in the repo.

Components run detached in their own process groups; their pids are in
``.state/airflow-ui/pids/`` and ``down`` ends exactly those groups.
Logs: ``.state/airflow-ui/logs/<component>.log``.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from include.settings import DAGS_DIR, PLUGINS_DIR, PROJECT_ROOT, STATE_DIR, airflow_env, url_fingerprint

HOME = STATE_DIR / "airflow-ui"
METADATA_DB = "airflow_ui"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
PID_DIR = HOME / "pids"
LOG_DIR = HOME / "logs"
PASSWORDS_FILE = HOME / "passwords.json"
SECRETS_FILE = HOME / "secrets.json"
PORT_FILE = HOME / "port"
ENV_FILE = HOME / "env.sh"  # `source` it to point the airflow CLI at this stack
DEFAULT_PORT = 8080
USER = "admin"
AIRFLOW = str(Path(sys.executable).parent / "airflow")


class StackError(RuntimeError):
    pass


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _private_json(path: Path, make) -> dict:
    """Read a JSON file of secrets, creating it (mode 600) the first time."""
    if path.exists():
        return json.loads(path.read_text())
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(value, f)
    return value


def passwords() -> dict[str, str]:
    return _private_json(PASSWORDS_FILE, lambda: {USER: secrets.token_urlsafe(16)})


def _secrets() -> dict[str, str]:
    return _private_json(SECRETS_FILE, lambda: {
        "jwt_secret": secrets.token_urlsafe(64),   # 86 chars from 64 random bytes
        "api_secret_key": secrets.token_urlsafe(32),
    })


def port() -> int:
    if PORT_FILE.exists():
        return int(PORT_FILE.read_text())
    p = int(os.environ.get("AIRFLOW_UI_PORT", DEFAULT_PORT))
    return p


def base_url() -> str:
    return f"http://localhost:{port()}"


def environment() -> dict[str, str]:
    """Everything the four components need: home, metadata DB, warehouse connection, auth, ports."""
    from include import warehouse

    target = warehouse.target()  # WAREHOUSE_URL / AIRFLOW_CONN_WAREHOUSE / the embedded one
    metadata_url = os.environ.get("AIRFLOW_UI_SQL_ALCHEMY_CONN")
    if not metadata_url:
        warehouse.start_embedded(quiet=True)
        warehouse.ensure_database(METADATA_DB)
        metadata_url = warehouse.embedded_url(METADATA_DB).replace("postgresql://", "postgresql+psycopg2://")
    sec = _secrets()
    passwords()
    url = base_url()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(airflow_env(HOME, metadata_url))
    env.update({
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # Nothing runs until someone asks: schedules start when a DAG is unpaused in the UI
        # (an unpaused yearly/daily DAG would at once run its latest interval and page on-call).
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__PARALLELISM": "4",  # 2 cores
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(PASSWORDS_FILE),
        "AIRFLOW__API_AUTH__JWT_SECRET": sec["jwt_secret"],
        "AIRFLOW__API__SECRET_KEY": sec["api_secret_key"],
        "AIRFLOW__API__HOST": os.environ.get("AIRFLOW_UI_HOST", "127.0.0.1"),
        "AIRFLOW__API__PORT": str(port()),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.2",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(LOG_DIR / "tasks"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
        "AIRFLOW_CONN_WAREHOUSE": warehouse.airflow_conn_json(target.url),
    })
    return env


def _pid(name: str) -> int | None:
    f = PID_DIR / f"{name}.pid"
    if not f.exists():
        return None
    pid = int(f.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    # a recycled pid belongs to someone else: only trust it if it is an airflow process
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        if "airflow" not in cmd:
            return None
    except OSError:
        pass
    return pid


def running() -> dict[str, int | None]:
    return {name: _pid(name) for name in COMPONENTS}


def health(timeout: float = 2) -> dict | None:
    try:
        with urllib.request.urlopen(f"{base_url()}/api/v2/monitor/health", timeout=timeout) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _healthy(h: dict | None) -> bool:
    return bool(h) and all((h.get(k) or {}).get("status") == "healthy"
                           for k in ("metadatabase", "scheduler", "triggerer", "dag_processor"))


def wait_healthy(timeout: float = 120, started: dict[str, subprocess.Popen] | None = None) -> dict:
    deadline = time.monotonic() + timeout
    h = None
    while time.monotonic() < deadline:
        if started:  # our own children: ask them (a child still exec'ing has no airflow cmdline yet)
            dead = [n for n, p in started.items() if p.poll() is not None]
        else:
            dead = [n for n, p in running().items() if p is None]
        if dead:
            raise StackError(f"{', '.join(dead)} exited; see {LOG_DIR}/\n" + _tail(dead[0]))
        h = health()
        if _healthy(h):
            return h
        time.sleep(0.5)
    raise StackError(f"not healthy after {timeout:.0f}s: {h}; logs in {LOG_DIR}")


def _tail(name: str, chars: int = 2500) -> str:
    p = LOG_DIR / f"{name}.log"
    return p.read_text(errors="replace")[-chars:] if p.exists() else "(no log)"


def _migrate(env: dict[str, str]) -> None:
    import airflow

    stamp = HOME / f".migrated-{airflow.__version__}"
    url = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    if stamp.exists() and stamp.read_text() == url_fingerprint(url):
        return
    r = subprocess.run([AIRFLOW, "db", "migrate"], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    if r.returncode != 0:
        raise StackError(f"airflow db migrate failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    stamp.write_text(url_fingerprint(url))


def up(timeout: float = 120) -> dict:
    HOME.mkdir(parents=True, exist_ok=True)
    PID_DIR.mkdir(exist_ok=True)
    LOG_DIR.mkdir(exist_ok=True)
    already = running()
    if all(already.values()) and _healthy(health()):
        return info()
    if any(already.values()):
        down()  # half a stack: start clean
    if not PORT_FILE.exists() or not _port_free(port()):
        p = port() if not PORT_FILE.exists() else DEFAULT_PORT
        if not _port_free(p):
            p = _free_port()
        PORT_FILE.write_text(str(p))
    env = environment()
    # move the log servers off their defaults so this stack coexists with test stacks
    env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(_free_port())
    env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(_free_port())
    _migrate(env)
    _write_env_file(env)
    started = {}
    for name in COMPONENTS:
        log = open(LOG_DIR / f"{name}.log", "a")
        started[name] = subprocess.Popen([AIRFLOW, name], env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=PROJECT_ROOT, start_new_session=True)
        log.close()
        (PID_DIR / f"{name}.pid").write_text(str(started[name].pid))
    try:
        wait_healthy(timeout, started)
    except StackError:
        down()
        raise
    return info()


def _write_env_file(env: dict[str, str]) -> None:
    """The stack's settings as shell exports (mode 600: it holds the metadata DB URL), so that
    runbook commands such as `airflow dags trigger ...` work as written against this stack."""
    import shlex

    keys = sorted(k for k in env if k.startswith("AIRFLOW") or k in ("PYTHONPATH", "SODA_CORE_TELEMETRY_ENABLED"))
    lines = ["# written by `make up`: source it to use the airflow CLI against the running stack"]
    lines += [f"export {k}={shlex.quote(env[k])}" for k in keys]
    lines.append("export AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING  # the components log at INFO; the CLI needs less")
    lines.append(f"export PATH={shlex.quote(str(Path(AIRFLOW).parent))}:\"$PATH\"")
    fd = os.open(ENV_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")


def down(timeout: float = 30) -> list[str]:
    """Stop the process groups `up` started (and nothing else)."""
    stopped = []
    pids = running()
    for name, pid in pids.items():
        if pid:
            try:
                os.killpg(pid, signal.SIGTERM)
                stopped.append(name)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout
    for name, pid in pids.items():
        if not pid:
            continue
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for name in COMPONENTS:
        (PID_DIR / f"{name}.pid").unlink(missing_ok=True)
    return stopped


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        return state != "Z"
    except OSError:
        return True


def info() -> dict:
    return {"url": base_url(), "user": USER, "password": passwords()[USER], "password_file": str(PASSWORDS_FILE),
            "logs": str(LOG_DIR), "env_file": str(ENV_FILE), "components": running()}


def _print_info(i: dict) -> None:
    print(f"Airflow UI:  {i['url']}")
    print(f"user:        {i['user']}")
    print(f"password:    {i['password']}  (generated on the first up; kept in {i['password_file']})")
    print(f"airflow CLI: source {i['env_file']}   (then e.g. the runbooks' `airflow dags trigger` commands)")
    print("DAGs start paused: nothing runs until you unpause one (UI: 'Unpause on trigger' in the Trigger form).")
    print("             Unpausing also starts the schedule: its latest interval runs at once (e.g. players for last")
    print("             year) and pages if its sources or the previous period are missing. Give a period instead.")
    print(f"logs:        {i['logs']}/")
    print("stop with:   make down")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m include.local_stack", description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["up", "down", "status"])
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args(argv)
    try:
        if a.command == "up":
            print("starting Airflow (api-server, scheduler, dag-processor, triggerer) ...", flush=True)
            started = time.monotonic()
            i = up(a.timeout)
            print(f"healthy in {time.monotonic() - started:.0f} s")
            _print_info(i)
        elif a.command == "down":
            stopped = down()
            print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        else:
            r = running()
            for name, pid in r.items():
                print(f"{name:14} {'running (pid %d)' % pid if pid else 'stopped'}")
            h = health() if any(r.values()) else None
            print(f"health:        {'healthy' if _healthy(h) else (h or 'not answering')}")
            if any(r.values()):
                _print_info(info())
            return 0 if all(r.values()) and _healthy(h) else 3
    except StackError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
