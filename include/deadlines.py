"""SLAs as Airflow 3 Deadline Alerts, from the ``sla`` of each ownership entry.

    sla: {reference: dagrun_queued_at, within: "2h", statement: "..."}
    sla: {reference: dagrun_logical_date, within: "28h", statement: "published by 04:00 UTC the next day"}

The callback is ``include.alerts.PipelineAlertNotifier`` (an AsyncCallback):
it runs in the triggerer, which imports it from the project root on
PYTHONPATH (include.settings.airflow_env sets it; the real-scheduler test
proves it).

When deadlines are attached (``PIPELINE_OPS_DEADLINES``):

* ``on``: always;  ``off``: never;
* ``auto`` (default): only when the DAG is parsed by an Airflow command other
  than ``dags test``/``tasks test`` (the dag-processor, ``dags reserialize``,
  ``dags list``...). In-process ``dag.test()`` (pytest, ``make demo``) and
  ``airflow dags test`` crash on a DAG with a deadline in Airflow 3.3
  (models/dagrun.py / deadline_alert insert), and deadlines only fire under a
  running scheduler anyway.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

from include import ownership
from include.alerts import PipelineAlertNotifier

REFERENCES = {
    "dagrun_queued_at": DeadlineReference.DAGRUN_QUEUED_AT,
    "dagrun_logical_date": DeadlineReference.DAGRUN_LOGICAL_DATE,
    # Airflow 3.3 has no data-interval-end reference: logical date + one period.
    # Runs without a logical date (manual/API) get no deadline from it.
    "data_interval_end": DeadlineReference.DAGRUN_LOGICAL_DATE,
}


def _period_length(pipeline: str) -> dt.timedelta:
    from include import pipelines

    try:
        kind = pipelines.get(pipeline).periods.kind
    except KeyError:  # not a period pipeline (e.g. a Spark job): daily
        return dt.timedelta(days=1)
    return dt.timedelta(days=1) if kind == "day" else dt.timedelta(days=365)


def enabled(argv: list[str] | None = None) -> bool:
    mode = os.environ.get("PIPELINE_OPS_DEADLINES", "auto").strip().lower()
    if mode in ("on", "1", "true", "yes"):
        return True
    if mode in ("off", "0", "false", "no"):
        return False
    argv = sys.argv if argv is None else argv
    if not argv or Path(argv[0]).name != "airflow":
        return False
    return "test" not in argv[1:3]


def deadline_alert(pipeline: str, *, within: dt.timedelta | None = None, reference: str | None = None) -> DeadlineAlert | None:
    """The pipeline's SLA as a DeadlineAlert (``within``/``reference`` override the file, for tests)."""
    sla = ownership.owners(pipeline).sla
    interval = within if within is not None else ownership.sla_interval(pipeline)
    if interval is None:
        return None
    ref_name = reference or sla.get("reference", "dagrun_queued_at")
    ref = REFERENCES[ref_name]
    if ref_name == "data_interval_end":
        interval = interval + _period_length(pipeline)
    return DeadlineAlert(
        reference=ref,
        interval=interval,
        callback=AsyncCallback(
            PipelineAlertNotifier,
            kwargs={"pipeline": pipeline, "sla": sla.get("statement") or f"within {interval}",
                    "interval_seconds": interval.total_seconds()},
        ),
        name=f"{pipeline}-sla",
    )


def deadlines_for(pipeline: str) -> list[DeadlineAlert]:
    if not enabled():
        return []
    alert = deadline_alert(pipeline)
    return [alert] if alert else []
