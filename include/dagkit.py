"""What every period-loading DAG does the same way: metadata from the
ownership file, params, and the tasks of one run (period -> checks -> stage
-> audit -> publish). DAG files stay a screen long and read like the pipeline.

Nothing here touches a database or the network at import time: DAG parsing
only reads ``include/ownership.yaml``.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from include import deadlines, loads, ownership, pipelines
from include.alerts import PipelineAlertNotifier
from include.loads import LoadError
from include.periods import PeriodError, PeriodSpec

log = logging.getLogger(__name__)

DEFAULT_RETRIES = 2


def period_params(spec: PeriodSpec, *, with_method: bool = True) -> dict[str, Param]:
    """The params of a period DAG: ``period`` (and ``method`` for loads that have a full method)."""
    unit = "year (YYYY)" if spec.kind == "year" else "day (YYYY-MM-DD)"
    params = {
        "period": Param(
            None,
            type=["null", "string"],
            title="Period",
            description=f"The {unit} to load. Empty: the run's logical date (manual runs have none: "
            f"give it). Valid: {spec.first} onwards.",
        ),
    }
    if with_method:
        params["method"] = Param(
            "incremental",
            enum=list(loads.METHODS),
            title="Method",
            description="incremental: previous snapshot + this period's sources. "
            "full: recompute the period straight from the sources (backfills, repairs).",
        )
    return params


def ops_dag_args(name: str, *, schedule: Any, start: dt.datetime, doc: str = "",
                 params: dict[str, Param] | None = None, trigger_hint: str = "",
                 default_args: dict[str, Any] | None = None) -> dict[str, Any]:
    """What every DAG (Postgres or Spark) takes from ``include/ownership.yaml``: owner, tier tag
    and tags, doc_md with owners/SLA/runbook, retries, the SLA as a Deadline Alert, and the
    failure notifier on every task."""
    own = ownership.owners(name)
    doc_md = "\n".join(
        [
            f"# {name}",
            own.description,
            "",
            doc.strip(),
            "",
            f"**Owners:** {own.primary} (primary), {own.secondary} (secondary) · **Tier:** {own.tier}",
            f"**SLA:** {own.sla.get('statement', 'none')}",
            f"**Runbook:** [{own.runbook}](/pipeline-ops/runbooks/{name})",
        ]
        + (["", trigger_hint] if trigger_hint else [])
    )
    return dict(
        dag_id=name,
        schedule=schedule,
        start_date=start,
        catchup=False,
        max_active_runs=1,
        tags=[own.tier, *own.tags],
        doc_md=doc_md,
        params=params or {},
        # the SLA from the ownership file as a Deadline Alert (see include/deadlines.py)
        deadline=deadlines.deadlines_for(name),
        default_args={
            "owner": own.primary,
            "retries": DEFAULT_RETRIES,
            "retry_delay": dt.timedelta(minutes=2),
            # Task-level (a DAG-level notifier breaks `dags test`): fires when a task
            # fails for good, i.e. after its retries gave up.
            "on_failure_callback": PipelineAlertNotifier(pipeline=name),
            **(default_args or {}),
        },
    )


def dag_args(pipeline_name: str, *, schedule: str, start: dt.datetime, doc: str = "") -> dict[str, Any]:
    """Keyword arguments for ``@dag`` of a period-loading pipeline (include/pipelines.py)."""
    pipeline = pipelines.get(pipeline_name)
    return ops_dag_args(
        pipeline_name,
        schedule=CronDataIntervalTimetable(schedule, timezone="UTC"),
        start=start,
        doc=doc,
        params=period_params(pipeline.periods),
        trigger_hint="**Trigger a period:** conf `{\"period\": \"" + pipeline.periods.example + "\"}`"
        " (optional `\"method\": \"full\"`).",
        # cumulative periods build on the previous one
        default_args={"depends_on_past": True},
    )


def fail_fast_on_bad_input(fn):
    """Bad params and bad data will not fix themselves on retry: fail without retrying."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (PeriodError, LoadError) as err:
            raise AirflowFailException(str(err)) from err

    return wrapper


def _current_period(pipeline_name: str):
    ctx = get_current_context()
    pipeline = pipelines.get(pipeline_name)
    dag_run = ctx["dag_run"]
    return pipeline, pipeline.periods.resolve(ctx["params"].get("period"), dag_run.logical_date), ctx


def _connect():
    from include.warehouse import task_connect

    return task_connect()


@task(retries=0)
@fail_fast_on_bad_input
def resolve_period(pipeline_name: str) -> str:
    """Validate the run's period and method before any SQL runs."""
    pipeline, period, ctx = _current_period(pipeline_name)
    method = ctx["params"].get("method") or "incremental"
    if method not in loads.METHODS:
        raise PeriodError(f"method {method!r} is not one of {', '.join(loads.METHODS)}")
    log.info("%s: loading period %s with the %s method", pipeline.name, period.key, method)
    return period.key


@task
@fail_fast_on_bad_input
def prepare_schema(pipeline_name: str) -> None:
    with _connect() as conn:
        loads.ensure_schema(conn, pipelines.get(pipeline_name))


@task
@fail_fast_on_bad_input
def check_sources(pipeline_name: str, period_key: str) -> None:
    pipeline = pipelines.get(pipeline_name)
    with _connect() as conn:
        loads.check_sources(conn, pipeline, pipeline.periods.parse(period_key))


@task
@fail_fast_on_bad_input
def stage(pipeline_name: str, period_key: str) -> dict:
    pipeline = pipelines.get(pipeline_name)
    method = get_current_context()["params"].get("method") or "incremental"
    with _connect() as conn:
        result = loads.stage(conn, pipeline, pipeline.periods.parse(period_key), method)
    return {"period": result.period, "method": result.method, "rows": result.rows,
            "warnings": {k: len(v) for k, v in result.warnings.items()}, "seconds": result.seconds}


@task
@fail_fast_on_bad_input
def audit(pipeline_name: str, period_key: str) -> dict:
    from include import quality

    pipeline = pipelines.get(pipeline_name)
    with _connect() as conn:
        return quality.audit(conn, pipeline, pipeline.periods.parse(period_key))


@task
@fail_fast_on_bad_input
def publish(pipeline_name: str, period_key: str) -> dict:
    pipeline = pipelines.get(pipeline_name)
    with _connect() as conn:
        return loads.publish(conn, pipeline, pipeline.periods.parse(period_key))


def load_period_tasks(pipeline_name: str):
    """The tasks of one period load, chained in order. Returns (first, last)."""
    period = resolve_period(pipeline_name)
    schema = prepare_schema(pipeline_name)
    checked = check_sources(pipeline_name, period)
    staged = stage(pipeline_name, period)
    audited = audit(pipeline_name, period)
    published = publish(pipeline_name, period)
    period >> schema >> checked >> staged >> audited >> published
    return period, published
