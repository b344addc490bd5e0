"""One notifier for every page: task failures, retries that gave up, missed deadlines.

Each alert answers the 3 a.m. questions on its own: what broke (pipeline,
task, period, try, first line of the error, the failing checks), who owns it,
who is on call now, which runbook section to follow (one section per alert
kind), where the log is, and the exact command to rerun or backfill.

Delivery: always a JSON line appended to the alerts log
(``$ALERTS_LOG``, default ``.state/alerts/alerts.jsonl``) and a print; also a
Slack webhook post (``SLACK_WEBHOOK_URL``) and an email (``SMTP_HOST``, optional
``SMTP_PORT``/``SMTP_USER``/``SMTP_PASSWORD``/``ALERT_EMAIL_FROM``/``ALERT_EMAIL_TO``)
when configured. A delivery that fails is recorded in the alert and logged;
it never raises, so it can never hide the failure being reported.

Usage (wired by include/dagkit.py and include/deadlines.py):

    default_args={"on_failure_callback": PipelineAlertNotifier(pipeline="players")}
    AsyncCallback(PipelineAlertNotifier, kwargs={"pipeline": "players", ...})   # deadline miss
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import smtplib
import sys
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from airflow.sdk import BaseNotifier

from include.settings import STATE_DIR

log = logging.getLogger(__name__)

URL_PREFIX = "/pipeline-ops"  # where plugins/pipeline_ops_plugin.py mounts its pages

# Every kind of alert this notifier sends; each has a runbook section "## Alert: <kind>"
# (anchor "alert-<kind>") in every runbook. The runbook lint test holds them together.
KINDS: dict[str, str] = {
    "bad_params": "the run's period or method is not valid",
    "missing_previous_period": "a cumulative load found a gap: the previous period's snapshot is missing",
    "source_check_failed": "source data failed a pre-load check (duplicate keys, bad values)",
    "quality_gate_failed": "staged rows failed the data-quality gate; nothing was published",
    "load_error": "the load stopped before publishing (SQL step missing or failed)",
    "warehouse_unavailable": "the warehouse (PostgreSQL) could not be reached",
    "task_failed": "a task failed for a reason not classified above",
    "deadline_missed": "the run did not finish before its SLA deadline",
}


# Set by the command-line runner (include/airflow_runner.py): its runs live in a project-local
# metadata DB that no Airflow UI serves, so a UI log link would be dead; say where the log is.
LOCAL_RUN_LOG_ENV = "PIPELINE_OPS_LOCAL_RUN_LOG"


def alerts_log_path() -> Path:
    return Path(os.environ.get("ALERTS_LOG") or STATE_DIR / "alerts" / "alerts.jsonl")


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def classify(exc: BaseException | None) -> str:
    """The alert kind of an exception (looking through ``raise ... from`` chains)."""
    from include.loads import LoadError, MissingPreviousPeriod, SourceCheckFailed
    from include.periods import PeriodError

    chain = list(_chain(exc))
    for e in chain:
        if isinstance(e, PeriodError):
            return "bad_params"
        if isinstance(e, MissingPreviousPeriod):
            return "missing_previous_period"
        if isinstance(e, SourceCheckFailed):
            return "source_check_failed"
        if getattr(e, "failures", None) is not None or "quality" in type(e).__name__.lower():
            return "quality_gate_failed"
    for e in chain:
        name = type(e).__name__
        if name in ("OperationalError", "ConnectionTimeout", "InterfaceError") or isinstance(
                e, (ConnectionError, TimeoutError)):
            return "warehouse_unavailable"
    for e in chain:
        if isinstance(e, LoadError):
            return "load_error"
    text = " ".join(str(e) for e in chain).lower()
    if "has no snapshot for" in text:
        return "missing_previous_period"
    if "not a valid period" in text or "is not one of" in text:
        return "bad_params"
    return "task_failed"


def failed_checks(exc: BaseException | None) -> dict | None:
    """The failing data-quality/source checks carried by the exception, JSON-safe."""
    for e in _chain(exc):
        failures = getattr(e, "failures", None)
        if failures is not None:
            return json.loads(json.dumps(failures, default=str))
    return None


def first_line(exc: BaseException | str | None) -> str:
    if exc is None:
        return ""
    text = str(exc).strip()
    if not text and isinstance(exc, BaseException):
        for e in _chain(exc):
            if str(e).strip():
                text = str(e).strip()
                break
    line = text.splitlines()[0] if text else ""
    return line or (type(exc).__name__ if isinstance(exc, BaseException) else "")


def base_url() -> str:
    try:
        from airflow.configuration import conf

        url = conf.get("api", "base_url", fallback="") or ""
    except Exception:
        url = ""
    return (url or os.environ.get("AIRFLOW__API__BASE_URL") or "http://localhost:8080").rstrip("/")


def runbook_links(pipeline: str, kind: str, runbook_path: str | None = None) -> dict:
    anchor = f"alert-{kind}"
    path = runbook_path or f"runbooks/{pipeline}.md"
    return {"section": anchor, "path": f"{path}#{anchor}",
            "url": f"{base_url()}{URL_PREFIX}/runbooks/{pipeline}#{anchor}"}


def commands(dag_id: str, pipeline: str, period: str | None, kind: str) -> dict:
    """Exact commands to rerun the period and to backfill (from the missing period on a gap)."""
    from include import pipelines

    out: dict[str, str] = {}
    try:
        spec = pipelines.get(pipeline).periods
    except KeyError:
        spec = None
    if not period or spec is None:
        out["rerun"] = f"airflow dags trigger {dag_id} --conf '{{\"period\":\"<period>\"}}'"
        return out
    p = spec.parse(period)
    out["rerun"] = f"airflow dags trigger {dag_id} --conf '{{\"period\":\"{p.key}\"}}'"
    out["rerun_full"] = f"airflow dags trigger {dag_id} --conf '{{\"period\":\"{p.key}\",\"method\":\"full\"}}'"
    first = p
    if kind == "missing_previous_period":
        try:
            first = spec.parse(p.previous.key)
        except Exception:  # the previous period is before the pipeline's first one
            first = p
    last = (p.next.logical_date - dt.timedelta(days=1)).date() if p.kind == "year" else p.value
    out["backfill"] = (f"airflow backfill create --dag-id {dag_id} --from-date {first.logical_date.date()} "
                       f"--to-date {last} --max-active-runs 1 --reprocess-behavior failed")
    if os.environ.get(LOCAL_RUN_LOG_ENV) and dag_id == pipeline:  # a command-line run: rerun it the same way
        out["rerun_here"] = f"make run PIPELINE={pipeline} FROM={first.key}" + (
            f" TO={p.key}" if first != p else "")
    return out


def _resolve_period(pipeline: str, requested: Any, logical_date: Any) -> str | None:
    from include import pipelines

    try:
        if isinstance(logical_date, str):
            logical_date = dt.datetime.fromisoformat(logical_date.replace("Z", "+00:00"))
        return pipelines.get(pipeline).periods.resolve(requested, logical_date).key
    except Exception:
        return str(requested) if requested not in (None, "") else None


def build_alert(*, kind: str, pipeline: str, dag_id: str, run_id: str | None, task_id: str | None,
                period: str | None, try_number: int | None, max_tries: int | None, error: str,
                error_type: str | None = None, checks: dict | None = None, log_url: str | None = None,
                extra: dict | None = None, when: dt.datetime | None = None) -> dict:
    """The alert as plain data: every field the on-call engineer needs."""
    from include import oncall, ownership

    when = when or dt.datetime.now(dt.timezone.utc)
    try:
        own = ownership.owners(pipeline)
        owners = {"primary": own.primary, "secondary": own.secondary, "team": ownership.team_name(),
                  "tier": own.tier}
        channels, runbook_path, sla = own.channels, own.runbook, own.sla.get("statement")
    except Exception as err:  # an alert still goes out for a pipeline with a broken entry
        owners, channels, runbook_path, sla = {"primary": None, "secondary": None, "error": str(err)}, {}, None, None
    try:
        cmds = commands(dag_id, pipeline, period, kind)
    except Exception:
        cmds = commands(dag_id, pipeline, None, kind)
    gave_up = bool(try_number and max_tries is not None and try_number > 1 and try_number > max_tries)
    alert = {
        "time": when.isoformat(timespec="seconds"),
        "kind": kind,
        "summary": KINDS.get(kind, KINDS["task_failed"]),
        "pipeline": pipeline,
        "dag_id": dag_id,
        "run_id": run_id,
        "task_id": task_id,
        "period": period,
        "try_number": try_number,
        "max_tries": max_tries,
        "gave_up_after_retries": gave_up,
        "error": error,
        "error_type": error_type,
        "failed_checks": checks,
        "owners": owners,
        "on_call": oncall.on_call(when),
        "sla": sla,
        "runbook": runbook_links(pipeline, kind, runbook_path),
        "log_url": None if os.environ.get(LOCAL_RUN_LOG_ENV) else log_url,
        "log": os.environ.get(LOCAL_RUN_LOG_ENV) or log_url,
        # the notifier runs when a task fails for good (after its retries, or at once for bad data)
        "will_retry": False,
        "commands": cmds,
        "channels": channels,
    }
    if extra:
        alert.update(extra)
    return alert


def format_text(alert: dict) -> str:
    """The alert for humans (Slack, email, the task log)."""
    oc, ow, cmds = alert.get("on_call") or {}, alert.get("owners") or {}, alert.get("commands") or {}
    where = alert["dag_id"] + (f".{alert['task_id']}" if alert.get("task_id") else "")
    lines = [
        f"[{alert['kind']}] {where} period {alert.get('period') or '?'}"
        + (f" try {alert['try_number']}" if alert.get("try_number") else ""),
        f"Error: {alert.get('error')}",
    ]
    if alert.get("failed_checks"):
        checks = alert["failed_checks"]
        names = sorted(checks) if isinstance(checks, dict) else [
            ".".join(str(c.get(k)) for k in ("table", "check") if c.get(k)) if isinstance(c, dict) else str(c)
            for c in checks]
        lines.append("Failed checks: " + ", ".join(names))
    lines += [
        f"Owners: {ow.get('primary')} (primary), {ow.get('secondary')} (secondary)",
        f"On call now: {oc.get('primary')} (primary), {oc.get('secondary')} (secondary)",
        # a command-line run has no Airflow UI to link to: the runbook file itself
        f"Runbook: {alert['runbook']['path'] if alert.get('log_url') is None and alert.get('log') else alert['runbook']['url']}",
        f"Log: {alert.get('log_url') or alert.get('log')}",
    ]
    lines += [f"{name.replace('_', ' ').capitalize()}: {cmd}" for name, cmd in cmds.items()]
    return "\n".join(lines)


def _post_slack(url: str, alert: dict) -> None:
    body = json.dumps({"text": format_text(alert)}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        if resp.status >= 300:
            raise RuntimeError(f"Slack webhook answered {resp.status}")


def _send_email(alert: dict) -> None:
    to = [a for a in (os.environ.get("ALERT_EMAIL_TO") or "").split(",") if a] or \
        list((alert.get("channels") or {}).get("email") or [])
    if not to:
        raise RuntimeError("no recipients")
    msg = EmailMessage()
    msg["Subject"] = f"[{alert['kind']}] {alert['dag_id']} {alert.get('task_id') or ''} {alert.get('period') or ''}".strip()
    msg["From"] = os.environ.get("ALERT_EMAIL_FROM", "airflow@localhost")
    msg["To"] = ", ".join(to)
    msg.set_content(format_text(alert))
    with smtplib.SMTP(os.environ["SMTP_HOST"], int(os.environ.get("SMTP_PORT", "25")), timeout=5) as smtp:
        if os.environ.get("SMTP_USER"):
            smtp.starttls()
            smtp.login(os.environ["SMTP_USER"], os.environ.get("SMTP_PASSWORD", ""))
        smtp.send_message(msg)


def deliver(alert: dict) -> dict:
    """Send to every configured channel, then write the JSON line and print. Never raises."""
    delivery: dict[str, str] = {}
    for name, enabled, send in (
        ("slack", bool(os.environ.get("SLACK_WEBHOOK_URL")), lambda: _post_slack(os.environ["SLACK_WEBHOOK_URL"], alert)),
        ("email", bool(os.environ.get("SMTP_HOST")), lambda: _send_email(alert)),
    ):
        if not enabled:
            delivery[name] = "not configured"
            continue
        try:
            send()
            delivery[name] = "sent"
        except Exception as err:  # noqa: BLE001 - a channel failing must not stop the others
            delivery[name] = f"failed: {type(err).__name__}: {err}"
            log.error("alert delivery to %s failed: %s", name, err)
    alert["delivery"] = delivery
    line = json.dumps(alert, default=str, sort_keys=False)
    try:
        path = alerts_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as f:
            f.write(line + "\n")
    except Exception as err:  # noqa: BLE001
        alert["delivery"]["log"] = f"failed: {err}"
        log.error("could not write the alerts log: %s", err)
    try:
        print("PIPELINE ALERT " + line, flush=True)
        print(format_text(alert), file=sys.stderr, flush=True)
    except Exception:  # noqa: BLE001
        pass
    return alert


# --- from Airflow contexts ----------------------------------------------------------

def alert_from_task_context(context: dict, pipeline: str) -> dict:
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    exc = context.get("exception")
    params = context.get("params") or {}
    requested = params.get("period")
    if requested in (None, "") and dag_run is not None:
        requested = (getattr(dag_run, "conf", None) or {}).get("period")
    logical = getattr(dag_run, "logical_date", None) or getattr(dag_run, "run_after", None)
    kind = classify(exc) if isinstance(exc, BaseException) else ("bad_params" if exc and "period" in str(exc) else "task_failed")
    if kind == "bad_params":
        period = str(requested) if requested not in (None, "") else None
    else:
        period = _resolve_period(pipeline, requested, logical)
    try:
        log_url = ti.log_url
    except Exception:
        log_url = None
    max_tries = getattr(ti, "max_tries", None)
    if max_tries is None and context.get("task") is not None:
        max_tries = getattr(context["task"], "retries", None)
    return build_alert(
        kind=kind, pipeline=pipeline, dag_id=getattr(ti, "dag_id", None) or pipeline,
        run_id=getattr(ti, "run_id", None), task_id=getattr(ti, "task_id", None), period=period,
        try_number=getattr(ti, "try_number", None), max_tries=max_tries,
        error=first_line(exc) or "task failed (no exception recorded)",
        error_type=type(exc).__name__ if isinstance(exc, BaseException) else None,
        checks=failed_checks(exc) if isinstance(exc, BaseException) else None, log_url=log_url,
    )


def alert_from_deadline_context(context: dict, pipeline: str, sla: str | None = None,
                                interval_seconds: float | None = None) -> dict:
    dag_run = dict(context.get("dag_run") or {})
    deadline = dict(context.get("deadline") or {})
    dag_id = dag_run.get("dag_id") or pipeline
    run_id = dag_run.get("dag_run_id") or dag_run.get("run_id")
    requested = (dag_run.get("conf") or {}).get("period")
    period = _resolve_period(pipeline, requested, dag_run.get("logical_date") or dag_run.get("run_after"))
    from urllib.parse import quote

    log_url = f"{base_url()}/dags/{dag_id}/runs/{quote(run_id)}" if run_id else None
    return build_alert(
        kind="deadline_missed", pipeline=pipeline, dag_id=dag_id, run_id=run_id, task_id=None,
        period=period, try_number=None, max_tries=None,
        error=f"run {run_id} not finished by its deadline {deadline.get('deadline_time')} "
              f"({sla or 'SLA'}); state {dag_run.get('state')}",
        error_type="DeadlineMissed", log_url=log_url,
        extra={"deadline": {"time": str(deadline.get("deadline_time")), "id": deadline.get("id"),
                            "queued_at": dag_run.get("queued_at"), "interval_seconds": interval_seconds,
                            "run_state": dag_run.get("state")}},
    )


class PipelineAlertNotifier(BaseNotifier):
    """The project's one notifier: ``notify`` for task failures (on_failure_callback),
    ``async_notify`` for deadline misses (AsyncCallback in the triggerer)."""

    template_fields = ()

    def __init__(self, pipeline: str, sla: str | None = None, interval_seconds: float | None = None,
                 context: dict | None = None):
        super().__init__(context=context)
        self.pipeline = pipeline
        self.sla = sla
        self.interval_seconds = interval_seconds

    def render_template_fields(self, context, jinja_env=None) -> None:  # nothing to render
        return None

    def notify(self, context) -> None:
        try:
            alert = alert_from_task_context(context, self.pipeline)
        except Exception as err:  # noqa: BLE001 - last resort: still page with what we have
            log.exception("building the alert failed")
            alert = {"time": dt.datetime.now(dt.timezone.utc).isoformat(), "kind": "task_failed",
                     "pipeline": self.pipeline, "error": first_line(context.get("exception")),
                     "alert_error": str(err)}
        deliver(alert)

    async def async_notify(self, context) -> None:
        import asyncio

        try:
            alert = alert_from_deadline_context(context or {}, self.pipeline, self.sla, self.interval_seconds)
        except Exception as err:  # noqa: BLE001
            log.exception("building the deadline alert failed")
            alert = {"time": dt.datetime.now(dt.timezone.utc).isoformat(), "kind": "deadline_missed",
                     "pipeline": self.pipeline, "error": str(context), "alert_error": str(err)}
        await asyncio.to_thread(deliver, alert)


# --- runbooks: headings and anchors (shared by the UI plugin and the lint test) ------

def slug(heading: str) -> str:
    """The anchor of a runbook heading: ``"Alert: bad_params"`` -> ``"alert-bad_params"``."""
    import re

    s = re.sub(r"[^a-z0-9_\s-]", "", heading.strip().lower())
    return re.sub(r"[\s-]+", "-", s).strip("-")


def runbook_anchors(text: str) -> list[str]:
    """Anchors of the Markdown headings of a runbook (fenced code skipped)."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            out.append(slug(line.lstrip("#")))
    return out
