"""Raw tables of the warehouse -> Parquet, the input of the Spark period jobs.

The Spark jobs read Parquet (no JDBC driver to ship to the cluster); this export
gives them exactly the rows the Postgres loads read. Types are pinned so Spark
sees what Postgres holds: ids NUMERIC -> DECIMAL(38,0) (values near 1.8e19 exceed
BIGINT), ``event_time`` stays text, REAL -> float32.

Each table is written to a temporary folder next to its target and swapped in, so
a failed export never leaves a half-written input behind.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
from psycopg import sql

from include.loads import SourceCheckFailed

ID = pa.decimal128(38, 0)
SCHEMAS: dict[str, pa.Schema] = {
    "events": pa.schema([("url", pa.string()), ("referrer", pa.string()), ("user_id", ID),
                         ("device_id", ID), ("host", pa.string()), ("event_time", pa.string())]),
    "devices": pa.schema([("device_id", ID), ("browser_type", pa.string()),
                          ("browser_version_major", pa.int32()), ("device_type", pa.string()),
                          ("os_type", pa.string())]),
    "actor_films": pa.schema([("actor", pa.string()), ("actorid", pa.string()), ("film", pa.string()),
                              ("year", pa.int32()), ("votes", pa.int32()), ("rating", pa.float32()),
                              ("filmid", pa.string())]),
}
BATCH_ROWS = 50_000


def export_table(conn: psycopg.Connection, table: str, target: Path) -> int:
    """Write ``raw.<table>`` to ``target/part-00000.parquet``; returns the row count."""
    schema = SCHEMAS[table]  # only known tables: the name never comes from user input
    if conn.execute("SELECT to_regclass(%s)", (f"raw.{table}",)).fetchone()[0] is None:
        raise SourceCheckFailed(f"raw.{table} does not exist: load the sources first (make load)",
                                {f"raw.{table}": [{"problem": "table missing"}]})
    query = sql.SQL("SELECT {} FROM {}").format(
        sql.SQL(", ").join(sql.Identifier(f.name) for f in schema), sql.Identifier("raw", table))
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    rows = 0
    with conn.transaction(), conn.cursor(name=f"export_{table}") as cur:  # server-side: bounded memory
        cur.itersize = BATCH_ROWS
        cur.execute(query)
        with pq.ParquetWriter(tmp / "part-00000.parquet", schema) as writer:
            while batch := cur.fetchmany(BATCH_ROWS):
                columns = list(zip(*batch))
                writer.write_table(pa.Table.from_arrays(
                    [pa.array(col, type=f.type) for col, f in zip(columns, schema)], schema=schema))
                rows += len(batch)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return rows


def export_sources(conn: psycopg.Connection, tables: tuple[str, ...], out_dir: Path) -> dict:
    """Export each raw table to ``out_dir/<table>``; returns paths, rows and seconds."""
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths, rows = {}, {}
    for table in tables:
        target = out_dir / table
        rows[table] = export_table(conn, table, target)
        paths[table] = str(target)
    return {"paths": paths, "rows": rows, "seconds": round(time.monotonic() - started, 2)}
