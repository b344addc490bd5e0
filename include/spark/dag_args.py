"""DAG metadata for Spark DAGs, from include/ownership.yaml (same fields as include.dagkit.dag_args,
without a period pipeline of include/pipelines.py)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from include import ownership

DEFAULT_RETRIES = 2


def spark_dag_args(name: str, *, schedule: str | None, start: dt.datetime, doc: str = "") -> dict[str, Any]:
    """Keyword arguments for ``@dag``/``DAG``: owner, tier tag, retries >= 1, doc_md."""
    own = ownership.owners(name)
    doc_md = "\n".join([
        f"# {name}", own.description, "", doc.strip(), "",
        f"**Owners:** {own.primary} (primary), {own.secondary} (secondary) · **Tier:** {own.tier}",
        f"**SLA:** {own.sla.get('statement', 'none')}",
        f"**Runbook:** [{own.runbook}](/runbooks/{name})",
    ])
    return dict(
        dag_id=name,
        schedule=schedule,
        start_date=start,
        catchup=False,
        max_active_runs=1,
        tags=[own.tier, *own.tags],
        doc_md=doc_md,
        default_args={"owner": own.primary, "retries": DEFAULT_RETRIES, "retry_delay": dt.timedelta(minutes=2)},
    )
