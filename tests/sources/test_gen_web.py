"""The web/game generator: deterministic, fast, and carrying every trap the loads must handle."""
from __future__ import annotations

import datetime as dt
import time

from include.sources.gen_web import generate


def _dump(db):
    return [db.execute(f"SELECT * FROM raw.{t} ORDER BY ctid").fetchall() for t in ("events", "devices", "game_details")]


def test_deterministic_fast_and_full_of_traps(db):
    t = time.monotonic()
    counts = generate(db)
    assert time.monotonic() - t < 3
    assert 19000 < counts["events"] < 22000
    first = _dump(db)
    assert generate(db) == counts and _dump(db) == first  # same seed -> same rows (TRUNCATE, no append)
    assert generate(db, seed=1) != counts or _dump(db) != first

    generate(db)
    q = lambda s: db.execute(s).fetchone()[0]  # noqa: E731
    assert q("SELECT count(*) FROM raw.events") == counts["events"]
    assert q("SELECT count(*) FROM (SELECT DISTINCT * FROM raw.events) e") < counts["events"]  # duplicates
    assert q("SELECT count(*) FROM raw.events WHERE user_id IS NULL") > 0
    assert q("SELECT count(*) FROM raw.events WHERE host IS NULL") == counts["null_host_events"] >= 1
    assert q("SELECT count(DISTINCT host) FROM raw.events") >= 5
    assert q("SELECT min(user_id) FROM raw.events") > 2**63
    assert q("SELECT count(DISTINCT user_id) FROM raw.events "
             "WHERE user_id IN (17358702759623100000, 17358702759623100001)") == 2
    assert q("SELECT min(event_time) FROM raw.events").startswith("2023-01-")
    assert q("SELECT count(*) FROM raw.events WHERE event_time !~ '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}$'") == 0
    days = {r[0] for r in db.execute("SELECT DISTINCT event_time::timestamp::date FROM raw.events")}
    quiet = dt.date(2023, 1, counts["quiet_day"])
    assert quiet not in days and len(days) == 30
    assert q("SELECT count(*) FROM (SELECT device_id FROM raw.devices GROUP BY 1 "
             "HAVING count(DISTINCT browser_type) > 1) d") > 0
    assert q("SELECT count(*) FROM raw.devices WHERE browser_type IS NULL") > 0
    assert q("SELECT count(DISTINCT e.device_id) FROM raw.events e "
             "WHERE NOT EXISTS (SELECT 1 FROM raw.devices d WHERE d.device_id = e.device_id)") > 0
    assert q("SELECT count(*) FROM (SELECT 1 FROM raw.game_details GROUP BY game_id, team_id, player_id "
             "HAVING count(*) > 1) g") > 0


def test_scale_and_month(db):
    counts = generate(db, scale=0.1, month=dt.date(2023, 2, 1))
    assert 1900 < counts["events"] < 2300
    days = {r[0] for r in db.execute("SELECT DISTINCT event_time::timestamp::date FROM raw.events")}
    assert min(days) >= dt.date(2023, 2, 1) and max(days) <= dt.date(2023, 2, 28)
