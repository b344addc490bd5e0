"""Loading sources into ``raw``: a folder of gzip CSVs, or the course's pg_restore dump.

Both are idempotent (each table is replaced in one transaction: TRUNCATE +
COPY) and fast (COPY, never row-by-row INSERTs). Every load is recorded in
``audit.source_loads`` (``record_load``), so a later ``make demo`` can tell a
table loaded from real data (kept) from a generated one.
"""
from __future__ import annotations

import csv
import gzip
import re
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from include.settings import SQL_DIR

RAW_SCHEMA_SQL = SQL_DIR / "raw" / "schema.sql"


class SourceError(RuntimeError):
    pass


def ensure_raw_tables(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute(RAW_SCHEMA_SQL.read_text())


def raw_columns(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = %s "
        "ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [r[0] for r in rows]


def known_raw_tables() -> list[str]:
    return re.findall(r"CREATE TABLE IF NOT EXISTS raw\.(\w+)", RAW_SCHEMA_SQL.read_text())


# One row per load of a raw table; the latest row per table says where its rows came from.
SOURCE_LOADS_DDL = """
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.source_loads (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    raw_table TEXT NOT NULL, source TEXT NOT NULL, rows BIGINT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
)"""
GENERATED = "generated"  # how generated loads' source starts; anything else is real data


def record_load(conn: psycopg.Connection, table: str, source: str, rows: int) -> None:
    """Record that ``raw.<table>`` now holds ``rows`` rows from ``source`` ("csv DIR", "dump FILE", "generated ...")."""
    conn.execute(SOURCE_LOADS_DDL)
    conn.execute("INSERT INTO audit.source_loads (raw_table, source, rows) VALUES (%s, %s, %s)", (table, source, rows))


def last_sources(conn: psycopg.Connection) -> dict[str, str]:
    """The source of each raw table's latest recorded load."""
    if conn.execute("SELECT to_regclass('audit.source_loads')").fetchone()[0] is None:
        return {}
    return dict(conn.execute("SELECT DISTINCT ON (raw_table) raw_table, source FROM audit.source_loads "
                             "ORDER BY raw_table, id DESC").fetchall())


def raw_row_count(conn: psycopg.Connection, table: str) -> int | None:
    exists = conn.execute("SELECT to_regclass(%s)", (f"raw.{table}",)).fetchone()[0]
    if not exists:
        return None
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("raw", table))).fetchone()[0]


# --- a folder of gzip CSVs -------------------------------------------------------------

def load_csv_folder(conn: psycopg.Connection, folder: Path) -> dict[str, int]:
    """Load every ``<table>.csv.gz`` whose name is a raw table; returns rows per table.

    Files must have a header row naming columns of the raw table (any order,
    a subset is fine); empty fields are NULL, as in the bootcamp export.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"data folder {folder} does not exist")
    ensure_raw_tables(conn)
    loaded: dict[str, int] = {}
    for table in known_raw_tables():
        path = folder / f"{table}.csv.gz"
        if not path.exists():
            continue
        loaded[table] = load_csv_file(conn, table, path)
    return loaded


def load_csv_file(conn: psycopg.Connection, table: str, path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        header = next(csv.reader([f.readline()]))
    columns = raw_columns(conn, table)
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise SourceError(
            f"{path.name}: column(s) {', '.join(unknown)} are not in raw.{table} (expected some of: {', '.join(columns)})"
        )
    target = sql.Identifier("raw", table)
    copy = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)").format(
        target, sql.SQL(", ").join(map(sql.Identifier, header))
    )
    with conn.transaction():
        conn.execute(sql.SQL("TRUNCATE {}").format(target))
        with conn.cursor() as cur, cur.copy(copy) as cp, gzip.open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                cp.write(chunk)
        n = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target)).fetchone()[0]
        record_load(conn, table, f"csv {path.parent}", n)
    return n


# --- the course's pg_restore dump -------------------------------------------------------

def _pg_tool(name: str) -> str:
    from include.warehouse import _bin

    return _bin(name)


def dump_tables(dump: Path) -> list[tuple[str, str]]:
    """(schema, table) of every table with data in a pg_dump archive."""
    r = subprocess.run([_pg_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SourceError(f"{dump} is not a pg_dump archive pg_restore can read: {r.stderr.strip()}")
    out = []
    for line in r.stdout.splitlines():
        m = re.match(r"^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) ", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def load_dump(conn: psycopg.Connection, dump: Path, *, server_url: str) -> dict[str, int]:
    """Restore the course dump (any pg_dump archive format) and place its tables in ``raw``.

    The archive is restored into a scratch database on the warehouse's server,
    then every table that is a known raw table is streamed into ``raw.<table>``
    with COPY (columns matched by name). The scratch database is dropped.
    """
    dump = Path(dump)
    if not dump.exists():
        raise SourceError(f"dump file {dump} does not exist")
    wanted = set(known_raw_tables())
    present = {t: s for s, t in dump_tables(dump) if t in wanted}
    if not present:
        raise SourceError(f"{dump} holds none of the source tables {', '.join(sorted(wanted))}")
    ensure_raw_tables(conn)
    scratch = f"{conn.info.dbname}_restore_tmp"
    admin = psycopg.connect(server_url, autocommit=True)
    try:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
        scratch_url = _with_db(server_url, scratch)
        restore_url, restore_env = _libpq_args(scratch_url)
        r = subprocess.run(
            [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--no-comments", "-d", restore_url, str(dump)],
            env=restore_env,
            capture_output=True, text=True,
        )
        # pg_restore exits 1 on ignorable errors (e.g. roles that do not exist here);
        # what matters is that the tables we need are there, which we check below.
        loaded: dict[str, int] = {}
        with psycopg.connect(scratch_url) as src:
            for table, schema in sorted(present.items()):
                src_cols = [r[0] for r in src.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                    "ORDER BY ordinal_position", (schema, table)).fetchall()]
                if not src_cols:
                    raise SourceError(f"pg_restore did not restore {schema}.{table}: {r.stderr.strip()[-1000:]}")
                cols = [c for c in raw_columns(conn, table) if c in src_cols]
                loaded[table] = _stream_table(src, schema, conn, table, cols, source=f"dump {dump}")
        return loaded
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
        admin.close()


def _libpq_args(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment carrying it: a password on a command
    line is visible to every local user in ``ps``."""
    import os
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.rsplit("@", 1)
        user = parts.username or ""
        parts = parts._replace(netloc=f"{user}@{netloc[1]}" if len(netloc) == 2 else parts.netloc)
    return parts.geturl(), env


def _with_db(url: str, dbname: str) -> str:
    from urllib.parse import quote, urlsplit

    return urlsplit(url)._replace(path="/" + quote(dbname)).geturl()


def _stream_table(src: psycopg.Connection, schema: str, dst: psycopg.Connection, table: str, cols: list[str],
                  source: str) -> int:
    col_list = sql.SQL(", ").join(map(sql.Identifier, cols))
    out = sql.SQL("COPY {} ({}) TO STDOUT").format(sql.Identifier(schema, table), col_list)
    into = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier("raw", table), col_list)
    with dst.transaction():
        dst.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier("raw", table)))
        with src.cursor() as rc, rc.copy(out) as reader, dst.cursor() as wc, wc.copy(into) as writer:
            for block in reader:
                writer.write(block)
        n = dst.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("raw", table))).fetchone()[0]
        record_load(dst, table, source, n)
        return n


def make_dump(server_url: str, dbname: str, out: Path) -> Path:
    """Write a tar-format dump of a database (what the course ships as data.dump)."""
    url = _with_db(server_url, dbname)
    dump_url, dump_env = _libpq_args(url)
    r = subprocess.run([_pg_tool("pg_dump"), "-Ft", "-f", str(out), dump_url], env=dump_env, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SourceError(f"pg_dump of {dbname} failed: {r.stderr.strip()[-1000:]}")
    return out
