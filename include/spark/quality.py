"""Soda v4 gates on the Parquet a Spark job wrote (soda-sparkdf), for one period.

Each output table is registered as an external table ``spark_output.<table>`` over
its Parquet folder (partitions recovered from the folder names), then its contract
``include/spark/contracts/<job>/<table>.contract.yml`` is verified with a Soda
SparkDataFrame data source built from the running session. The contracts are
Spark SQL twins of the Postgres ones (include/sql/...): same rules, Spark types
(``string`` not ``text``) and functions (``exists``, ``array_sort``).

Contract variables: ``period`` (validated before it gets here: ``2023-01-03`` or
``1970``) and ``schema`` (``spark_output``). Any FAILED check or a contract that
cannot run raises :class:`include.quality.QualityGateFailed` naming the checks.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")

from include.periods import Period  # noqa: E402
from include.quality import CheckOutcome, QualityGateFailed, check_outcomes  # noqa: E402
from include.spark.jobs import SparkJob  # noqa: E402

log = logging.getLogger(__name__)

DATA_SOURCE_NAME = "spark"
SCHEMA = "spark_output"


def register_outputs(spark, job: SparkJob, output_dir: str | Path, schema: str = SCHEMA) -> None:
    """``schema.<table>`` for every output table of ``job`` (catalog API: no SQL text from paths)."""
    if not spark.catalog.databaseExists(schema):
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {schema}")  # schema: a module constant, never user input
    for table in job.tables:
        name = f"{schema}.{table}"
        if spark.catalog.tableExists(name):
            spark.sql(f"DROP TABLE {name}")  # external: the Parquet files stay
        spark.catalog.createTable(name, path=str(Path(output_dir) / table), source="parquet")
        spark.catalog.recoverPartitions(name)


def _data_source(spark):
    from soda_core.contracts import verify_contract_locally  # noqa: F401 - import first: avoids a plugin import cycle
    from soda_sparkdf import SparkDataFrameDataSource

    return SparkDataFrameDataSource.from_existing_session(session=spark, name=DATA_SOURCE_NAME)


def verify_table(spark, job: SparkJob, table: str, period: Period, data_source,
                 schema: str = SCHEMA) -> list[CheckOutcome]:
    from soda_core.contracts import verify_contract_locally

    result = verify_contract_locally(data_sources=[data_source], contract_file_path=str(job.contract(table)),
                                     variables={"period": period.key, "schema": schema})
    return check_outcomes(result, table)


def _message(job: SparkJob, period: Period, failed: list[CheckOutcome], output_dir: Path) -> str:
    lines = [f"quality gate failed for {job.name} period {period.key}: {len(failed)} check(s) failed on the "
             f"Spark output in {output_dir}."]
    for o in failed:
        shown = ", ".join(f"{k}={v}" for k, v in o.diagnostics.items() if v not in (None, [], {}, 0, False))
        lines.append(f"  - {o.table}: {o.check} [{o.type}] {o.outcome}: value={o.value}"
                     + (f" ({shown})" if shown else ""))
    return "\n".join(lines)


def verify_output(spark, job: SparkJob, period: Period, output_dir: str | Path,
                  schema: str = SCHEMA) -> dict:
    """Verify every output table of ``job`` for ``period``; raise QualityGateFailed if any check fails."""
    started = time.monotonic()
    output_dir = Path(output_dir)
    register_outputs(spark, job, output_dir, schema)
    data_source = _data_source(spark)
    outcomes: list[CheckOutcome] = []
    for table in job.tables:
        outcomes.extend(verify_table(spark, job, table, period, data_source, schema))
    failed = [o for o in outcomes if o.outcome in ("FAILED", "ERROR")]
    summary = {
        "period": period.key,
        "checks": {t: sum(1 for o in outcomes if o.table == t) for t in job.tables},
        "passed": sum(1 for o in outcomes if o.outcome == "PASSED"),
        "failed": len(failed),
        "seconds": round(time.monotonic() - started, 2),
    }
    log.info("spark quality %s %s: %s", job.name, period.key, summary)
    if failed:
        message = _message(job, period, failed, output_dir)
        log.error(message)
        raise QualityGateFailed(message, [o.as_failure() for o in failed])
    return summary
