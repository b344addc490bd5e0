"""Period validation: what a run is about, checked before any SQL runs."""
import datetime as dt

import pytest

from include.periods import Period, PeriodError, PeriodSpec

YEARS = PeriodSpec("year", first=1996, last=2022)
DAYS = PeriodSpec("day", first=dt.date(2023, 1, 1), last=dt.date(2023, 12, 31))


def test_param_wins_over_logical_date():
    p = YEARS.resolve("1997", dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc))
    assert p == Period("year", 1997) and p.previous.key == "1996"


def test_logical_date_is_the_period_start():
    assert YEARS.resolve(None, dt.datetime(2003, 1, 1, tzinfo=dt.timezone.utc)).key == "2003"
    assert DAYS.resolve("", dt.datetime(2023, 1, 3, tzinfo=dt.timezone.utc)).key == "2023-01-03"


def test_day_boundaries():
    assert DAYS.parse("2023-03-01").previous.key == "2023-02-28"
    assert DAYS.parse("2023-01-31").next.key == "2023-02-01"


@pytest.mark.parametrize("bad, message", [
    ("abc", "not a valid year"), ("97", "not a valid year"), ("1997-01-01", "not a valid year"),
    ("1800", "out of range: this pipeline loads 1996..2022"), ("2023", "out of range"),
    ("1997; DROP TABLE analytics.players", "not a valid year"),
])
def test_bad_year_params_are_named(bad, message):
    with pytest.raises(PeriodError, match=message):
        YEARS.parse(bad)


@pytest.mark.parametrize("bad", ["2023-02-30", "2023-1-3", "yesterday", "2022-12-31"])
def test_bad_day_params(bad):
    with pytest.raises(PeriodError):
        DAYS.parse(bad)


def test_manual_run_without_logical_date_needs_period():
    with pytest.raises(PeriodError, match=r'no logical date .* conf \{"period": "1996"\}'):
        YEARS.resolve(None, None)


def test_range():
    assert [p.key for p in YEARS.range(YEARS.parse("1996"), YEARS.parse("1998"))] == ["1996", "1997", "1998"]
