"""Actors (yearly) as Spark SQL: ``actors`` and ``actors_history_scd`` for one year.

Same rows as the PostgreSQL loads (include/sql/actors, LOADS.md section 1), computed
straight from ``actor_films`` (the "full" method):

* quality_class from the plain average of the year's non-null ratings, > 8 star,
  > 7 good, > 6 average, else bad; REAL ratings are averaged as decimals (their
  shortest text form, like Postgres' real -> numeric), never as doubles;
  a year without rated films carries the last class forward;
* SCD: maximal runs of consecutive years with equal (quality_class, is_active),
  NULL equal to NULL (``<=>``); the last run ends at the year.

Output: Parquet partitioned by ``current_year`` with dynamic partition overwrite.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

_CLASS = """CASE WHEN avg_rating IS NULL THEN NULL WHEN avg_rating > 8 THEN 'star'
                 WHEN avg_rating > 7 THEN 'good' WHEN avg_rating > 6 THEN 'average' ELSE 'bad' END"""

_YEARLY = """
    SELECT actorid, year, {cls} AS year_class
    FROM (SELECT actorid, year, avg(CAST(CAST(rating AS STRING) AS DECIMAL(20, 6))) AS avg_rating
          FROM {films} WHERE year <= {year} GROUP BY actorid, year)
""".replace("{cls}", _CLASS)

ACTORS_SQL = """
WITH yearly AS ({yearly}),
per_actor_class AS (
    SELECT actorid, max_by(year_class, CASE WHEN year_class IS NOT NULL THEN year END) AS quality_class,
           max(year) AS last_year
    FROM yearly GROUP BY actorid
),
per_actor_films AS (
    SELECT actorid,
           max_by(actor, CASE WHEN actor IS NOT NULL THEN struct(year, filmid) END) AS actor,
           transform(array_sort(collect_list(struct(year AS y, filmid AS f,
                     struct(film, votes, rating, filmid, year) AS s))), x -> x.s) AS films
    FROM {films} WHERE year <= {year} GROUP BY actorid
)
SELECT f.actorid, f.actor, f.films, c.quality_class,
       c.last_year = {year} AS is_active,
       {year} - c.last_year AS years_since_last_active,
       {year} AS current_year
FROM per_actor_films f JOIN per_actor_class c USING (actorid)
"""

SCD_SQL = """
WITH yearly AS ({yearly}),
first_year AS (SELECT actorid, min(year) AS first_year FROM yearly GROUP BY actorid),
years AS (
    SELECT f.actorid, y.year, s.actorid IS NOT NULL AS is_active, s.year_class
    FROM (SELECT actorid, explode(sequence(first_year, {year})) AS year FROM first_year) y
    JOIN first_year f ON f.actorid = y.actorid
    LEFT JOIN yearly s ON s.actorid = y.actorid AND s.year = y.year
),
carried AS (SELECT *, count(year_class) OVER (PARTITION BY actorid ORDER BY year) AS class_grp FROM years),
state AS (
    SELECT actorid, year, is_active,
           first_value(year_class) OVER (PARTITION BY actorid, class_grp ORDER BY year) AS quality_class
    FROM carried
),
changes AS (
    SELECT *, CASE WHEN quality_class <=> lag(quality_class) OVER w AND is_active <=> lag(is_active) OVER w
                   THEN 0 ELSE 1 END AS changed
    FROM state WINDOW w AS (PARTITION BY actorid ORDER BY year)
),
islands AS (SELECT *, sum(changed) OVER (PARTITION BY actorid ORDER BY year) AS run_id FROM changes)
SELECT actorid, quality_class, is_active, min(year) AS start_date, max(year) AS end_date,
       {year} AS current_year
FROM islands GROUP BY actorid, run_id, quality_class, is_active
"""


def _run(spark: SparkSession, template: str, films: DataFrame, year: int) -> DataFrame:
    name = f"_actor_films_{id(films)}"
    films.createOrReplaceTempView(name)
    year = int(year)
    yearly = _YEARLY.format(films=name, year=year)
    return spark.sql(template.format(yearly=yearly, films=name, year=year))


def actors(spark: SparkSession, actor_films: DataFrame, year: int) -> DataFrame:
    return _run(spark, ACTORS_SQL, actor_films, year)


def actors_history_scd(spark: SparkSession, actor_films: DataFrame, year: int) -> DataFrame:
    return _run(spark, SCD_SQL, actor_films, year)


def load_year(spark: SparkSession, actor_films: DataFrame, year: int, output: str | Path) -> dict[str, int]:
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    counts = {}
    for name, df in (("actors", actors(spark, actor_films, year)),
                     ("actors_history_scd", actors_history_scd(spark, actor_films, year))):
        df = df.cache()
        counts[name] = df.count()
        df.write.mode("overwrite").partitionBy("current_year").parquet(str(Path(output) / name))
        df.unpersist()
    return counts


def main(argv: list[str] | None = None) -> int:
    from include.spark.session import get_session

    parser = argparse.ArgumentParser(description="Actors + actors_history_scd for one year (Spark SQL)")
    parser.add_argument("--actor-films", required=True, help="Parquet of raw actor_films")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    spark = get_session("actors-scd")
    print(load_year(spark, spark.read.parquet(args.actor_films), args.year, args.output))
    spark.stop()
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
