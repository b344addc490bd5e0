"""Web activity: one UTC day a run, from ``raw.events`` and ``raw.devices``.

    choose_mode -> resolve_period -> prepare_schema -> check_sources -> stage -> audit -> publish
               \\-> rebuild_range                         (when the ``range_end`` param is given)

Tables, published together in one transaction:

* ``user_devices_cumulated`` (cumulative, key user_id/browser_type/date): yesterday's snapshot
  + today's (user, browser) pairs; ``datelist_int`` has bit ``31 - (date - d)`` set for active
  days d in ``[date-31, date]``.
* ``hosts_cumulated`` (cumulative, key host/date).
* ``host_activity_reduced`` (key month/host): a day's run republishes its month's rows with only
  that day's element set, so days load in any order; it is not cumulative across days.

Days of the two cumulative tables load in order: a day whose previous snapshot is missing
while older ones exist fails and names the missing day. Exact duplicate events count once;
events with NULL host are rejected and reported (warnings), NULL user_id events count as hits
only. An event's day is its UTC date whatever the session time zone.

**Range mode / backfill:** conf `{"period": "2023-01-01", "range_end": "2023-01-31"}` rebuilds
every day from `period` to `range_end` with the full method in one set-based pass and publishes
the whole range in one transaction (``include.web_activity_range.rebuild_range``); it gives
exactly what per-day runs give. **Late data:** rebuild from the late day to the last published
day (``include.web_activity_range.repair``, `make repair PIPELINE=web_activity FROM=YYYY-MM-DD`).
"""
import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from include.dagkit import fail_fast_on_bad_input, dag_args, load_period_tasks

PIPELINE = "web_activity"

args = dag_args(PIPELINE, schedule="@daily", start=pendulum.datetime(2023, 1, 1, tz="UTC"), doc=__doc__)
args["params"]["range_end"] = Param(
    None,
    type=["null", "string"],
    title="Range end",
    description="Optional last day (YYYY-MM-DD): rebuild period..range_end with the full method in one "
    "transaction instead of loading one day.",
)


def _range(ctx):
    from include import pipelines

    spec = pipelines.get(PIPELINE).periods
    first = spec.resolve(ctx["params"].get("period"), ctx["dag_run"].logical_date)
    end = ctx["params"].get("range_end")
    if end in (None, ""):
        return first, None
    last = spec.parse(end)
    if last < first:
        from include.periods import PeriodError

        raise PeriodError(f"range_end {last} is before the period {first}: give range_end >= period")
    return first, last


@task.branch
@fail_fast_on_bad_input
def choose_mode() -> str:
    """Validate the period (and range) before any SQL; pick the one-day load or the range rebuild."""
    first, last = _range(get_current_context())
    return "resolve_period" if last is None else "rebuild_range"


@task
@fail_fast_on_bad_input
def rebuild_range() -> dict:
    from include.warehouse import task_connect
    from include.web_activity_range import rebuild_range as rebuild

    first, last = _range(get_current_context())
    with task_connect() as conn:
        return rebuild(conn, first.value, last.value)


@dag(**args)
def web_activity():
    mode = choose_mode()
    first, _ = load_period_tasks(PIPELINE)
    mode >> [first, rebuild_range()]


web_activity()
