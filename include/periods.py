"""Periods: the one thing a run is about (a year or a day), validated before any SQL runs.

A run's period comes from its ``period`` param when given (manual runs, which
in Airflow 3 may have no logical date), otherwise from its logical date
(scheduled runs and backfills: the data interval's start).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


class PeriodError(ValueError):
    """A period that cannot be run. The message says why and what to pass instead."""


@dataclass(frozen=True, order=True)
class Period:
    kind: str  # "year" | "day"
    value: int | dt.date

    @property
    def key(self) -> str:
        return str(self.value) if self.kind == "year" else self.value.isoformat()

    @property
    def previous(self) -> "Period":
        if self.kind == "year":
            return Period("year", self.value - 1)
        return Period("day", self.value - dt.timedelta(days=1))

    @property
    def next(self) -> "Period":
        if self.kind == "year":
            return Period("year", self.value + 1)
        return Period("day", self.value + dt.timedelta(days=1))

    @property
    def logical_date(self) -> dt.datetime:
        """The logical date of the scheduled run that loads this period."""
        d = dt.date(self.value, 1, 1) if self.kind == "year" else self.value
        return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class PeriodSpec:
    """What periods a pipeline accepts: yearly or daily, and the valid range."""

    kind: str
    first: int | dt.date
    last: int | dt.date | None = None  # None: up to the current year / yesterday

    @property
    def example(self) -> str:
        return str(self.first) if self.kind == "year" else self.first.isoformat()

    @property
    def param_pattern(self) -> str:
        return r"^\d{4}$" if self.kind == "year" else r"^\d{4}-\d{2}-\d{2}$"

    def upper(self, today: dt.date | None = None) -> int | dt.date:
        today = today or dt.datetime.now(dt.timezone.utc).date()
        if self.last is not None:
            return self.last
        return today.year if self.kind == "year" else today

    def parse(self, text: object) -> Period:
        """A period from user input (a param or CLI flag), or a PeriodError naming the problem."""
        s = str(text).strip()
        try:
            if self.kind == "year":
                if not re.fullmatch(r"\d{4}", s):
                    raise ValueError
                value: int | dt.date = int(s)
            else:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
                    raise ValueError
                value = dt.date.fromisoformat(s)
        except ValueError:
            raise PeriodError(
                f"period {s!r} is not a valid {self.kind}: expected "
                f"{'YYYY' if self.kind == 'year' else 'YYYY-MM-DD'}, e.g. {self.example}"
            ) from None
        return self.check(Period(self.kind, value))

    def check(self, period: Period) -> Period:
        hi = self.upper()
        if not (self.first <= period.value <= hi):
            raise PeriodError(f"period {period.key} is out of range: this pipeline loads {self.first}..{hi}")
        return period

    def from_logical_date(self, logical_date: dt.datetime) -> Period:
        d = logical_date.astimezone(dt.timezone.utc).date() if logical_date.tzinfo else logical_date.date()
        return self.check(Period(self.kind, d.year if self.kind == "year" else d))

    def resolve(self, param: object, logical_date: dt.datetime | None) -> Period:
        """The run's period: the explicit param wins, else the logical date."""
        if param not in (None, ""):
            return self.parse(param)
        if logical_date is None:
            raise PeriodError(
                "this run has no logical date (a manual or API trigger) and no 'period' param: "
                f"trigger it with conf {{\"period\": \"{self.example}\"}}"
            )
        return self.from_logical_date(logical_date)

    def range(self, first: Period, last: Period) -> list[Period]:
        out, p = [], first
        while p <= last:
            out.append(p)
            p = p.next
        return out
