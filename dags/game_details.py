"""Game details: ``analytics.fct_game_details``, refreshed daily as a whole.

    resolve_period -> prepare_schema -> check_sources -> stage -> audit -> publish

``raw.game_details`` has no date of its own, so the fact is not partitioned by
time: it is a full snapshot of the source deduplicated to one row per
(game_id, team_id, player_id). A run's period is just the day of the refresh
(logical date or the ``period`` param); every run rebuilds the whole table in
staging and swaps it into ``analytics`` in one transaction, so runs are
idempotent (same source -> same rows) and atomic (readers see the old or the
new table, never a mix). Incremental and full methods are the same statement.

Which duplicate survives does not depend on physical row order: the row with
the most non-null columns, ties broken by ordering on every column. Rows with
a NULL key fail the source check ``null_keys`` and nothing is published.
"""
import pendulum
from airflow.sdk import dag

from include.dagkit import dag_args, load_period_tasks


@dag(**dag_args("game_details", schedule="@daily", start=pendulum.datetime(2023, 1, 1, tz="UTC"), doc=__doc__))
def game_details():
    load_period_tasks("game_details")


game_details()
