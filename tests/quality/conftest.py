"""Fixtures for the quality-gate tests: one template database per pipeline scenario.

A scenario (tests/quality/scenarios.py) fills tiny raw inputs, publishes the
first periods through ``include.loads.load_period`` and stages the audited
period. Each test copies the template (CREATE DATABASE ... TEMPLATE, fast),
applies one mutation and audits.
"""
from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql

from include import loads, pipelines, warehouse
from include.periods import Period
from include.settings import SQL_DIR
from tests.quality import scenarios

_created: list[str] = []


def _create_db(template: str | None = None) -> str:
    name = f"test_quality_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(warehouse.embedded_url("postgres"), autocommit=True) as conn:
        q = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            q += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(q)
    _created.append(name)
    return name


def pipeline_ready(name: str) -> bool:
    """The pipeline is registered and its SQL is in place."""
    p = pipelines.PIPELINES.get(name)
    return p is not None and (SQL_DIR / name / "schema.sql").exists() and all(
        (SQL_DIR / name / f"{t.name}__incremental.sql").exists() for t in p.tables)


def build_template(name: str) -> str:
    scenario = scenarios.SCENARIOS[name]
    pipeline = pipelines.get(name)
    db = _create_db()
    with warehouse.connect(warehouse.embedded_url(db), autocommit=True) as conn:
        warehouse.ensure_schemas(conn)
        conn.execute((SQL_DIR / "raw" / "schema.sql").read_text())
        conn.execute(scenario.raw_sql)
        loads.ensure_schema(conn, pipeline)  # also when the scenario publishes nothing first
        for key in scenario.published:
            loads.load_period(conn, pipeline, pipeline.periods.parse(key))
        period = pipeline.periods.parse(scenario.audited)
        loads.check_sources(conn, pipeline, period)
        loads.stage(conn, pipeline, period)
    return db


@pytest.fixture(scope="session")
def templates():
    built: dict[str, str] = {}

    def get(name: str) -> str:
        if not pipeline_ready(name):
            pytest.skip(f"pipeline {name} is not registered / its SQL is not there yet")
        if name not in built:
            built[name] = build_template(name)
        return built[name]

    yield get
    with psycopg.connect(warehouse.embedded_url("postgres"), autocommit=True) as conn:
        for db in _created:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))


@pytest.fixture
def scenario_db(templates):
    """``open(name)`` -> (conn, pipeline, audited period) on a fresh copy of the scenario's template."""
    conns: list[psycopg.Connection] = []

    def open_(name: str):
        db = _create_db(templates(name))
        conn = warehouse.connect(warehouse.embedded_url(db), autocommit=True)
        conns.append(conn)
        pipeline = pipelines.get(name)
        return conn, pipeline, pipeline.periods.parse(scenarios.SCENARIOS[name].audited)

    yield open_
    for c in conns:
        c.close()


def table_hash(conn: psycopg.Connection, schema: str, table: str) -> tuple[int, str]:
    q = sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t").format(
        sql.Identifier(schema, table))
    return tuple(conn.execute(q).fetchone())
