"""``make demo``'s Spark step: the halo_match_stats DAG through Airflow, then its four answers.

The job writes its answers as JSON (``include.spark.jobs.halo_result_path()``); the demo
reads that file, so what it prints is what the DAG run produced. Skipped, with the
reason, when the Halo CSVs or Java are missing.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from include.spark import jobs

HALO_FILES = ("matches", "match_details", "medals_matches_players", "medals", "maps")
# The demo shares two cores with the embedded PostgreSQL: a fixed local[2] keeps it predictable.
DEMO_SPARK_CONN = '{"conn_type":"spark","host":"local[2]"}'


@dataclass
class HaloOutcome:
    state: str                      # success | failed | skipped
    message: str = ""
    seconds: float = 0.0
    answers: dict = field(default_factory=dict)


def halo_data_dir(data: Path | None) -> Path:
    if data is not None:
        return Path(data)
    from include.settings import DEFAULT_DATA_DIR

    return Path(os.environ.get("BOOTCAMP_DATA", DEFAULT_DATA_DIR))


def why_skip(data_dir: Path) -> str | None:
    missing = [f"{n}.csv.gz" for n in HALO_FILES if not (data_dir / f"{n}.csv.gz").exists()]
    if missing:
        return (f"no Halo data in {data_dir} (missing {', '.join(missing)}); "
                "pass DATA=<folder with matches.csv.gz ...> to include it")
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and (Path(java_home) / "bin" / "java").exists()):
        return "Java not found (install a JRE or set JAVA_HOME): Spark needs it"
    return None


def run_halo(data: Path | None, spark_conn_configured: bool) -> HaloOutcome:
    """One run of the halo_match_stats DAG (dag.test, in this process, like every demo run).

    ``spark_conn_configured``: the user set AIRFLOW_CONN_SPARK_DEFAULT before the demo
    started (else the demo uses local[2]). Call after ``airflow_runner.configure``.
    """
    from include import airflow_runner

    data_dir = halo_data_dir(data)
    reason = why_skip(data_dir)
    if reason:
        return HaloOutcome("skipped", reason)
    if not spark_conn_configured:
        os.environ["AIRFLOW_CONN_SPARK_DEFAULT"] = DEMO_SPARK_CONN
    os.environ["BOOTCAMP_DATA"] = str(data_dir)  # spark-submit inherits it: the job's default_data_dir()
    result_path = jobs.halo_result_path()
    result_path.unlink(missing_ok=True)  # never print a previous run's answers
    started = time.monotonic()
    dr = airflow_runner.get_dag("halo_match_stats").test()
    seconds = round(time.monotonic() - started, 1)
    if str(dr.state) != "success":
        failed = [ti.task_id for ti in dr.get_task_instances() if ti.state in ("failed", "upstream_failed")]
        return HaloOutcome("failed", f"halo_match_stats failed in {', '.join(failed)}: the error is in its log",
                           seconds)
    if not result_path.exists():
        return HaloOutcome("failed", f"the run succeeded but wrote no {result_path}", seconds)
    return HaloOutcome("success", str(result_path), seconds, json.loads(result_path.read_text())["answers"])


def answer_lines(answers: dict) -> list[str]:
    a, b, c, d = (answers[k] for k in ("top_killer", "top_playlist", "top_map", "top_killing_spree_map"))
    return [
        f"a. highest average kills per game: {a['player_gamertag']} "
        f"{a['avg_kills']:.2f} ({a['kills']:,} kills in {a['games']:,} games)",
        f"   rule: only players with at least {a['min_games']} games qualify (one game = one match played)",
        f"b. most played playlist: {b['playlist_id']} ({b['matches']:,} matches)",
        f"c. most played map: {c['map_name']} ({c['mapid']}, {c['matches']:,} matches)",
        f"d. most Killing Spree medals: {d['map_name']} ({d['mapid']}, {d['killing_sprees']:,} medals)",
        "   (played = distinct matches in matches; ties: the smaller id wins)",
    ]
