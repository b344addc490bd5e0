"""One SparkSession for all Spark tests (session start ~6 s on 2 cores)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA_DIR = Path(os.environ.get("BOOTCAMP_DATA", Path(__file__).resolve().parents[3] / "shared" / "data" / "bootcamp"))


@pytest.fixture(scope="session")
def spark_warehouse(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("spark-warehouse")


@pytest.fixture(scope="session")
def spark(spark_warehouse):
    from include.spark.session import get_session

    session = get_session("pipeline-ops-tests", warehouse_dir=spark_warehouse)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def halo_data_dir() -> Path:
    if not (DATA_DIR / "matches.csv.gz").exists():
        pytest.skip(f"Halo data not found at {DATA_DIR} (set BOOTCAMP_DATA)")
    return DATA_DIR
