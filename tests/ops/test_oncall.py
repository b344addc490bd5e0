"""The on-call rotation is fair, and overrides win (include/oncall.py)."""
from __future__ import annotations

import collections
import datetime as dt
import subprocess
import sys

import pytest
import yaml

from include import oncall, ownership
from include.settings import PROJECT_ROOT

ROT = oncall.rotation()


def year_of_shifts(rot, year_start_index=0, n=52):
    return [rot.generated(i) for i in range(year_start_index, year_start_index + n)]


@pytest.mark.parametrize("offset", [0, 13, 40, 52])
def test_shift_counts_differ_by_at_most_one_over_a_year(offset):
    shifts = year_of_shifts(ROT, offset)
    for role in ("primary", "secondary"):
        counts = collections.Counter(getattr(s, role) for s in shifts)
        assert set(counts) == set(ROT.engineers), role
        assert max(counts.values()) - min(counts.values()) <= 1, (role, counts)


def test_nobody_primary_and_secondary_at_once_even_with_overrides():
    start = ROT.epoch
    for hours in range(0, 24 * 7 * 110, 12):  # two years, twice a day
        s = ROT.at(start + dt.timedelta(hours=hours))
        assert s.primary != s.secondary, s
        assert {s.primary, s.secondary} <= set(ROT.engineers)


def test_nobody_primary_two_shifts_in_a_row():
    shifts = year_of_shifts(ROT, 0, 104)
    for a, b in zip(shifts, shifts[1:]):
        assert a.primary != b.primary, (a, b)


def _holiday_spread_ok(rot, weeks):
    counts = {e: 0 for e in rot.engineers}
    for s in (rot.generated(i) for i in range(weeks)):
        if s.major_holidays:
            # nobody gets another major holiday while someone has none (or fewer by 2)
            assert counts[s.primary] == min(counts.values()), (s, counts)
            counts[s.primary] += 1
    assert max(counts.values()) - min(counts.values()) <= 1, counts
    return counts


def test_major_holidays_are_spread():
    counts = _holiday_spread_ok(ROT, 156)  # the whole calendar in the file (2026-2028)
    assert sum(counts.values()) >= 10


def test_holidays_spread_with_a_dense_calendar():
    """A harder calendar than the real one: a major holiday every 3 weeks, with clusters."""
    doc = yaml.safe_load(oncall.ONCALL_FILE.read_text())
    days = [dt.date(2026, 1, 7) + dt.timedelta(weeks=3 * k) for k in range(17)]
    days += [dt.date(2026, 12, 23), dt.date(2026, 12, 30)]
    doc["holidays"] = [{"date": d.isoformat(), "name": f"h{i}", "major": True} for i, d in enumerate(days)]
    doc["overrides"] = []
    rot = oncall.from_document(doc)
    _holiday_spread_ok(rot, 52)
    for role in ("primary", "secondary"):
        counts = collections.Counter(getattr(s, role) for s in year_of_shifts(rot))
        assert max(counts.values()) - min(counts.values()) <= 1


def test_overrides_win_and_swap_roles():
    doc = yaml.safe_load(oncall.ONCALL_FILE.read_text())
    rot0 = oncall.from_document({**doc, "overrides": []})
    shift = rot0.generated(10)
    mid = shift.start + dt.timedelta(days=2)
    # someone neither primary nor secondary takes the primary role for one day
    other = next(e for e in rot0.engineers if e not in (shift.primary, shift.secondary))
    fmt = "%Y-%m-%d %H:%M"
    doc["overrides"] = [
        {"start": mid.strftime(fmt), "end": (mid + dt.timedelta(days=1)).strftime(fmt), "role": "primary",
         "engineer": other},
        # the secondary takes the primary role on the next day: roles swap
        {"start": (mid + dt.timedelta(days=1)).strftime(fmt), "end": (mid + dt.timedelta(days=2)).strftime(fmt),
         "role": "primary", "engineer": shift.secondary},
    ]
    rot = oncall.from_document(doc)
    before = rot.at(mid - dt.timedelta(hours=1))
    assert (before.primary, before.secondary) == (shift.primary, shift.secondary)
    during = rot.at(mid + dt.timedelta(hours=1))
    assert (during.primary, during.secondary, during.overridden) == (other, shift.secondary, True)
    swapped = rot.at(mid + dt.timedelta(days=1, hours=1))
    assert (swapped.primary, swapped.secondary) == (shift.secondary, shift.primary)
    after = rot.at(mid + dt.timedelta(days=2, hours=1))
    assert (after.primary, after.secondary) == (shift.primary, shift.secondary)


def test_file_overrides_apply():
    for o in ROT.overrides:
        assert ROT.at(o.start + dt.timedelta(minutes=1)).__getattribute__(o.role) == o.engineer


def test_handoff_is_local_time_across_dst():
    for i in range(0, 60):
        s = ROT.generated(i)
        assert (s.start.hour, s.start.minute, s.start.weekday()) == (9, 0, 0)
        assert s.end == ROT.generated(i + 1).start


def test_engineers_are_on_the_team():
    assert set(ROT.engineers) <= set(ownership.team_members())


def test_bad_files_are_rejected():
    doc = yaml.safe_load(oncall.ONCALL_FILE.read_text())
    with pytest.raises(ValueError):
        oncall.from_document({**doc, "engineers": ["solo"]})
    with pytest.raises(ValueError):
        oncall.from_document({**doc, "rotation": {**doc["rotation"], "epoch": "2026-01-06"}})
    with pytest.raises(ValueError):
        oncall.from_document({**doc, "overrides": [{"start": "2026-01-06 00:00", "end": "2026-01-07 00:00",
                                                     "role": "primary", "engineer": "nobody"}]})


def test_on_call_now_and_cli():
    now = oncall.on_call()
    assert now["primary"] in ROT.engineers and now["secondary"] in ROT.engineers
    r = subprocess.run([sys.executable, "-m", "include.oncall", "--weeks", "8"], cwd=PROJECT_ROOT,
                       capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(PROJECT_ROOT)})
    assert r.returncode == 0, r.stderr
    assert f"primary {now['primary']}" in r.stdout
    rows = [l for l in r.stdout.splitlines() if l[:4].isdigit() and "-W" in l[:9]]
    assert len(rows) == 8
