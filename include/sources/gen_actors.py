"""Deterministic stand-ins for the course tables we have no real data for.

``generate(conn, seed=42, scale=1.0)`` fills ``raw.actor_films`` (years 1970..2021,
about ``300 * scale`` actors); ``generate_player_seasons(conn, ...)`` fills
``raw.player_seasons`` (seasons 1996..2022) for when the real bootcamp CSV is not
given. Same seed and scale -> the same rows, byte for byte (``random.Random(seed)``,
no clock, no hash ordering).

The data is shaped to exercise the loads' rules, not to look like IMDb:

* films rated exactly 6.0, 7.0 and 8.0 (class boundaries: bad, average, good),
  including the REAL pair 7.9 / 8.5 (average 8.2, star) and 8.1 / 7.9 (exactly 8.0, good);
* films with NULL rating, and actor years where every film is unrated
  (the class is carried forward);
* actors with inactive years between active ones, and careers that end early;
* films shared by several actors (filmid is unique per actor, not globally);
* an actor whose credited name changes over the career (``actor`` = latest name).

Each (actorid, filmid) occurs once: the source check ``duplicate_actor_films`` passes.
"""
from __future__ import annotations

import random

import psycopg

from include.settings import SQL_DIR

FIRST_YEAR, LAST_YEAR = 1970, 2021
FIRST_SEASON, LAST_SEASON = 1996, 2022

_FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fern", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Milo",
          "Nia", "Otto", "Pia", "Quin", "Rosa", "Sami", "Tess", "Umar", "Vera", "Wes", "Xia", "Yusuf", "Zoe"]
_LAST = ["Abbott", "Brandt", "Castillo", "Dube", "Eriksen", "Fontaine", "Garcia", "Hale", "Ito", "Jovanovic",
         "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka",
         "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zeller"]
_WORDS = ["Night", "River", "Glass", "Empire", "Silent", "Road", "Winter", "Gold", "Shadow", "Harbor", "Last",
          "Summer", "Iron", "Blue", "Echo", "Garden", "Storm", "Paper", "North", "Velvet"]

FILM_COLUMNS = ("actor", "actorid", "film", "year", "votes", "rating", "filmid")
PLAYER_COLUMNS = ("player_name", "age", "height", "weight", "college", "country", "draft_year", "draft_round",
                  "draft_number", "gp", "pts", "reb", "ast", "netrtg", "oreb_pct", "dreb_pct", "usg_pct",
                  "ts_pct", "ast_pct", "season")


def _create_raw(conn: psycopg.Connection) -> None:
    conn.execute((SQL_DIR / "raw" / "schema.sql").read_text())


def _copy(conn: psycopg.Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> int:
    with conn.transaction():
        _create_raw(conn)
        conn.execute(f"TRUNCATE raw.{table}")
        with conn.cursor() as cur:
            with cur.copy(f"COPY raw.{table} ({', '.join(columns)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
    return len(rows)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _title(rng: random.Random) -> str:
    return " ".join(rng.sample(_WORDS, rng.randint(1, 3)))


def _rating(rng: random.Random) -> float | None:
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.20:
        return rng.choice([6.0, 7.0, 8.0])  # exactly on a class boundary
    return round(min(9.9, max(1.0, rng.gauss(6.6, 1.2))), 1)


def actor_film_rows(seed: int = 42, scale: float = 1.0) -> list[tuple]:
    """The rows of raw.actor_films (in FILM_COLUMNS order), deterministic for (seed, scale)."""
    rng = random.Random(seed)
    n_actors = max(12, round(300 * scale))
    film_no = 0

    def new_film(year: int, rating: float | None) -> tuple[str, str, int, float | None, int]:
        nonlocal film_no
        film_no += 1
        votes = rng.randint(5, 250_000)
        return (f"tt{film_no:07d}", _title(rng), votes, rating, year)

    # A pool of films per year; actors pick from it, so films are shared between actors.
    pool = {y: [new_film(y, _rating(rng)) for _ in range(max(6, round(40 * scale)))]
            for y in range(FIRST_YEAR, LAST_YEAR + 1)}
    rows: list[tuple] = []

    def credit(name: str, actorid: str, film: tuple) -> None:
        filmid, title, votes, rating, year = film
        rows.append((name, actorid, title, year, votes, rating, filmid))

    # Fixed shapes first (actors nm0000001..nm0000006), so every seed has them.
    special = [
        ("Boundary Good", [8.0]),          # average exactly 8.0 -> good
        ("Boundary Average", [7.0]),       # exactly 7.0 -> average
        ("Boundary Bad", [6.0]),           # exactly 6.0 -> bad
        ("Real Star", [8.5, 7.9]),         # REAL average 8.2 -> star
        ("Real Good", [8.1, 7.9]),         # REAL average exactly 8.0 -> good
    ]
    for i, (name, ratings) in enumerate(special, start=1):
        actorid = f"nm{i:07d}"
        for year in range(FIRST_YEAR + 2 * i, LAST_YEAR + 1, 3):  # active every third year
            for r in ratings:
                credit(name, actorid, new_film(year, r))
    # nm0000006: unrated first years (class NULL), a rated year, unrated years (carried), renamed later
    actorid = "nm0000006"
    for year in (1975, 1976):
        credit("Never Rated", actorid, new_film(year, None))
    credit("Never Rated", actorid, new_film(1980, 6.5))
    credit("Later Rated", actorid, new_film(1983, None))
    credit("Later Rated", actorid, new_film(1983, None))

    for n in range(7, n_actors + 1):
        actorid = f"nm{n:07d}"
        name = _name(rng)
        start = rng.randint(FIRST_YEAR, LAST_YEAR - 1)
        end = min(LAST_YEAR, start + rng.randint(0, 45))
        p_active = rng.uniform(0.35, 0.9)
        active_years = [y for y in range(start, end + 1) if y == start or rng.random() < p_active]
        for year in active_years:
            for film in rng.sample(pool[year], rng.randint(1, 4)):
                credit(name, actorid, film)
    return rows


def generate(conn: psycopg.Connection, *, seed: int = 42, scale: float = 1.0) -> dict[str, int]:
    """(Re)fill raw.actor_films deterministically; returns {table: rows}."""
    return {"actor_films": _copy(conn, "actor_films", FILM_COLUMNS, actor_film_rows(seed, scale))}


def player_season_rows(seed: int = 42, scale: float = 1.0) -> list[tuple]:
    """raw.player_seasons-shaped rows (PLAYER_COLUMNS order), one per (player_name, season)."""
    rng = random.Random(seed * 7919 + 1)
    n_players = max(12, round(500 * scale))
    rows: list[tuple] = []
    for n in range(1, n_players + 1):
        player = f"{_name(rng)} {n}"  # unique: the key is the name
        start = rng.randint(FIRST_SEASON, LAST_SEASON)
        end = min(LAST_SEASON, start + rng.randint(0, 18))
        drafted = rng.random() < 0.8
        draft = (str(start - 1), str(rng.randint(1, 2)), str(rng.randint(1, 60))) if drafted else ("Undrafted",) * 3
        height = f"{rng.randint(5, 7)}-{rng.randint(0, 11)}"
        college = rng.choice(["Duke", "Kentucky", "UCLA", "None", "Kansas", "Gonzaga"])
        country = rng.choice(["USA", "USA", "USA", "France", "Spain", "Canada", "Serbia"])
        # some players' static columns are unknown in their first season
        unknown_first = rng.random() < 0.1
        weight = rng.randint(170, 290)
        level = rng.uniform(2, 28)
        for s in range(start, end + 1):
            if s != start and rng.random() < 0.12:
                continue  # a season out
            first = unknown_first and s == start
            roll = rng.random()
            pts = rng.choice([10.0, 15.0, 20.0]) if roll < 0.05 else round(max(0.0, rng.gauss(level, 3)), 1)
            rows.append((
                player, 19 + s - start + rng.randint(0, 3), None if first else height,
                None if rng.random() < 0.01 else weight + rng.randint(-5, 5),
                None if first else college, None if first else country, *(
                    (None, None, None) if first else draft),
                float(rng.randint(1, 82)), pts, round(rng.uniform(0, 13), 1), round(rng.uniform(0, 10), 1),
                round(rng.gauss(0, 8), 1), round(rng.uniform(0, 0.15), 3), round(rng.uniform(0, 0.3), 3),
                round(rng.uniform(0.1, 0.35), 3), round(rng.uniform(0.4, 0.65), 3), round(rng.uniform(0, 0.45), 3),
                s,
            ))
    return rows


def generate_player_seasons(conn: psycopg.Connection, *, seed: int = 42, scale: float = 1.0) -> dict[str, int]:
    """(Re)fill raw.player_seasons deterministically (only when no real data is given)."""
    return {"player_seasons": _copy(conn, "player_seasons", PLAYER_COLUMNS, player_season_rows(seed, scale))}
