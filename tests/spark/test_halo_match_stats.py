"""Halo match stats on the real bootcamp data: plan shape, answers, sort-order sizes."""
from __future__ import annotations

import gzip

import pandas as pd
import pytest

from include.spark import halo_match_stats as hms

EXPECTED = {
    "top_killer": {"player_gamertag": "Stop Shooting", "games": 23, "kills": 625},
    "top_playlist": {"playlist_id": "f72e0ef0-7c4a-4307-af78-8e38dac3fdba", "matches": 9350},
    "top_map": {"mapid": "c7edbf0f-f206-11e4-aa52-24be05e24f7e", "map_name": "Breakout Arena", "matches": 8587},
    "top_killing_spree_map": {"mapid": "c7edbf0f-f206-11e4-aa52-24be05e24f7e", "map_name": "Breakout Arena",
                              "killing_sprees": 6744},
}


@pytest.fixture(scope="module")
def halo(spark, halo_data_dir, spark_warehouse):
    frames = hms.read_sources(spark, halo_data_dir)
    tables = hms.write_bucketed(spark, frames, spark_warehouse / "halo")
    return spark, frames, tables


@pytest.fixture(scope="module")
def answers(halo):
    spark, frames, tables = halo
    return hms.answers(spark, tables, frames["medals"], frames["maps"])


def _plan(df) -> str:
    return df._jdf.queryExecution().executedPlan().toString()


def _csv(data_dir, name, **kw):
    with gzip.open(data_dir / f"{name}.csv.gz", "rt") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""], **kw)


def test_bucketed_tables_have_16_buckets_on_match_id(halo):
    spark, _, _ = halo
    for name in hms.BUCKETED:
        info = {r["col_name"]: r["data_type"] for r in
                spark.sql(f"DESCRIBE TABLE EXTENDED {hms.table_name(name)}").collect()}
        assert info["Num Buckets"] == "16"
        assert "match_id" in info["Bucket Columns"]
        assert info["Provider"] == "parquet"


def test_big_side_joins_are_bucket_to_bucket_and_small_sides_broadcast(halo):
    spark, frames, tables = halo
    hms.configure(spark)
    for df in (hms.player_matches(tables),
               hms.medal_rows(tables, frames["medals"], frames["maps"]),
               hms.killing_spree_by_map(tables, frames["medals"], frames["maps"])):
        plan = _plan(df)
        joins = plan.count("SortMergeJoin")
        assert joins >= 1, plan
        # Every exchange in the plan is a broadcast of medals/maps or an aggregation, never
        # a shuffle feeding the sort-merge joins of the bucketed tables.
        lines = plan.splitlines()
        for i, line in enumerate(lines):
            if "Exchange" in line and "BroadcastExchange" not in line:
                assert "hashpartitioning(mapid" in line, f"shuffle on a big side:\n{plan}"
        assert "Bucketed: true" in plan
    plan = _plan(hms.medal_rows(tables, frames["medals"], frames["maps"]))
    assert plan.count("BroadcastHashJoin") == 2, plan
    assert plan.count("BroadcastExchange") == 2, plan
    assert plan.count("SortMergeJoin") == 2, plan
    assert "Exchange hashpartitioning" not in plan, plan


def test_auto_broadcast_is_off(halo):
    spark, _, _ = halo
    hms.configure(spark)
    assert spark.conf.get("spark.sql.autoBroadcastJoinThreshold") == "-1"


def test_the_four_answers(answers):
    assert answers["top_killer"]["min_games"] == hms.MIN_GAMES == 10
    assert answers["top_killer"]["avg_kills"] == pytest.approx(625 / 23)
    for key, expected in EXPECTED.items():
        for field, value in expected.items():
            assert answers[key][field] == value, (key, field, answers[key])


def test_answers_match_a_plain_pandas_computation(halo_data_dir, answers):
    md = _csv(halo_data_dir, "match_details", usecols=["match_id", "player_gamertag", "player_total_kills"])
    m = _csv(halo_data_dir, "matches", usecols=["match_id", "mapid", "playlist_id"])
    mmp = _csv(halo_data_dir, "medals_matches_players")
    medals = _csv(halo_data_dir, "medals", usecols=["medal_id", "name"])
    maps = _csv(halo_data_dir, "maps", usecols=["mapid", "name"])

    pm = md.merge(m[["match_id"]], on="match_id")
    per_player = pm.groupby("player_gamertag").agg(games=("match_id", "size"), kills=("player_total_kills", "sum"))
    per_player = per_player[per_player.games >= hms.MIN_GAMES]
    per_player["avg"] = per_player.kills / per_player.games
    top = per_player.reset_index().sort_values(["avg", "player_gamertag"], ascending=[False, True]).iloc[0]
    assert answers["top_killer"]["player_gamertag"] == top.player_gamertag

    playlists = m.groupby("playlist_id").match_id.nunique().reset_index()
    top = playlists.sort_values(["match_id", "playlist_id"], ascending=[False, True]).iloc[0]
    assert (answers["top_playlist"]["playlist_id"], answers["top_playlist"]["matches"]) == (top.playlist_id, top.match_id)

    maps_played = m.groupby("mapid").match_id.nunique().reset_index()
    top = maps_played.sort_values(["match_id", "mapid"], ascending=[False, True]).iloc[0]
    assert (answers["top_map"]["mapid"], answers["top_map"]["matches"]) == (top.mapid, top.match_id)
    assert answers["top_map"]["map_name"] == maps.set_index("mapid").name[top.mapid]

    ks_id = medals.loc[medals.name == hms.KILLING_SPREE, "medal_id"]
    assert list(ks_id) == [2430242797]
    ks = mmp[mmp.medal_id.isin(ks_id)].merge(m, on="match_id").groupby("mapid")["count"].sum().reset_index()
    top = ks.sort_values(["count", "mapid"], ascending=[False, True]).iloc[0]
    assert (answers["top_killing_spree_map"]["mapid"], answers["top_killing_spree_map"]["killing_sprees"]) == (
        top.mapid, top["count"])


def test_bucketed_and_plain_joins_give_the_same_rows(halo):
    spark, frames, tables = halo
    bucketed = hms.medal_rows(tables, frames["medals"], frames["maps"])
    plain = hms.medal_rows(frames, frames["medals"], frames["maps"])
    cols = ["match_id", "player_gamertag", "medal_id", "count", "mapid", "player_total_kills"]
    assert bucketed.select(cols).exceptAll(plain.select(cols)).count() == 0
    assert bucketed.count() == plain.count()


def test_low_cardinality_first_sort_is_not_larger_than_unsorted(halo, tmp_path):
    spark, frames, tables = halo
    sizes = hms.sort_order_sizes(hms.medal_rows(tables, frames["medals"], frames["maps"]), tmp_path)
    print("sortWithinPartitions sizes:", sizes)
    assert set(sizes) == {"unsorted", "low_cardinality_first", "high_cardinality_first"}
    assert sizes["low_cardinality_first"] <= sizes["unsorted"]
    assert sizes["low_cardinality_first"] <= sizes["high_cardinality_first"]
