"""Ownership metadata (include/ownership.yaml), read once per process."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

OWNERSHIP_FILE = Path(__file__).with_name("ownership.yaml")


@dataclass(frozen=True)
class Owners:
    pipeline: str
    description: str
    primary: str
    secondary: str
    tier: str
    tags: tuple[str, ...]
    runbook: str
    sla: dict
    channels: dict


@functools.cache
def _document() -> dict:
    return yaml.safe_load(OWNERSHIP_FILE.read_text())


def team_members() -> dict[str, dict]:
    return {m["handle"]: m for m in _document()["team"]["members"]}


def pipelines() -> dict[str, dict]:
    return _document()["pipelines"]


def owners(pipeline: str) -> Owners:
    try:
        e = pipelines()[pipeline]
    except KeyError:
        raise KeyError(f"pipeline {pipeline!r} has no entry in {OWNERSHIP_FILE.name}") from None
    return Owners(
        pipeline=pipeline,
        description=e["description"],
        primary=e["primary_owner"],
        secondary=e["secondary_owner"],
        tier=e["tier"],
        tags=tuple(e.get("tags", ())),
        runbook=e["runbook"],
        sla=e.get("sla", {}),
        channels=e.get("channels", {}),
    )


# --- added for operations (alerts, deadlines, runbooks) -------------------------------

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def team_name() -> str:
    return _document()["team"].get("name", "")


def parse_duration(text: str | int | float):
    """``"2h"``, ``"90m"``, ``"1d"``, ``"30s"`` or seconds -> timedelta."""
    import datetime as dt
    import re

    if isinstance(text, (int, float)):
        return dt.timedelta(seconds=text)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", str(text))
    if not m:
        raise ValueError(f"bad duration {text!r}: use e.g. 30s, 90m, 2h, 1d")
    return dt.timedelta(**{_UNITS[m.group(2)]: float(m.group(1))})


def sla_interval(pipeline: str):
    """The SLA of a pipeline as a timedelta after its reference (None: no SLA)."""
    sla = owners(pipeline).sla
    return parse_duration(sla["within"]) if sla.get("within") else None


def problems() -> list[str]:
    """Consistency problems of the ownership file (empty list: all good)."""
    out = []
    members = team_members()
    for name, e in pipelines().items():
        for key in ("description", "primary_owner", "secondary_owner", "tier", "sla", "runbook", "channels"):
            if not e.get(key):
                out.append(f"{name}: missing {key}")
        for role in ("primary_owner", "secondary_owner"):
            if e.get(role) and e[role] not in members:
                out.append(f"{name}: {role} {e[role]!r} is not on the team")
        if e.get("primary_owner") and e.get("primary_owner") == e.get("secondary_owner"):
            out.append(f"{name}: primary and secondary owner are the same person")
        sla = e.get("sla") or {}
        if sla:
            if sla.get("reference") not in ("dagrun_queued_at", "dagrun_logical_date", "data_interval_end"):
                out.append(f"{name}: sla.reference must be dagrun_queued_at, dagrun_logical_date "
                           "or data_interval_end")
            try:
                parse_duration(sla.get("within"))
            except ValueError as err:
                out.append(f"{name}: {err}")
        if e.get("runbook") and e["runbook"] != f"runbooks/{name}.md":
            out.append(f"{name}: runbook should be runbooks/{name}.md")
    return out
