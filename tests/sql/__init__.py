"""Helpers for the SQL load tests (real PostgreSQL via the ``db`` fixture)."""
from __future__ import annotations

import gzip
from pathlib import Path

from psycopg import sql

from include import loads
from include.loads import Pipeline
from include.periods import Period
from include.settings import SQL_DIR

RAW_SCHEMA = SQL_DIR / "raw" / "schema.sql"

PLAYER_COLUMNS = ("player_name", "age", "height", "weight", "college", "country", "draft_year",
                  "draft_round", "draft_number", "gp", "pts", "reb", "ast", "season")
FILM_COLUMNS = ("actor", "actorid", "film", "year", "votes", "rating", "filmid")


def create_raw(conn) -> None:
    conn.execute(RAW_SCHEMA.read_text())


def insert_rows(conn, table: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Insert dict rows (missing columns NULL) into raw.<table>."""
    create_raw(conn)
    q = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier("raw", table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )
    with conn.cursor() as cur:
        cur.executemany(q, [tuple(r.get(c) for c in columns) for r in rows])


def copy_player_seasons(conn, path: Path) -> int:
    """Load the real bootcamp player_seasons.csv.gz (header, empty field = NULL) with COPY."""
    create_raw(conn)
    with conn.cursor() as cur, gzip.open(path, "rb") as src:
        with cur.copy("COPY raw.player_seasons FROM STDIN WITH (FORMAT csv, HEADER true)") as cp:
            while chunk := src.read(1 << 16):
                cp.write(chunk)
    return conn.execute("SELECT count(*) FROM raw.player_seasons").fetchone()[0]


def year(y: int) -> Period:
    return Period("year", y)


def load(conn, pipeline: Pipeline, y: int, method: str = "incremental") -> dict:
    return loads.load_period(conn, pipeline, year(y), method)


def load_range(conn, pipeline: Pipeline, first: int, last: int) -> list[dict]:
    return [load(conn, pipeline, y) for y in range(first, last + 1)]


def fetch(conn, query: str, params=None) -> list[tuple]:
    return conn.execute(query, params).fetchall()


def full_vs_published(conn, pipeline: Pipeline, y: int) -> dict[str, int]:
    """Stage period y with the full method and count rows that differ (both ways, as
    multisets) from what analytics holds for y. All zeros = identical rows."""
    loads.stage(conn, pipeline, year(y), "full")
    diffs = {}
    for table in pipeline.tables:
        q = sql.SQL(
            "SELECT count(*) FROM ("
            " (SELECT * FROM {a} WHERE {c} = %(y)s EXCEPT ALL SELECT * FROM {s} WHERE {c} = %(y)s)"
            " UNION ALL"
            " (SELECT * FROM {s} WHERE {c} = %(y)s EXCEPT ALL SELECT * FROM {a} WHERE {c} = %(y)s)"
            ") d"
        ).format(a=table.analytics, s=table.staging, c=sql.Identifier(table.period_column))
        diffs[table.name] = conn.execute(q, {"y": y}).fetchone()[0]
    return diffs


def digest(conn, pipeline: Pipeline) -> dict[str, tuple[int, str]]:
    """(row count, md5 of all rows in a stable order) of every analytics table."""
    out = {}
    for table in pipeline.tables:
        q = sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t").format(
            table.analytics)
        out[table.name] = tuple(conn.execute(q).fetchone())
    return out
