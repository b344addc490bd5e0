"""Actors: one film year a run.

    resolve_period -> prepare_schema -> check_sources -> stage -> audit -> publish

Stages ``actors`` (cumulative: last year's snapshot + this year's films) and
``actors_history_scd`` (type-2 history of quality_class / is_active), audits
them, then publishes both in one transaction. Years must load in order: a
year whose previous snapshot is missing fails and names it.
"""
import pendulum
from airflow.sdk import dag

from include.dagkit import dag_args, load_period_tasks


@dag(**dag_args("actors", schedule="@yearly", start=pendulum.datetime(1970, 1, 1, tz="UTC"), doc=__doc__))
def actors():
    load_period_tasks("actors")


actors()
