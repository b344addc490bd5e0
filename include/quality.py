"""Data-quality gates on staged rows: Soda v4 contracts next to the SQL (write-audit-publish).

Every published table ``analytics.<table>`` has a contract
``include/sql/<pipeline>/<table>.contract.yml``. After a period is staged,
:func:`audit` verifies ``staging.<table>`` restricted to that period with
Soda Core v4, in-process and with telemetry off, and records every check's
outcome in ``audit.quality_results``. Any failing check stops the load before
``publish``: nothing reaches ``analytics`` and the staged rows stay in
``staging.<table>`` for diagnosis.

Contracts get three variables:

* ``period``   the period's key (``1996`` or ``2023-01-03``): the contract's
  ``filter`` and its SQL checks restrict themselves to it;
* ``schema``   the schema verified (``staging``; ``analytics`` to re-check
  published data by hand);
* ``database`` the warehouse database, for the dataset identifier
  ``warehouse/${var.database}/${var.schema}/<table>``.

Reading the results of a run::

    SELECT table_name, check_name, outcome, value, diagnostics
    FROM audit.quality_results WHERE run_id = '<run id from the log / error>'
    ORDER BY table_name, check_name;
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

# Soda phones home and replaces the process-wide OpenTelemetry tracer unless told not to.
os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from include.loads import LoadError, Pipeline, Table  # noqa: E402
from include.periods import Period  # noqa: E402

log = logging.getLogger(__name__)

DATA_SOURCE_NAME = "warehouse"
CONTRACT_SUFFIX = ".contract.yml"
SAMPLE_ROWS = 5

RESULTS_DDL = """
CREATE TABLE IF NOT EXISTS audit.quality_results (
    run_id       UUID        NOT NULL,
    run_at       TIMESTAMPTZ NOT NULL,
    pipeline     TEXT        NOT NULL,
    table_name   TEXT        NOT NULL,
    period       TEXT        NOT NULL,
    check_name   TEXT        NOT NULL,
    check_type   TEXT        NOT NULL,
    column_name  TEXT,
    outcome      TEXT        NOT NULL,  -- PASSED | FAILED | WARN | NOT_EVALUATED | ERROR
    value        NUMERIC,               -- the checked metric (e.g. failed rows, duplicates)
    diagnostics  JSONB       NOT NULL DEFAULT '{}'::jsonb,
    seconds      NUMERIC
);
CREATE INDEX IF NOT EXISTS quality_results_lookup
    ON audit.quality_results (pipeline, period, run_at);
"""


class QualityGateFailed(LoadError):
    """Staged rows broke their contract: nothing was published.

    ``failures`` is a list of dicts with at least ``table``, ``check`` and
    ``value`` (plus ``type``, ``column``, ``diagnostics``, ``sample``).
    """

    def __init__(self, message: str, failures: list[dict], run_id: str | None = None):
        super().__init__(message)
        self.failures = failures
        self.run_id = run_id


@dataclass(frozen=True)
class CheckOutcome:
    table: str
    check: str
    type: str
    column: str | None
    outcome: str
    value: float | None
    diagnostics: dict
    sample: list[dict] | None = None

    def as_failure(self) -> dict:
        return {"table": self.table, "check": self.check, "type": self.type, "column": self.column,
                "value": self.value, "outcome": self.outcome, "diagnostics": self.diagnostics,
                "sample": self.sample or []}


def contract_path(pipeline: Pipeline, table: Table | str) -> Path:
    name = table if isinstance(table, str) else table.name
    return pipeline.sql_dir / f"{name}{CONTRACT_SUFFIX}"


def ensure_results_table(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('pipeline-ops-ddl'))")
        conn.execute("CREATE SCHEMA IF NOT EXISTS audit")
        conn.execute(RESULTS_DDL)


def _data_source(conn: psycopg.Connection):
    """A Soda Postgres data source on the same server/database/user as ``conn`` (own connection)."""
    from soda_core.common.data_source_impl import DataSourceImpl
    from soda_core.common.yaml import DataSourceYamlSource

    info = conn.info
    yaml_text = json.dumps({  # JSON is YAML: no quoting surprises in passwords or hosts
        "type": "postgres",
        "name": DATA_SOURCE_NAME,
        "connection": {
            "host": info.host or "localhost",
            "port": int(info.port or 5432),
            "user": info.user,
            "database": info.dbname,
            "password": info.password or "",
        },
    })
    return DataSourceImpl.from_yaml_source(DataSourceYamlSource.from_str(yaml_text))


def _variables(conn: psycopg.Connection, period: Period, schema: str) -> dict[str, str]:
    return {"period": period.key, "schema": schema, "database": conn.info.dbname}


def _check_name(check) -> str:
    name = check.name or check.type
    return f"{check.column_name}: {name}" if check.column_name else name


def _number(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _json_safe(d: dict) -> dict:
    return json.loads(json.dumps(d, default=str))


_VAR = re.compile(r"\$\{ *var\.([a-zA-Z_][a-zA-Z_0-9]*) *\}")


def _failed_rows_queries(path: Path) -> dict[str, str]:
    """name -> SQL of the contract's failed_rows checks written as ``query`` (for sample rows)."""
    import yaml

    doc = yaml.safe_load(path.read_text()) or {}
    queries = {}
    for item in doc.get("checks") or []:
        if isinstance(item, dict) and "failed_rows" in item:
            body = item["failed_rows"] or {}
            if body.get("query") and body.get("name"):
                queries[body["name"]] = body["query"]
    return queries


def _sample(conn: psycopg.Connection, query: str, variables: dict[str, str]) -> list[dict]:
    """The first bad rows of a failed_rows check, to name the bad keys in the error."""
    text = _VAR.sub(lambda m: variables.get(m.group(1), m.group(0)), query).strip().rstrip(";")
    try:
        with conn.transaction():
            cur = conn.execute(
                sql.SQL("SELECT * FROM ({}) AS bad LIMIT {}").format(sql.SQL(text), sql.Literal(SAMPLE_ROWS))
            )
            cols = [c.name for c in cur.description]
            return [dict(zip(cols, (str(v) for v in row))) for row in cur.fetchall()]
    except psycopg.Error as err:  # diagnostics only: never hide the real failure behind this
        return [{"sample_error": str(err).strip()}]


def verify_table(conn: psycopg.Connection, pipeline: Pipeline, table: Table, period: Period,
                 data_source, schema: str = "staging") -> tuple[list[CheckOutcome], float]:
    """Verify one table's contract; returns every check's outcome and the verify time."""
    from soda_core.contracts import verify_contract_locally

    path = contract_path(pipeline, table)
    variables = _variables(conn, period, schema)
    started = time.monotonic()
    result = verify_contract_locally(data_sources=[data_source], contract_file_path=str(path),
                                     variables=variables)
    seconds = time.monotonic() - started
    outcomes = check_outcomes(result, table.name)
    queries = None
    for i, o in enumerate(outcomes):
        if o.outcome == "FAILED" and o.type == "failed_rows":  # name the bad keys: sample rows
            queries = _failed_rows_queries(path) if queries is None else queries
            check_name = o.check.split(": ", 1)[-1] if o.column else o.check
            if check_name in queries:
                outcomes[i] = dataclasses.replace(o, sample=_sample(conn, queries[check_name], variables))
    return outcomes, seconds


def check_outcomes(result, table: str) -> list[CheckOutcome]:
    """Every check of one Soda verification result (Postgres or Spark); a contract that could not
    run (bad YAML, SQL error, missing table) is an ERROR outcome: a failed gate, never a pass."""
    outcomes: list[CheckOutcome] = []
    for cvr in result.contract_verification_results:
        for cr in cvr.check_results:
            diagnostics = dict(cr.diagnostic_metric_values or {})
            if cr.check.type == "schema":
                diagnostics.update({
                    "missing_columns": list(cr.expected_column_names_not_actual or []),
                    "unexpected_columns": list(cr.actual_column_names_not_expected or []),
                    "type_mismatches": [f"{m.column}: expected {m.expected_data_type}, got {m.actual_data_type}"
                                        for m in (cr.column_data_type_mismatches or [])],
                    "columns_out_of_order": bool(getattr(cr, "are_columns_out_of_order", False)),
                })
            outcomes.append(CheckOutcome(
                table=table, check=_check_name(cr.check), type=cr.check.type, column=cr.check.column_name,
                outcome=getattr(cr.outcome, "name", str(cr.outcome)), value=_number(cr.threshold_value),
                diagnostics=_json_safe(diagnostics),
            ))
    if result.has_errors or not outcomes:
        errors = result.get_errors_str() or "the contract produced no check results"
        outcomes.append(CheckOutcome(table=table, check="contract verification", type="error", column=None,
                                     outcome="ERROR", value=None, diagnostics={"errors": errors[-4000:]}))
    return outcomes


def _record(conn: psycopg.Connection, run_id: str, pipeline: Pipeline, period: Period,
            outcomes: list[CheckOutcome], seconds_by_table: dict[str, float]) -> None:
    with conn.transaction():
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO audit.quality_results (run_id, run_at, pipeline, table_name, period, check_name,"
                " check_type, column_name, outcome, value, diagnostics, seconds)"
                " VALUES (%s, now(), %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s)",
                [(run_id, pipeline.name, o.table, period.key, o.check, o.type, o.column, o.outcome, o.value,
                  json.dumps({**o.diagnostics, **({"sample": o.sample} if o.sample else {})}),
                  round(seconds_by_table.get(o.table, 0.0), 3))
                 for o in outcomes],
            )


def _message(pipeline: Pipeline, period: Period, failed: list[CheckOutcome], run_id: str) -> str:
    tables = sorted({o.table for o in failed})
    lines = [f"quality gate failed for {pipeline.name} period {period.key}: {len(failed)} check(s) failed; "
             f"nothing was published. The staged rows are kept in "
             f"{', '.join(f'staging.{t}' for t in tables)} for diagnosis "
             f"(results: audit.quality_results run_id {run_id})."]
    for o in failed:
        values = {k: v for k, v in o.diagnostics.items() if v not in (None, [], {})}
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        line = f"  - {o.table}: {o.check} [{o.type}] {o.outcome}: value={o.value}"
        if shown:
            line += f" ({shown})"
        if o.sample:
            line += "; e.g. " + ", ".join("(" + ", ".join(f"{k}={v}" for k, v in r.items()) + ")"
                                          for r in o.sample)
        lines.append(line)
    return "\n".join(lines)


def audit(conn: psycopg.Connection, pipeline: Pipeline, period: Period, schema: str = "staging") -> dict:
    """Verify the period's staged rows of every table; raise :class:`QualityGateFailed` if any check fails.

    Returns a summary: run id, checks per table, passed/failed counts and verify seconds per table.
    """
    ensure_results_table(conn)
    run_id = str(uuid.uuid4())
    outcomes: list[CheckOutcome] = []
    seconds: dict[str, float] = {}
    skipped: list[str] = []
    data_source = _data_source(conn)
    try:
        for table in pipeline.tables:
            if not contract_path(pipeline, table).exists():
                log.warning("%s: no contract %s; not verified", table.name, contract_path(pipeline, table).name)
                skipped.append(table.name)
                continue
            found, secs = verify_table(conn, pipeline, table, period, data_source, schema)
            outcomes.extend(found)
            seconds[table.name] = secs
    finally:
        data_source.close_connection()
    _record(conn, run_id, pipeline, period, outcomes, seconds)
    failed = [o for o in outcomes if o.outcome in ("FAILED", "ERROR")]
    summary = {
        "run_id": run_id,
        "period": period.key,
        "checks": {t.name: sum(1 for o in outcomes if o.table == t.name) for t in pipeline.tables
                   if t.name not in skipped},
        "passed": sum(1 for o in outcomes if o.outcome == "PASSED"),
        "failed": len(failed),
        "seconds": {t: round(s, 3) for t, s in seconds.items()},
        "skipped": skipped,
    }
    log.info("quality %s %s: %s", pipeline.name, period.key, summary)
    if failed:
        message = _message(pipeline, period, failed, run_id)
        log.error(message)
        raise QualityGateFailed(message, [o.as_failure() for o in failed], run_id)
    return summary
