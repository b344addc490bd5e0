"""On-call rotation: who is primary and secondary at any moment.

Read from ``include/oncall.yaml`` (engineers, rotation length, hand-off time,
time zone, holiday calendar, overrides). The generated schedule is fair by
construction, and the rules are tested (tests/ops/test_oncall.py):

* blocks of ``len(engineers)`` shifts: each engineer is primary exactly once
  per block, so over any span shift counts differ by at most one;
* inside a block, shifts holding a major holiday go to the engineers with
  the fewest holiday shifts so far (nobody gets a second major holiday while
  someone has none);
* the secondary is the previous shift's primary, never the primary itself;
* overrides (swaps, sick days) win over the generated schedule; if an
  override puts someone in both roles, the roles swap.

    python -m include.oncall --weeks 8      # the coming weeks and who is on call now
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ONCALL_FILE = Path(__file__).with_name("oncall.yaml")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str
    major: bool


@dataclass(frozen=True)
class Override:
    start: dt.datetime
    end: dt.datetime
    role: str
    engineer: str
    reason: str = ""


@dataclass(frozen=True)
class Shift:
    index: int
    start: dt.datetime  # aware, rotation time zone
    end: dt.datetime
    primary: str
    secondary: str
    holidays: tuple[Holiday, ...] = ()
    overridden: bool = False

    @property
    def major_holidays(self) -> tuple[Holiday, ...]:
        return tuple(h for h in self.holidays if h.major)


@dataclass(frozen=True)
class Rotation:
    engineers: tuple[str, ...]
    tz: ZoneInfo
    length: dt.timedelta
    epoch: dt.datetime
    holidays: tuple[Holiday, ...]
    overrides: tuple[Override, ...]

    # --- the generated schedule ------------------------------------------------
    def shift_bounds(self, index: int) -> tuple[dt.datetime, dt.datetime]:
        # Wall-clock arithmetic in the rotation's zone: hand-off stays at 09:00 across DST.
        start = (self.epoch.replace(tzinfo=None) + index * self.length).replace(tzinfo=self.tz)
        end = (self.epoch.replace(tzinfo=None) + (index + 1) * self.length).replace(tzinfo=self.tz)
        return start, end

    def holidays_in(self, start: dt.datetime, end: dt.datetime) -> tuple[Holiday, ...]:
        # A holiday belongs to the shift on call at noon of that day.
        return tuple(h for h in self.holidays
                     if start <= dt.datetime.combine(h.date, dt.time(12), self.tz) < end)

    @functools.cache
    def _primaries(self, blocks: int) -> tuple[str, ...]:
        """Primary of every generated shift for the first ``blocks`` blocks."""
        n = len(self.engineers)
        order: list[str] = []
        holiday_count = {e: 0 for e in self.engineers}
        for b in range(blocks):
            weeks = [self.shift_bounds(b * n + i) for i in range(n)]
            has_holiday = [bool([h for h in self.holidays_in(s, e) if h.major]) for s, e in weeks]
            base = list(self.engineers[b % n:] + self.engineers[:b % n])  # plain rotation as the tie-break
            best, best_cost = None, None
            for perm in itertools.permutations(base):
                if order and perm[0] == order[-1]:
                    continue  # nobody does two shifts in a row
                counts = dict(holiday_count)
                cost = 0
                for who, holiday in zip(perm, has_holiday):
                    if holiday:
                        cost += (counts[who] - min(counts.values())) * 100 + counts[who]
                        counts[who] += 1
                # prefer the plain rotation when holidays do not matter
                cost = cost * 1000 + sum(p != q for p, q in zip(perm, base))
                if best_cost is None or cost < best_cost:
                    best, best_cost = perm, cost
            for who, holiday in zip(best, has_holiday):
                holiday_count[who] += holiday
            order.extend(best)
        return tuple(order)

    def generated(self, index: int) -> Shift:
        if index < 0:
            raise ValueError(f"no shifts before the rotation epoch {self.epoch:%Y-%m-%d}")
        n = len(self.engineers)
        primaries = self._primaries(index // n + 1)
        primary = primaries[index]
        secondary = primaries[index - 1] if index > 0 else self.engineers[-1]
        if secondary == primary:  # only possible with one engineer
            raise ValueError("an on-call rotation needs at least two engineers")
        start, end = self.shift_bounds(index)
        return Shift(index, start, end, primary, secondary, self.holidays_in(start, end))

    def index_at(self, when: dt.datetime) -> int:
        local = when.astimezone(self.tz).replace(tzinfo=None)
        return int((local - self.epoch.replace(tzinfo=None)) // self.length)

    # --- with overrides ----------------------------------------------------------
    def at(self, when: dt.datetime | None = None) -> Shift:
        """The shift on call at ``when`` (default: now), overrides applied."""
        when = when or dt.datetime.now(dt.timezone.utc)
        if when.tzinfo is None:
            raise ValueError("pass an aware datetime")
        shift = self.generated(self.index_at(when))
        for o in self.overrides:
            if o.start <= when < o.end:
                shift = _apply(shift, o)
        return shift

    def shifts(self, start: dt.datetime | None = None, count: int = 8) -> list[Shift]:
        """``count`` shifts from the one on call at ``start``; an override covering a
        shift's start is shown on that shift."""
        first = self.index_at(start or dt.datetime.now(dt.timezone.utc))
        out = []
        for i in range(max(first, 0), max(first, 0) + count):
            s, _ = self.shift_bounds(i)
            out.append(self.at(s))
        return out


def _apply(shift: Shift, o: Override) -> Shift:
    if o.role == "primary":
        if o.engineer == shift.primary:
            return shift
        secondary = shift.primary if o.engineer == shift.secondary else shift.secondary
        return replace(shift, primary=o.engineer, secondary=secondary, overridden=True)
    if o.engineer == shift.secondary:
        return shift
    primary = shift.secondary if o.engineer == shift.primary else shift.primary
    return replace(shift, primary=primary, secondary=o.engineer, overridden=True)


def _parse_time(text: str, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromisoformat(str(text)).replace(tzinfo=tz)


def load(path: Path | str = ONCALL_FILE, team: set[str] | None = None) -> Rotation:
    doc = yaml.safe_load(Path(path).read_text())
    return from_document(doc, team)


def from_document(doc: dict, team: set[str] | None = None) -> Rotation:
    tz = ZoneInfo(doc.get("timezone", "UTC"))
    rot = doc["rotation"]
    handoff = rot.get("handoff", {})
    weekday = WEEKDAYS.index(handoff.get("weekday", "monday"))
    hh, mm = (int(x) for x in str(handoff.get("time", "09:00")).split(":"))
    epoch_day = dt.date.fromisoformat(str(rot["epoch"]))
    if epoch_day.weekday() != weekday:
        raise ValueError(f"rotation epoch {epoch_day} is not a {WEEKDAYS[weekday]}")
    engineers = tuple(doc["engineers"])
    if len(set(engineers)) != len(engineers) or len(engineers) < 2:
        raise ValueError("engineers must be at least two distinct handles")
    if team is not None and set(engineers) - team:
        raise ValueError(f"not on the team: {sorted(set(engineers) - team)}")
    overrides = []
    for o in doc.get("overrides") or []:
        ov = Override(_parse_time(o["start"], tz), _parse_time(o["end"], tz), o["role"], o["engineer"],
                      o.get("reason", ""))
        if ov.role not in ("primary", "secondary") or ov.engineer not in engineers or ov.end <= ov.start:
            raise ValueError(f"bad override {o}")
        overrides.append(ov)
    return Rotation(
        engineers=engineers,
        tz=tz,
        length=dt.timedelta(days=int(rot.get("length_days", 7))),
        epoch=dt.datetime.combine(epoch_day, dt.time(hh, mm), tz),
        holidays=tuple(Holiday(dt.date.fromisoformat(str(h["date"])), h["name"], bool(h.get("major")))
                       for h in doc.get("holidays") or []),
        overrides=tuple(overrides),
    )


@functools.cache
def rotation() -> Rotation:
    from include import ownership

    return load(ONCALL_FILE, set(ownership.team_members()))


def on_call(when: dt.datetime | None = None) -> dict:
    """Who is on call now (or at ``when``), as plain data for alerts and pages."""
    try:
        s = rotation().at(when)
    except Exception as err:  # an alert must still go out if the rotation file is broken
        return {"primary": None, "secondary": None, "error": f"on-call lookup failed: {err}"}
    return {"primary": s.primary, "secondary": s.secondary, "shift_start": s.start.isoformat(),
            "shift_end": s.end.isoformat(), "overridden": s.overridden}


def table(shifts: list[Shift], tz: ZoneInfo) -> str:
    rows = [("week", "from", "to", "primary", "secondary", "notes")]
    for s in shifts:
        notes = ", ".join(f"{h.name}{' (major)' if h.major else ''}" for h in s.holidays)
        if s.overridden:
            notes = ("override; " + notes) if notes else "override"
        rows.append((s.start.strftime("%G-W%V"), s.start.strftime("%a %Y-%m-%d %H:%M"),
                     s.end.strftime("%a %Y-%m-%d %H:%M"), s.primary, s.secondary, notes))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m include.oncall", description=__doc__.split("\n")[0])
    p.add_argument("--weeks", type=int, default=8, help="how many shifts to print (default 8)")
    p.add_argument("--from", dest="start", help="start date YYYY-MM-DD (default: now)")
    args = p.parse_args(argv)
    rot = rotation()
    now = dt.datetime.now(dt.timezone.utc)
    start = dt.datetime.combine(dt.date.fromisoformat(args.start), dt.time(12), rot.tz) if args.start else now
    cur = rot.at(now)
    print(f"On call now ({now.astimezone(rot.tz):%Y-%m-%d %H:%M %Z}): primary {cur.primary}, "
          f"secondary {cur.secondary} (until {cur.end:%a %Y-%m-%d %H:%M})")
    print(f"Rotation: {rot.length.days}-day shifts, hand-off {rot.epoch:%A %H:%M} {rot.tz.key}\n")
    print(table(rot.shifts(start, args.weeks), rot.tz))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
