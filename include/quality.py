"""Data-quality gates on staged rows (Soda v4 contracts next to the SQL)."""
from __future__ import annotations

import psycopg

from include.loads import Pipeline
from include.periods import Period


def audit(conn: psycopg.Connection, pipeline: Pipeline, period: Period) -> dict:
    """Verify the period's staged rows of every table; raise if any check fails."""
    return {}
