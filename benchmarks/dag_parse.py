"""Parse time per DAG file, as Airflow's DagBag measures it (figures, not a test).

    PYTHONPATH=. .venv/bin/python benchmarks/dag_parse.py
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench-parse-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")

from airflow.dag_processing.dagbag import DagBag  # noqa: E402

from include.settings import DAGS_DIR  # noqa: E402

DagBag(dag_folder=str(DAGS_DIR))  # warm shared imports
print(f"{'dag file':<28} {'median ms':>10} {'max ms':>8}  (5 parses each)")
for path in sorted(DAGS_DIR.glob("*.py")):
    times = []
    for _ in range(5):
        for mod in [m for m in sys.modules if m.startswith("unusual_prefix")]:
            del sys.modules[mod]
        t = time.perf_counter()
        bag = DagBag(dag_folder=str(path))
        times.append((time.perf_counter() - t) * 1000)
        assert not bag.import_errors, bag.import_errors
    print(f"{path.name:<28} {statistics.median(times):>10.1f} {max(times):>8.1f}")
