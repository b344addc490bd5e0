"""Players: one NBA season a run.

    resolve_period -> prepare_schema -> check_sources -> stage -> audit -> publish

Stages ``players`` (cumulative: last season's snapshot + this season's rows)
and ``players_scd`` (type-2 history of scoring_class / is_active), audits them,
then publishes both in one transaction. Seasons must load in order: a season
whose previous snapshot is missing fails and names it.
"""
import pendulum
from airflow.sdk import dag

from include.dagkit import dag_args, load_period_tasks


@dag(**dag_args("players", schedule="@yearly", start=pendulum.datetime(1996, 1, 1, tz="UTC"), doc=__doc__))
def players():
    load_period_tasks("players")


players()
