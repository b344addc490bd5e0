"""Halo match stats (Spark): bucket joins, broadcast joins and four answers.

Inputs: the bootcamp Halo CSVs (``matches``, ``match_details``,
``medals_matches_players``, ``medals``, ``maps``; gzip CSV with header), read
with explicit schemas.

How it joins:

* ``spark.sql.autoBroadcastJoinThreshold = -1``: Spark never decides to broadcast
  on its own; ``medals`` (183 rows) and ``maps`` (40 rows) are broadcast
  explicitly with ``broadcast()``.
* ``matches``, ``match_details`` and ``medals_matches_players`` are written as
  Parquet tables bucketed on ``match_id`` into 16 buckets (``bucketBy`` +
  ``saveAsTable``) and joined bucket-to-bucket: the plan has no Exchange on the
  big sides. ``spark.sql.requireAllClusterKeysForCoPartition=false`` lets the
  (match_id, player_gamertag) join reuse the match_id bucketing too.

The answers (:func:`answers` returns them as a dict):

a. ``top_killer``: the player with the highest average kills per game
   (``sum(player_total_kills) / games``, one game = one match_details row of the
   player). **Minimum-games rule:** only players with at least
   ``MIN_GAMES`` (10) games qualify, so that a single lucky match does not win.
   Ties: lower gamertag wins.
b. ``top_playlist``: the playlist with the most distinct matches in ``matches``.
c. ``top_map``: the map with the most distinct matches in ``matches`` (with its
   name from ``maps``).
d. ``top_killing_spree_map``: the map whose matches earned the most "Killing
   Spree" medals (sum of ``count`` in medals_matches_players; medal found by
   its name in ``medals``).

"Played" counts every match of ``matches`` (24,025), including the 4,975 with no
match_details rows: a match row exists only for a played match. Ties in b-d:
the smaller id wins.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

MIN_GAMES = 10
BUCKETS = 16
KILLING_SPREE = "Killing Spree"
TABLES = ("matches", "match_details", "medals_matches_players", "medals", "maps")
BUCKETED = ("matches", "match_details", "medals_matches_players")

# Explicit schemas (the types of the bootcamp README). Booleans arrive as 't'/'f'
# and are read as text, then converted (Spark's CSV reader wants true/false).
SCHEMAS = {
    "matches": "match_id STRING, mapid STRING, is_team_game STRING, playlist_id STRING, "
               "game_variant_id STRING, is_match_over STRING, completion_date TIMESTAMP, "
               "match_duration STRING, game_mode STRING, map_variant_id STRING",
    "match_details": "match_id STRING, player_gamertag STRING, previous_spartan_rank INT, spartan_rank INT, "
                     "previous_total_xp INT, total_xp INT, previous_csr_tier INT, previous_csr_designation INT, "
                     "previous_csr INT, previous_csr_percent_to_next_tier INT, previous_csr_rank INT, "
                     "current_csr_tier INT, current_csr_designation INT, current_csr INT, "
                     "current_csr_percent_to_next_tier INT, current_csr_rank INT, player_rank_on_team INT, "
                     "player_finished STRING, player_average_life STRING, player_total_kills INT, "
                     "player_total_headshots INT, player_total_weapon_damage DOUBLE, "
                     "player_total_shots_landed INT, player_total_melee_kills INT, "
                     "player_total_melee_damage DOUBLE, player_total_assassinations INT, "
                     "player_total_ground_pound_kills INT, player_total_shoulder_bash_kills INT, "
                     "player_total_grenade_damage DOUBLE, player_total_power_weapon_damage DOUBLE, "
                     "player_total_power_weapon_grabs INT, player_total_deaths INT, player_total_assists INT, "
                     "player_total_grenade_kills INT, did_win INT, team_id INT",
    "medals_matches_players": "match_id STRING, player_gamertag STRING, medal_id BIGINT, count INT",
    "medals": "medal_id BIGINT, sprite_uri STRING, sprite_left INT, sprite_top INT, sprite_sheet_width INT, "
              "sprite_sheet_height INT, sprite_width INT, sprite_height INT, classification STRING, "
              "description STRING, name STRING, difficulty INT",
    "maps": "mapid STRING, name STRING, description STRING",
}
BOOLEAN_COLUMNS = {"matches": ("is_team_game", "is_match_over"), "match_details": ("player_finished",)}

JOB_CONF = {
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    "spark.sql.adaptive.autoBroadcastJoinThreshold": "-1",
    "spark.sql.sources.bucketing.enabled": "true",
    "spark.sql.requireAllClusterKeysForCoPartition": "false",
    # Keep the plan the one we reason about (AQE may not re-plan joins behind our back).
    "spark.sql.adaptive.enabled": "false",
}


def default_data_dir() -> Path:
    from include.settings import DEFAULT_DATA_DIR

    return Path(os.environ.get("BOOTCAMP_DATA", DEFAULT_DATA_DIR))


def configure(spark: SparkSession) -> None:
    for key, value in JOB_CONF.items():
        spark.conf.set(key, value)


def read_sources(spark: SparkSession, data_dir: str | Path) -> dict[str, DataFrame]:
    """The five CSVs as DataFrames with explicit schemas (t/f text -> boolean)."""
    data_dir = Path(data_dir)
    frames = {}
    for name in TABLES:
        path = data_dir / f"{name}.csv.gz"
        if not path.exists():
            raise FileNotFoundError(f"{path} not found (set BOOTCAMP_DATA or --data-dir)")
        df = (spark.read.option("header", True).option("mode", "FAILFAST")
              .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
              .schema(SCHEMAS[name]).csv(str(path)))
        for col in BOOLEAN_COLUMNS.get(name, ()):
            df = df.withColumn(col, F.when(F.col(col) == "t", True).when(F.col(col) == "f", False))
        frames[name] = df
    return frames


def table_name(name: str) -> str:
    return f"halo_{name}_bucketed"


def write_bucketed(spark: SparkSession, frames: dict[str, DataFrame], warehouse: str | Path) -> dict[str, DataFrame]:
    """Write the three big tables bucketed on match_id (16 buckets, Parquet); return them as tables.

    Idempotent: each run replaces the tables. ``warehouse`` is the folder the table
    files go to (one sub-folder per table).
    """
    configure(spark)
    out = {}
    for name in BUCKETED:
        tname = table_name(name)
        spark.sql(f"DROP TABLE IF EXISTS {tname}")
        (frames[name].write.format("parquet").mode("overwrite")
         .bucketBy(BUCKETS, "match_id").sortBy("match_id")
         .option("path", str(Path(warehouse).resolve() / tname))
         .saveAsTable(tname))
        out[name] = spark.table(tname)
    return out


def player_matches(tables: dict[str, DataFrame]) -> DataFrame:
    """match_details joined to matches bucket-to-bucket: one row per (match, player)."""
    m = tables["matches"].select("match_id", "mapid", "playlist_id", "completion_date")
    return tables["match_details"].select("match_id", "player_gamertag", "player_total_kills").join(m, "match_id")


def medal_rows(tables: dict[str, DataFrame], medals: DataFrame, maps: DataFrame) -> DataFrame:
    """One row per (match, player, medal) with the match's map/playlist, the player's kills,
    the medal's name (broadcast) and the map's name (broadcast). Bucket-to-bucket on the big sides."""
    md = tables["match_details"].select("match_id", "player_gamertag", "player_total_kills")
    m = tables["matches"].select("match_id", "mapid", "playlist_id")
    mmp = tables["medals_matches_players"]
    return (mmp.join(md, ["match_id", "player_gamertag"]).join(m, "match_id")
            .join(F.broadcast(medals.select("medal_id", F.col("name").alias("medal_name"),
                                            "classification")), "medal_id")
            .join(F.broadcast(maps.select("mapid", F.col("name").alias("map_name"))), "mapid", "left"))


def killing_spree_by_map(tables: dict[str, DataFrame], medals: DataFrame, maps: DataFrame) -> DataFrame:
    m = tables["matches"].select("match_id", "mapid")
    ks = medals.where(F.col("name") == KILLING_SPREE).select("medal_id")
    return (tables["medals_matches_players"].join(m, "match_id")
            .join(F.broadcast(ks), "medal_id")
            .groupBy("mapid").agg(F.sum("count").alias("killing_sprees"))
            .join(F.broadcast(maps.select("mapid", F.col("name").alias("map_name"))), "mapid", "left"))


def avg_kills(tables: dict[str, DataFrame], min_games: int = MIN_GAMES) -> DataFrame:
    return (player_matches(tables).groupBy("player_gamertag")
            .agg(F.count("*").alias("games"), F.sum("player_total_kills").alias("kills"))
            .where(F.col("games") >= min_games)
            .withColumn("avg_kills", F.col("kills") / F.col("games")))


def matches_by(tables: dict[str, DataFrame], column: str) -> DataFrame:
    return tables["matches"].groupBy(column).agg(F.countDistinct("match_id").alias("matches"))


def _first(df: DataFrame, *order) -> dict:
    row = df.orderBy(*order).limit(1).collect()
    return row[0].asDict() if row else {}


def answers(spark: SparkSession, tables: dict[str, DataFrame], medals: DataFrame, maps: DataFrame,
            min_games: int = MIN_GAMES) -> dict:
    """The four answers as plain Python values."""
    configure(spark)
    a = _first(avg_kills(tables, min_games), F.desc("avg_kills"), "player_gamertag")
    b = _first(matches_by(tables, "playlist_id"), F.desc("matches"), "playlist_id")
    c = _first(matches_by(tables, "mapid").join(
        F.broadcast(maps.select("mapid", F.col("name").alias("map_name"))), "mapid", "left"),
        F.desc("matches"), "mapid")
    d = _first(killing_spree_by_map(tables, medals, maps), F.desc("killing_sprees"), "mapid")
    return {
        "top_killer": {"player_gamertag": a["player_gamertag"], "avg_kills": float(a["avg_kills"]),
                       "games": a["games"], "kills": a["kills"], "min_games": min_games},
        "top_playlist": {"playlist_id": b["playlist_id"], "matches": b["matches"]},
        "top_map": {"mapid": c["mapid"], "map_name": c["map_name"], "matches": c["matches"]},
        "top_killing_spree_map": {"mapid": d["mapid"], "map_name": d["map_name"],
                                  "killing_sprees": d["killing_sprees"]},
    }


# Column orders compared by the sortWithinPartitions experiment.
SORT_ORDERS = {
    "unsorted": (),
    "low_cardinality_first": ("playlist_id", "mapid", "medal_name", "match_id", "player_gamertag"),
    "high_cardinality_first": ("match_id", "player_gamertag", "medal_name", "mapid", "playlist_id"),
}


def dir_size(path: str | Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*.parquet"))


def sort_order_sizes(dataset: DataFrame, out_dir: str | Path, partitions: int = 4) -> dict[str, int]:
    """Write ``dataset`` once per column order of SORT_ORDERS (same partitioning) and
    return the Parquet bytes of each. Low-cardinality columns first gives long runs
    for run-length / dictionary encoding, hence smaller files."""
    base = dataset.repartition(partitions, "match_id").cache()
    base.count()
    sizes = {}
    try:
        for label, cols in SORT_ORDERS.items():
            df = base.sortWithinPartitions(*cols) if cols else base
            path = Path(out_dir) / label
            df.write.mode("overwrite").parquet(str(path))
            sizes[label] = dir_size(path)
    finally:
        base.unpersist()
    return sizes


def run(spark: SparkSession, data_dir: str | Path, warehouse: str | Path, *, sizes: bool = True,
        min_games: int = MIN_GAMES) -> dict:
    """The whole job: read, bucket, answer, (optionally) the sort comparison. Returns a dict
    with ``answers``, ``sort_sizes`` and ``seconds`` per step."""
    configure(spark)
    seconds = {}
    t = time.monotonic()
    frames = read_sources(spark, data_dir)
    tables = write_bucketed(spark, frames, warehouse)
    seconds["bucket_write"] = round(time.monotonic() - t, 2)
    t = time.monotonic()
    result = {"answers": answers(spark, tables, frames["medals"], frames["maps"], min_games)}
    seconds["answers"] = round(time.monotonic() - t, 2)
    if sizes:
        t = time.monotonic()
        result["sort_sizes"] = sort_order_sizes(medal_rows(tables, frames["medals"], frames["maps"]),
                                                Path(warehouse) / "sort_compare")
        seconds["sort_compare"] = round(time.monotonic() - t, 2)
    result["seconds"] = seconds
    return result


def halo_answers(data_dir: str | Path | None = None, warehouse: str | Path | None = None) -> dict:
    """For ``make demo``: the four answers as a dict (starts a local session if needed)."""
    import tempfile

    from include.spark.session import get_session

    spark = get_session("halo-match-stats")
    with tempfile.TemporaryDirectory(prefix="halo-warehouse-") as tmp:
        return run(spark, data_dir or default_data_dir(), warehouse or tmp, sizes=False)["answers"]


def main(argv: list[str] | None = None) -> int:
    from include.spark.session import get_session

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(default_data_dir()))
    parser.add_argument("--warehouse", default=os.environ.get("HALO_WAREHOUSE", "/tmp/halo-warehouse"))
    parser.add_argument("--min-games", type=int, default=MIN_GAMES)
    parser.add_argument("--no-sort-sizes", action="store_true")
    parser.add_argument("--output", help="also write the result as JSON to this file")
    args = parser.parse_args(argv)
    spark = get_session("halo-match-stats", warehouse_dir=args.warehouse)
    result = run(spark, args.data_dir, args.warehouse, sizes=not args.no_sort_sizes, min_games=args.min_games)
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text)
    spark.stop()
    return 0


if __name__ == "__main__":
    import sys

    # spark-submit runs this file as a script: make ``include`` importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
