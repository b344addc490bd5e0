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
