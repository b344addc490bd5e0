"""Deterministic synthetic web events, devices and game details for tests, demos and benchmarks.

``generate(conn, seed=42, scale=1.0, month=date(2023, 1, 1))`` (re)creates the raw
tables (``include/sql/raw/schema.sql``), TRUNCATEs ``raw.events``, ``raw.devices``
and ``raw.game_details`` and fills them with COPY. The data carries every trap the
loads must handle:

* ``event_time`` as TEXT UTC ('2023-01-03 00:31:02.123000'), events right after
  midnight (a session time zone must not shift them);
* user and device ids near 1.8e19 (beyond BIGINT), including two users that
  differ only in the last digit; some NULL user_ids;
* exact duplicate rows; a few NULL hosts; several hosts;
* one day of the month without any event (``quiet_day``);
* devices listed twice with different browsers, NULL browser_type, and event
  devices missing from ``raw.devices``;
* ``game_details`` rows duplicated on (game_id, team_id, player_id) with
  differing columns.

Same seed and scale -> the same rows, in the same order.
"""
from __future__ import annotations

import calendar
import datetime as dt
import random

import psycopg

from include.settings import SQL_DIR

HOSTS = ["www.zachwilson.tech", "www.eczachly.com", "admin.zachwilson.tech", "www.dataexpert.io",
         "zachwilson.techcreator.io", "learn.dataexpert.io"]
HOST_WEIGHTS = [40, 25, 5, 20, 7, 3]
URLS = ["/", "/blog", "/about", "/api/v1/login", "/signup", "/courses", "/contact", "/robots.txt"]
REFERRERS = [None, None, "https://www.google.com/", "https://www.linkedin.com/", "https://t.co/", "http://localhost/"]
BROWSERS = ["Chrome", "Firefox", "Safari", "Edge", "Opera", "Googlebot", "bingbot"]
OS_TYPES = ["Windows", "Mac OS X", "Linux", "iOS", "Android", "Other"]
DEVICE_TYPES = ["Other", "iPhone", "Samsung SM-G991B", "Spider", "Mac"]

USER_BASE = 17358702759623100000  # > 2^63: NUMERIC only
DEVICE_BASE = 18446744073709000000


def _copy(conn: psycopg.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    cols = ", ".join(f'"{c}"' for c in columns)
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _events(rnd: random.Random, n: int, month: dt.date, users: list[int], devices: list[int]):
    days = calendar.monthrange(month.year, month.month)[1]
    quiet_day = min(10, days)
    active_days = [d for d in range(1, days + 1) if d != quiet_day]
    rows: list[tuple] = []
    for _ in range(n):
        day = rnd.choice(active_days)
        # a share of events lands just after midnight UTC, where a zone shift would move them
        secs = rnd.randrange(0, 1800) if rnd.random() < 0.1 else rnd.randrange(0, 86400)
        micros = rnd.randrange(0, 1000) * 1000
        ts = dt.datetime(month.year, month.month, day) + dt.timedelta(seconds=secs, microseconds=micros)
        user = None if rnd.random() < 0.05 else rnd.choice(users)
        device = rnd.choice(devices)
        host = rnd.choices(HOSTS, HOST_WEIGHTS)[0]
        rows.append((rnd.choice(URLS), rnd.choice(REFERRERS), user, device, host,
                     ts.strftime("%Y-%m-%d %H:%M:%S.%f")))
    # a few events without host (rejected by the loads)
    for i in range(5):
        r = rows[rnd.randrange(len(rows))]
        rows.append((r[0], r[1], r[2], r[3], None, r[5][:-6] + f"{i:06d}"))
    # exact duplicates (~2 %): ingestion duplicates, must count once
    dups = [rows[rnd.randrange(len(rows))] for _ in range(max(1, n // 50))]
    rows.extend(dups)
    rnd.shuffle(rows)
    return rows, quiet_day, len(dups)


def _devices(rnd: random.Random, devices: list[int]) -> list[tuple]:
    rows = []
    known = devices[: int(len(devices) * 0.93)]  # the rest appear in events only
    for i, d in enumerate(known):
        browser = None if i % 20 == 7 else rnd.choice(BROWSERS)
        rows.append((d, browser, rnd.randrange(1, 120), rnd.choice(DEVICE_TYPES), rnd.choice(OS_TYPES)))
        if i % 10 == 3:  # listed twice with a different browser
            other = rnd.choice([b for b in BROWSERS if b != browser])
            rows.append((d, other, rnd.randrange(1, 120), rnd.choice(DEVICE_TYPES), rnd.choice(OS_TYPES)))
    rnd.shuffle(rows)
    return rows


GAME_COLUMNS = ["game_id", "team_id", "team_abbreviation", "team_city", "player_id", "player_name", "nickname",
                "start_position", "comment", "min", "fgm", "fga", "fg_pct", "fg3m", "fg3a", "fg3_pct", "ftm",
                "fta", "ft_pct", "oreb", "dreb", "reb", "ast", "stl", "blk", "TO", "pf", "pts", "plus_minus"]


def _game_row(rnd: random.Random, game_id: int, team_id: int, player_id: int) -> tuple:
    fga = rnd.randrange(0, 25)
    fgm = rnd.randrange(0, fga + 1)
    fg3a = rnd.randrange(0, 10)
    fg3m = rnd.randrange(0, fg3a + 1)
    fta = rnd.randrange(0, 10)
    ftm = rnd.randrange(0, fta + 1)
    oreb, dreb = rnd.randrange(0, 5), rnd.randrange(0, 10)
    return (game_id, team_id, f"T{team_id % 100:02d}", f"City {team_id % 100}", player_id, f"Player {player_id}",
            None, rnd.choice(["F", "C", "G", None, None]), None, f"{rnd.randrange(0, 48)}:{rnd.randrange(60):02d}",
            fgm, fga, round(fgm / fga, 3) if fga else None, fg3m, fg3a, round(fg3m / fg3a, 3) if fg3a else None,
            ftm, fta, round(ftm / fta, 3) if fta else None, oreb, dreb, oreb + dreb, rnd.randrange(0, 12),
            rnd.randrange(0, 4), rnd.randrange(0, 4), rnd.randrange(0, 6), rnd.randrange(0, 6),
            2 * fgm + fg3m + ftm, rnd.randrange(-20, 21))


def _game_details(rnd: random.Random, games: int) -> tuple[list[tuple], int]:
    rows = []
    for g in range(games):
        game_id = 22200001 + g
        for team_id in (1610612737 + (2 * g) % 30, 1610612738 + (2 * g) % 30):
            for p in range(10):
                rows.append(_game_row(rnd, game_id, team_id, 200000 + (team_id % 100) * 100 + p))
    dups = 0
    for r in list(rows[:: max(1, len(rows) // 60)]):
        # same (game_id, team_id, player_id), differing columns
        rows.append(_game_row(rnd, r[0], r[1], r[4]))
        dups += 1
    rnd.shuffle(rows)
    return rows, dups


def generate(conn: psycopg.Connection, *, seed: int = 42, scale: float = 1.0,
             month: dt.date = dt.date(2023, 1, 1)) -> dict[str, int]:
    """Create and fill raw.events, raw.devices and raw.game_details; return row counts."""
    month = month.replace(day=1)
    rnd = random.Random(seed)
    n_users = max(4, int(600 * scale))
    n_devices = max(4, int(250 * scale))
    # two users differing only in the last digit (C11) + spread ids, all beyond BIGINT
    users = [USER_BASE, USER_BASE + 1] + [USER_BASE + rnd.randrange(2, 10**15) for _ in range(n_users - 2)]
    devices = [DEVICE_BASE + rnd.randrange(0, 10**14) for _ in range(n_devices)]
    events, quiet_day, dup_events = _events(rnd, max(10, int(20000 * scale)), month, users, devices)
    device_rows = _devices(rnd, devices)
    game_rows, dup_games = _game_details(rnd, max(2, int(60 * scale)))
    with conn.transaction():
        conn.execute((SQL_DIR / "raw" / "schema.sql").read_text())
        conn.execute("TRUNCATE raw.events, raw.devices, raw.game_details")
        _copy(conn, "raw.events", ["url", "referrer", "user_id", "device_id", "host", "event_time"], events)
        _copy(conn, "raw.devices", ["device_id", "browser_type", "browser_version_major", "device_type",
                                    "os_type"], device_rows)
        _copy(conn, "raw.game_details", GAME_COLUMNS, game_rows)
    return {"events": len(events), "duplicate_events": dup_events, "null_host_events": sum(1 for e in events if e[4] is None),
            "devices": len(device_rows), "game_details": len(game_rows), "duplicate_game_keys": dup_games,
            "quiet_day": quiet_day}
