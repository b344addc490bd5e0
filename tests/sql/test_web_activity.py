"""Web activity loads on a real PostgreSQL: the cases C1, C2, C6..C12 with hand-computed answers,
incremental == full == range on random inputs, reruns, repair and session time zones."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from include import loads, pipelines
from include.loads import LoadError, MissingPreviousPeriod
from include.periods import Period
from include.settings import SQL_DIR
from include.web_activity_range import rebuild_range, repair

P = pipelines.get("web_activity")
BIG = 17358702759623100000
TABLES = {
    "user_devices_cumulated": "user_id, browser_type, date",
    "hosts_cumulated": "host, date",
    "host_activity_reduced": "month, host",
}
J = lambda d: dt.date(2023, 1, d)  # noqa: E731


def setup_raw(db, events=(), devices=()):
    db.execute((SQL_DIR / "raw" / "schema.sql").read_text())
    db.execute("TRUNCATE raw.events, raw.devices")
    loads.ensure_schema(db, P)
    add_events(db, events)
    for d in devices:
        db.execute("INSERT INTO raw.devices (device_id, browser_type) VALUES (%s, %s)", d)


def add_events(db, events):
    """events: (user_id, device_id, host, 'YYYY-MM-DD HH:MM:SS...' or date) [, url]"""
    for e in events:
        user, device, host, when, *url = e
        when = f"{when} 12:00:00.000000" if isinstance(when, dt.date) else when
        db.execute("INSERT INTO raw.events VALUES (%s, NULL, %s, %s, %s, %s)",
                   (url[0] if url else "/", user, device, host, when))


def run(db, day: dt.date, method="incremental"):
    period = Period("day", day)
    loads.check_sources(db, P, period)
    staged = loads.stage(db, P, period, method)
    loads.publish(db, P, period)
    return staged


def run_days(db, first: dt.date, last: dt.date, method="incremental"):
    d = first
    while d <= last:
        run(db, d, method)
        d += dt.timedelta(days=1)


def snapshot(db) -> dict[str, list[tuple]]:
    return {t: db.execute(f"SELECT * FROM analytics.{t} ORDER BY {k}").fetchall() for t, k in TABLES.items()}


def truncate(db):
    db.execute("TRUNCATE " + ", ".join(f"analytics.{t}, staging.{t}" for t in TABLES))


def udc(db, day):
    return db.execute("SELECT user_id, browser_type, device_activity_datelist, datelist_int, "
                      "datelist_int >= 2147483648 AS today, datelist_int & 4261412864 <> 0 AS week "
                      "FROM analytics.user_devices_cumulated WHERE date = %s ORDER BY 1, 2", (day,)).fetchall()


def har(db, month):
    return db.execute("SELECT host, hit_array, unique_visitors FROM analytics.host_activity_reduced "
                      "WHERE month = %s ORDER BY host", (month,)).fetchall()


# --- the cases ---------------------------------------------------------------------------------

def test_c1_active_only_today_sets_only_the_top_bit(db):
    setup_raw(db, [(1, 10, "h1", J(31))], [(10, "Chrome")])
    run(db, J(31))
    assert udc(db, J(31)) == [(1, "Chrome", [J(31)], 2147483648, True, True)]


def test_c2_active_yesterday_only(db):
    setup_raw(db, [(1, 10, "h1", J(30))], [(10, "Chrome")])
    run_days(db, J(30), J(31))
    assert udc(db, J(31)) == [(1, "Chrome", [J(30)], 1073741824, False, True)]


def test_datelist_int_window_is_date_minus_31_to_date(db):
    # Jan 31 -> bit 31, Dec 31 (date - 31) -> bit 0, Dec 30 (date - 32) -> outside the 32 bits
    setup_raw(db, [(1, 10, "h1", dt.date(2022, 12, 30)), (1, 10, "h1", dt.date(2022, 12, 31)),
                   (1, 10, "h1", J(31))], [(10, "Chrome")])
    rebuild_range(db, J(1), J(1))  # Jan 1 from sources; the loads start in 2023
    run_days(db, J(2), J(31))
    (row,) = udc(db, J(31))
    assert row[2] == [dt.date(2022, 12, 30), dt.date(2022, 12, 31), J(31)]
    assert row[3] == 2147483648 + 1


def test_c6_new_browser_is_a_new_row_and_old_rows_carry_forward(db):
    setup_raw(db, [(1, 10, "h1", J(30)), (2, 10, "h1", J(30)), (1, 20, "h1", J(31))],
              [(10, "Chrome"), (20, "Firefox")])
    run_days(db, J(30), J(31))
    assert [r[:3] for r in udc(db, J(31))] == [
        (1, "Chrome", [J(30)]), (1, "Firefox", [J(31)]), (2, "Chrome", [J(30)])]


def test_c7_first_events_late_in_month_are_zero_padded(db):
    setup_raw(db, [(1, 1, "h1", J(1)), (1, 1, "h1", J(2)), (2, 1, "h1", J(3)),
                   (3, 1, "h2", J(3)), (4, 1, "h2", J(3))])
    run_days(db, J(1), J(3))
    assert har(db, J(1)) == [("h1", [1, 1, 1], [1, 1, 1]), ("h2", [0, 0, 2], [0, 0, 2])]


def test_c8_new_month_starts_new_rows_and_leaves_january(db):
    setup_raw(db, [(1, 1, "h1", J(30)), (2, 1, "h2", J(31)), (1, 1, "h1", dt.date(2023, 2, 1))])
    run_days(db, J(30), J(31))
    january = har(db, J(1))
    assert january == [("h1", [0] * 29 + [1, 0], [0] * 29 + [1, 0]), ("h2", [0] * 30 + [1], [0] * 30 + [1])]
    run(db, dt.date(2023, 2, 1))
    assert har(db, dt.date(2023, 2, 1)) == [("h1", [1], [1])]
    assert har(db, J(1)) == january


def test_c9_rerunning_a_day_adds_nothing(db):
    setup_raw(db, [(1, 1, "h1", J(1)), (1, 1, "h1", J(3)), (2, 1, "h1", J(3))])
    run_days(db, J(1), J(3))
    before = snapshot(db)
    assert har(db, J(1)) == [("h1", [1, 0, 2], [1, 0, 2])]
    run(db, J(3))
    run(db, J(3))
    assert snapshot(db) == before


def test_c10_null_user_is_a_hit_not_a_visitor(db):
    setup_raw(db, [(1, 1, "h1", f"{J(3)} 01:00:00"), (None, 1, "h1", f"{J(3)} 02:00:00")])
    run_days(db, J(1), J(3))
    assert har(db, J(1)) == [("h1", [0, 0, 2], [0, 0, 1])]
    assert [r[0] for r in udc(db, J(3))] == [1]  # NULL user ignored
    assert db.execute("SELECT host_activity_datelist FROM analytics.hosts_cumulated WHERE date = %s",
                      (J(3),)).fetchall() == [([J(3)],)]


def test_c11_ids_beyond_bigint_stay_distinct(db):
    big_device = 18446744073709551615 + 10
    setup_raw(db, [(BIG, big_device, "h1", J(1)), (BIG + 1, big_device, "h1", J(1))], [(big_device, "Edge")])
    run(db, J(1))
    rows = udc(db, J(1))
    assert [r[0] for r in rows] == [17358702759623100000, 17358702759623100001]
    assert {r[1] for r in rows} == {"Edge"}
    assert har(db, J(1)) == [("h1", [2], [2])]


def test_c12_gap_fails_naming_the_missing_day_and_publishes_nothing(db):
    setup_raw(db, [(1, 1, "h1", J(d)) for d in range(1, 5)])
    run_days(db, J(1), J(3))
    for t in ("user_devices_cumulated", "hosts_cumulated"):
        db.execute(f"DELETE FROM analytics.{t} WHERE date = %s", (J(3),))
    before = snapshot(db)
    with pytest.raises(MissingPreviousPeriod, match="2023-01-03"):
        run(db, J(4))
    assert snapshot(db) == before


# --- sources -------------------------------------------------------------------------------------

def test_exact_duplicates_count_once(db):
    e = (1, 1, "h1", "2023-01-01 10:00:00.123000")
    setup_raw(db, [e, e, e, (1, 1, "h1", "2023-01-01 10:00:00.123")])  # same instant, other text
    run(db, J(1))
    assert har(db, J(1)) == [("h1", [1], [1])]


def test_null_host_events_are_rejected_and_reported(db):
    setup_raw(db, [(1, 1, "h1", J(1)), (2, 1, None, J(1)), (3, 1, None, f"{J(1)} 13:00:00")])
    staged = run(db, J(1))
    assert staged.warnings["hosts_cumulated"][0]["events"] == 2
    assert har(db, J(1)) == [("h1", [1], [1])]
    assert [r[0] for r in udc(db, J(1))] == [1]


def test_browser_is_smallest_non_null_else_unknown(db):
    setup_raw(db, [(1, 10, "h1", J(1)), (2, 20, "h1", J(1)), (3, 30, "h1", J(1)), (4, None, "h1", J(1))],
              [(10, "Safari"), (10, "Chrome"), (10, None), (20, None)])
    run(db, J(1))
    assert [r[:2] for r in udc(db, J(1))] == [(1, "Chrome"), (2, "unknown"), (3, "unknown"), (4, "unknown")]


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Kolkata"])
def test_session_time_zone_does_not_shift_days(db, zone):
    setup_raw(db, [(1, 1, "h1", "2023-01-03 00:31:02.123000"), (2, 1, "h1", "2023-01-02 23:59:59.999999")])
    db.execute(f"SET TimeZone = '{zone}'")
    run_days(db, J(1), J(3))
    assert har(db, J(1)) == [("h1", [0, 1, 1], [0, 1, 1])]
    assert udc(db, J(3))[0][2] == [J(3)] and udc(db, J(3))[1][2] == [J(2)]
    per_day = snapshot(db)
    truncate(db)
    rebuild_range(db, J(1), J(3))
    assert snapshot(db) == per_day


def test_event_time_with_zone_fails_the_source_check(db):
    setup_raw(db, [(1, 1, "h1", "2023-01-01 23:00:00+05")])
    with pytest.raises(loads.SourceCheckFailed, match="event_time_format"):
        run(db, J(1))


def test_quiet_first_day_publishes_empty_and_next_day_starts(db):
    setup_raw(db, [(1, 1, "h1", J(2))])
    run_days(db, J(1), J(2))
    assert har(db, J(1)) == [("h1", [0, 1], [0, 1])]
    assert udc(db, J(1)) == [] and len(udc(db, J(2))) == 1


def test_days_of_host_activity_reduced_load_in_any_order(db):
    setup_raw(db, [(1, 1, "h1", J(1)), (2, 1, "h1", J(3)), (3, 1, "h2", J(2))])
    for d in (3, 1, 2):
        loads.stage(db, P, Period("day", J(d)), "full")
        loads.publish(db, P, Period("day", J(d)))
    assert har(db, J(1)) == [("h1", [1, 0, 1], [1, 0, 1]), ("h2", [0, 1, 0], [0, 1, 0])]



@pytest.mark.parametrize("method", ["incremental", "full"])
def test_a_past_day_reloaded_after_later_days_pads_a_new_host_to_the_months_width(db, method):
    # Jan 1..4 published; late events of a new host h2 for Jan 2 arrive and Jan 2 alone is rerun
    setup_raw(db, [(1, 1, "h1", J(d)) for d in (1, 2, 3, 4)])
    run_days(db, J(1), J(4))
    add_events(db, [(2, 1, "h2", J(2)), (3, 1, "h2", J(2))])
    run(db, J(2), method)
    assert har(db, J(1)) == [("h1", [1, 1, 1, 1], [1, 1, 1, 1]), ("h2", [0, 2, 0, 0], [0, 2, 0, 0])]
    after_rerun = snapshot(db)["host_activity_reduced"]
    truncate(db)
    rebuild_range(db, J(1), J(4))
    assert snapshot(db)["host_activity_reduced"] == after_rerun


@pytest.mark.parametrize("method", ["incremental", "full"])
def test_a_host_whose_events_are_withdrawn_loses_its_row_on_rerun(db, method):
    setup_raw(db, [(1, 1, "h1", J(1)), (1, 1, "h1", J(2)), (2, 1, "h2", J(2))])
    run_days(db, J(1), J(2))
    db.execute("DELETE FROM raw.events WHERE host = 'h2'")
    run(db, J(2), method)
    assert har(db, J(1)) == [("h1", [1, 1], [1, 1])]

# --- methods agree -----------------------------------------------------------------------------------

def test_range_mode_equals_per_day_runs_and_reruns_change_nothing(db):
    from include.sources.gen_web import generate

    generate(db, seed=7, scale=0.05)
    loads.ensure_schema(db, P)
    run_days(db, J(1), J(12))
    per_day = snapshot(db)
    run_days(db, J(11), J(12))
    assert snapshot(db) == per_day
    truncate(db)
    result = rebuild_range(db, J(1), J(12))
    assert result["days"] == 12 and result["rejected_null_host_events"] >= 1
    assert snapshot(db) == per_day
    rebuild_range(db, J(1), J(12))
    assert snapshot(db) == per_day


def test_repair_after_late_events_equals_a_full_rebuild(db):
    setup_raw(db, [(1, 1, "h1", J(d)) for d in (1, 2, 4, 6)] + [(2, 1, "h2", J(5))])
    run_days(db, J(1), J(6))
    add_events(db, [(3, 1, "h3", f"{J(3)} 08:00:00"), (1, 1, "h2", f"{J(3)} 09:00:00")])  # late events for Jan 3
    result = repair(db, J(3))
    assert (result["first"], result["last"]) == ("2023-01-03", "2023-01-06")
    repaired = snapshot(db)
    truncate(db)
    run_days(db, J(1), J(6))
    assert repaired == snapshot(db)
    assert har(db, J(1))[2] == ("h3", [0, 0, 1, 0, 0, 0], [0, 0, 1, 0, 0, 0])


def test_range_and_repair_refuse_bad_bounds(db):
    setup_raw(db, [(1, 1, "h1", J(1))])
    with pytest.raises(LoadError, match="published nothing"):
        repair(db, J(1))
    with pytest.raises(LoadError, match="before its start"):
        rebuild_range(db, J(3), J(1))
    run(db, J(1))
    with pytest.raises(LoadError, match="not published yet"):
        repair(db, J(5))


def test_range_mode_goes_through_the_quality_gate_and_a_failure_publishes_nothing(db, monkeypatch):
    from include import web_activity_range
    from include.quality import QualityGateFailed

    setup_raw(db, [(1, 1, "h1", J(d)) for d in (1, 2, 3)] + [(2, 1, "h1", J(2))])
    rebuild_range(db, J(1), J(3))
    before = snapshot(db)
    real_sql = web_activity_range.range_sql

    def drops_user_2(table):  # a faulty stage: user 2 vanishes from the day it was active
        text = real_sql(table)
        return f"SELECT * FROM ({text}) AS staged WHERE user_id <> 2" if table == "user_devices_cumulated" else text

    monkeypatch.setattr(web_activity_range, "range_sql", drops_user_2)
    with pytest.raises(QualityGateFailed, match=r"(?s)period 2023-01-02: .*users active on the day") as err:
        rebuild_range(db, J(1), J(3))
    assert {f["table"] for f in err.value.failures} == {"user_devices_cumulated"}
    assert snapshot(db) == before  # nothing published: the earlier range is intact


def test_null_host_events_of_a_user_are_rejected_for_every_table_and_pass_the_gate(db):
    # user 2's only event of Jan 2 has no host: rejected, so user 2 is not active that day
    setup_raw(db, [(1, 1, "h1", J(1)), (1, 1, "h1", J(2)), (2, 1, None, J(2))])
    for day in (J(1), J(2)):
        loads.load_period(db, P, Period("day", day))  # stage -> audit -> publish
    users = db.execute("SELECT user_id FROM analytics.user_devices_cumulated WHERE date = %s", (J(2),)).fetchall()
    assert users == [(1,)]


USERS = st.sampled_from([None, 1, 2, BIG, BIG + 1])
DEVICES = st.sampled_from([None, 10, 20, 30])
HOSTS = st.sampled_from(["a", "b", "c", None])
DAYS = [dt.date(2023, 1, 29) + dt.timedelta(days=i) for i in range(5)]  # Jan 29 .. Feb 2
EVENT = st.tuples(USERS, DEVICES, HOSTS, st.sampled_from(DAYS[:2] + DAYS[3:]),  # Jan 31 is quiet
                  st.sampled_from(["00:00:00", "00:30:00.5", "23:59:59.999999"]))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(EVENT, max_size=25), dup=st.integers(0, 5))
def test_property_incremental_equals_full_equals_range(db, events, dup):
    rows = [(u, d, h, f"{day} {t}") for u, d, h, day, t in events]
    rows += rows[:dup]  # exact duplicates
    setup_raw(db, rows, [(10, "Chrome"), (10, "Brave"), (20, None)])
    truncate(db)
    run_days(db, DAYS[0], DAYS[-1])
    incremental = snapshot(db)
    truncate(db)
    run_days(db, DAYS[0], DAYS[-1], "full")
    assert snapshot(db) == incremental
    truncate(db)
    rebuild_range(db, DAYS[0], DAYS[-1])
    assert snapshot(db) == incremental


def test_publishing_prunes_staged_days_older_than_the_retention(db):
    setup_raw(db, [(1, 1, "h1", J(d)) for d in range(1, 11)])
    run_days(db, J(1), J(10))  # retention: the 7 periods before the published one stay staged
    staged = db.execute("SELECT min(date), max(date) FROM staging.user_devices_cumulated").fetchone()
    assert staged == (J(3), J(10))
    assert db.execute("SELECT min(date) FROM staging.hosts_cumulated").fetchone()[0] == J(3)
    assert db.execute("SELECT count(*) FROM staging.host_activity_reduced").fetchone()[0] == 1  # its month
    assert db.execute("SELECT count(*) FROM analytics.user_devices_cumulated").fetchone()[0] == 10  # untouched
    rebuild_range(db, J(1), J(10))
    assert db.execute("SELECT min(date) FROM staging.user_devices_cumulated").fetchone()[0] == J(3)
