"""docker-compose.yaml, Dockerfile and .env.example: what can be checked without a Docker engine.

The file parses, every service the code expects exists, the project folders are mounted where
``PYTHONPATH`` makes ``include`` importable, the connections the code reads are set, and the env
template defines every variable compose references without carrying a real-looking secret.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from include.settings import PROJECT_ROOT, WAREHOUSE_CONN_ID

COMPOSE = PROJECT_ROOT / "docker-compose.yaml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"

AIRFLOW_SERVICES = {
    "airflow-api-server": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
MOUNTED = ("dags", "include", "plugins", "runbooks")
# Variables the code reads that are deliberately not set by compose, and why.
NOT_FOR_COMPOSE = {
    "WAREHOUSE_URL": "the CLI's override; in compose the warehouse is AIRFLOW_CONN_WAREHOUSE (read next)",
    "BOOTCAMP_DATA": "local data folder for the CLI/tests",
    "HALO_WAREHOUSE": "CLI flag default of the local Spark job",
    "PIPELINE_OPS_DEADLINES": "test switch; production uses the default (auto)",
    "PYSPARK_GATEWAY_PORT": "set by pyspark itself",
    "PYSPARK_PYTHON": "set by include/spark/session.py",
    "PYSPARK_DRIVER_PYTHON": "set by include/spark/session.py",
    "AIRFLOW__API__BASE_URL": "set (from AIRFLOW_BASE_URL)",
    "JAVA_HOME": "set by the image (Dockerfile installs the JRE)",
    "PATH": "the image's",
    "AIRFLOW_HOME": "set by the official image (/opt/airflow)",
    "PIPELINE_OPS_LOCAL_RUN_LOG": "set by the command-line runner (make run / make demo) only",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())  # safe_load resolves the x-airflow-common merge keys


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    out = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def _code_env_reads() -> set[str]:
    """Every environment variable name read in include/, dags/ and plugins/."""
    pat = re.compile(r"""os\.environ(?:\.get|\.setdefault)?\s*[\(\[]\s*["']([A-Z0-9_]+)["']|getenv\(\s*["']([A-Z0-9_]+)["']""")
    names = set()
    for folder in ("include", "dags", "plugins"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            if path.name == "local_stack.py":  # the no-Docker runner sets, not reads, most of these
                continue
            for m in pat.finditer(path.read_text()):
                names.add(m.group(1) or m.group(2))
    return names


def _interpolated(text: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"(?<!\$)\$\{([A-Z0-9_]+)(?:[:?-][^}]*)?\}", text)}


# --- structure --------------------------------------------------------------------------------

def test_every_service_exists(compose):
    services = compose["services"]
    expected = set(AIRFLOW_SERVICES) | {"airflow-init", "postgres", "warehouse-db", "spark-master", "spark-worker"}
    assert expected <= set(services), f"missing: {expected - set(services)}"
    for name, component in AIRFLOW_SERVICES.items():
        assert services[name]["command"] == component
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "healthcheck" in services[name]
    assert "airflow version" in services["airflow-init"]["command"][-1]
    assert _env(services["airflow-init"])["_AIRFLOW_DB_MIGRATE"] == "true"


def test_official_image_pattern_pinned_to_the_requirements(compose):
    pin = re.search(r"^apache-airflow==(\S+)$", (PROJECT_ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert pin.startswith("3.3.")
    assert f"apache/airflow:{pin}" in DOCKERFILE.read_text()
    assert f"apache/airflow:{pin}" in compose["x-airflow-common"]["build"]["args"]["AIRFLOW_IMAGE"]
    docker = DOCKERFILE.read_text()
    assert "requirements.txt" in docker and "constraints.txt" in docker and "openjdk" in docker
    for name in ("airflow-init", *AIRFLOW_SERVICES):
        svc = compose["services"][name]
        assert svc["image"] == compose["x-airflow-common"]["image"] and "build" in svc


def test_executor_auth_and_secrets_come_from_env(compose):
    for name in AIRFLOW_SERVICES:
        env = _env(compose["services"][name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == "${AIRFLOW_JWT_SECRET}"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-api-server:8080/execution/"
        assert "@postgres:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def test_project_folders_are_mounted_and_importable(compose):
    for name in ("airflow-init", *AIRFLOW_SERVICES):
        svc = compose["services"][name]
        mounts = {v.split(":")[1]: v.split(":")[0] for v in svc["volumes"]}
        for folder in MOUNTED:
            assert mounts.get(f"/opt/airflow/{folder}") == f"./{folder}", f"{name} does not mount {folder}"
            assert (PROJECT_ROOT / folder).is_dir()
        env = _env(svc)
        assert env["PYTHONPATH"] == "/opt/airflow"  # `import include...` works in DAGs and tasks
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/dags"
        assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == "/opt/airflow/plugins"
    # the runbooks the plugin renders are where include.settings looks for them
    from include.settings import RUNBOOKS_DIR

    assert RUNBOOKS_DIR.relative_to(PROJECT_ROOT) == Path("runbooks")


def test_metadata_and_warehouse_are_separate_servers(compose, env_example):
    s = compose["services"]
    assert s["postgres"]["image"].startswith("postgres:") and s["warehouse-db"]["image"].startswith("postgres:")
    assert _env(s["postgres"])["POSTGRES_DB"] == "${AIRFLOW_DB_NAME}"
    assert _env(s["warehouse-db"])["POSTGRES_DB"] == "${WAREHOUSE_DB_NAME}"
    assert set(s["postgres"]["volumes"]).isdisjoint(s["warehouse-db"]["volumes"])
    from include.warehouse import _url_from_airflow_conn
    from urllib.parse import urlsplit

    url = urlsplit(_url_from_airflow_conn(env_example["AIRFLOW_CONN_WAREHOUSE"]))
    assert (url.hostname, url.port, url.path.lstrip("/")) == ("warehouse-db", 5432, env_example["WAREHOUSE_DB_NAME"])
    assert (url.username, url.password) == (env_example["WAREHOUSE_DB_USER"], env_example["WAREHOUSE_DB_PASSWORD"])


def test_spark_cluster_and_connection(compose, env_example):
    s = compose["services"]
    assert "org.apache.spark.deploy.master.Master" in s["spark-master"]["command"]
    assert "spark://spark-master:7077" in s["spark-worker"]["command"]
    pyspark = re.search(r"^pyspark==(\S+)$", (PROJECT_ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert env_example["SPARK_IMAGE"] == f"apache/spark:{pyspark}", "Spark cluster and pyspark must match"
    from airflow.models.connection import Connection

    c = Connection(conn_id="spark_default", uri=env_example["AIRFLOW_CONN_SPARK_DEFAULT"])
    # the spark provider builds the master URL as conn_type://host:port
    assert (c.conn_type, c.host, c.port) == ("spark", "spark-master", 7077)
    # the Spark DAGs' exports and outputs must be at the same path for Airflow and the workers
    data_dir = _env(s["airflow-scheduler"])["SPARK_DATA_DIR"]
    for name in ("airflow-scheduler", "spark-worker"):
        assert any(v.endswith(":" + data_dir) and not v.startswith(".") for v in s[name]["volumes"]), name


# --- the environment the code reads -----------------------------------------------------------

def test_connection_env_vars_match_what_the_code_reads(compose):
    reads = _code_env_reads()
    assert {"WAREHOUSE_URL", "AIRFLOW_CONN_WAREHOUSE", "SLACK_WEBHOOK_URL", "SMTP_HOST"} <= reads, reads
    env = _env(compose["services"]["airflow-scheduler"])
    missing = {v for v in reads if v not in env and v not in NOT_FOR_COMPOSE}
    assert not missing, f"the code reads {sorted(missing)} but compose does not set them"
    # every Airflow connection id the code uses is set as AIRFLOW_CONN_<ID>
    conn_ids = {WAREHOUSE_CONN_ID, "spark_default"}
    for path in [*(PROJECT_ROOT / "dags").rglob("*.py"), *(PROJECT_ROOT / "include").rglob("*.py")]:
        conn_ids |= set(re.findall(r"""conn_id\s*=\s*["']([a-z0-9_]+)["']""", path.read_text()))
    for cid in conn_ids:
        assert env.get(f"AIRFLOW_CONN_{cid.upper()}") == f"${{AIRFLOW_CONN_{cid.upper()}}}", cid
    for name in AIRFLOW_SERVICES:  # all components see the same settings
        assert _env(compose["services"][name]) == env


def test_env_example_defines_everything_compose_references(env_example):
    referenced = _interpolated(COMPOSE.read_text())
    assert {"AIRFLOW_CONN_WAREHOUSE", "AIRFLOW_CONN_SPARK_DEFAULT", "AIRFLOW_JWT_SECRET"} <= referenced
    missing = referenced - set(env_example)
    assert not missing, f".env.example lacks {sorted(missing)}"


def _entropy(s: str) -> float:
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def test_env_example_has_no_real_looking_secrets(env_example):
    secretish = re.compile(r"PASSWORD|SECRET|TOKEN|KEY|WEBHOOK", re.I)
    for key, value in env_example.items():
        if secretish.search(key):
            assert value == "" or value.startswith("change-me"), f"{key} looks like a real secret"
        for pw in re.findall(r"://[^:/@]+:([^@]+)@", value):  # passwords inside URIs
            assert pw.startswith("change-me"), f"{key} embeds a real-looking password"
        for token in re.findall(r"[A-Za-z0-9_\-+/=]{24,}", value):
            assert _entropy(token) < 4.0 or "change-me" in token, f"{key} holds a random-looking token"
    assert not (PROJECT_ROOT / ".env").exists() or _is_git_ignored(".env")


def _is_git_ignored(path: str) -> bool:
    import subprocess

    return subprocess.run(["git", "check-ignore", "-q", path], cwd=PROJECT_ROOT).returncode == 0


def test_generated_auth_file_folder_is_not_committed():
    assert (PROJECT_ROOT / "config" / ".gitignore").read_text().splitlines()[-2:] == ["*", "!.gitignore"]
