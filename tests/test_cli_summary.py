"""The demo's summary: counts from datelist_int and host arrays against hand-computed values."""
from __future__ import annotations

from include import cli, loads, pipelines


def _publish_web_rows(db) -> None:
    loads.ensure_schema(db, pipelines.get("web_activity"))
    loads.ensure_schema(db, pipelines.get("game_details"))
    db.execute("""
        INSERT INTO analytics.user_devices_cumulated VALUES
          -- u1: active on the last day (bit 31) on two browsers: counted once
          (17358702759623100000, 'Chrome',  '{2023-01-31}', 2147483648, '2023-01-31'),
          (17358702759623100000, 'Firefox', '{2023-01-31}', 2147483648, '2023-01-31'),
          -- u2: active 6 days before (bit 25): 7-day yes, today no
          (17358702759623100001, 'Chrome',  '{2023-01-25}', 33554432, '2023-01-31'),
          -- u3: active 29 days before (bit 2): 30-day only
          (3, 'Safari', '{2023-01-02}', 4, '2023-01-31'),
          -- u4: active 31 days before (bit 0): outside 30 days
          (4, 'Safari', '{2022-12-31}', 1, '2023-01-31'),
          -- an older snapshot does not count
          (5, 'Chrome', '{2023-01-30}', 2147483648, '2023-01-30')
    """)
    db.execute("""
        INSERT INTO analytics.host_activity_reduced VALUES
          ('2023-01-01', 'a.example', '{1,2,3}', '{1,1,1}'),
          ('2023-01-01', 'b.example', '{0,0,10}', '{0,0,2}'),
          ('2022-12-01', 'old.example', '{100}', '{1}')
    """)


def test_summary_counts_active_users_and_hits(db, db_url, capsys):
    _publish_web_rows(db)
    cli.print_summary(db_url)
    out = capsys.readouterr().out
    assert "active users on 2023-01-31 (from datelist_int): daily 1 · 7-day 2 · 30-day 3" in out
    lines = out.splitlines()
    top = lines.index(next(line for line in lines if line.startswith("hits per host")))
    assert "month 2023-01-01 (3 days loaded)" in lines[top]
    assert lines[top + 1].split() == ["b.example", "10"]
    assert lines[top + 2].split() == ["a.example", "6"]
    assert "old.example" not in out
    # a full-snapshot table has no periods to count
    assert any(line.split()[:3] == ["analytics.fct_game_details", "0", "whole"] for line in lines)
