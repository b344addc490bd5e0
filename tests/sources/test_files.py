"""Loading sources into raw: the bootcamp CSV folder and a course-style pg_restore dump."""
from __future__ import annotations

import gzip

import psycopg
import pytest

from include import warehouse
from include.sources import files


def table_digest(conn, table: str) -> str:
    rows = conn.execute(f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM raw.{table} t").fetchone()
    return rows[0]


def test_csv_folder_loads_real_player_seasons_idempotently(db, data_dir):
    first = files.load_csv_folder(db, data_dir)
    assert first["player_seasons"] == 12869
    assert first["games"] == 26651
    digest = table_digest(db, "player_seasons")
    again = files.load_csv_folder(db, data_dir)
    assert again == first
    assert table_digest(db, "player_seasons") == digest
    # empty CSV fields are NULL, numbers typed
    row = db.execute("SELECT age, height, pts, season FROM raw.player_seasons "
                      "WHERE player_name = 'A.C. Green' AND season = 1996").fetchone()
    assert row == (33, "6-9", pytest.approx(7.2), 1996)
    assert files.last_sources(db)["player_seasons"] == f"csv {data_dir}"


def test_csv_with_unknown_column_names_the_column(db, tmp_path):
    with gzip.open(tmp_path / "player_seasons.csv.gz", "wt") as f:
        f.write("player_name,season,shoe_size\nA,1996,12\n")
    with pytest.raises(files.SourceError, match="shoe_size"):
        files.load_csv_folder(db, tmp_path)


def test_course_dump_in_tar_format_lands_in_raw(db, db_url, tmp_path):
    """Build a dump shaped like the course's data.dump (tables in public, tar format) and load it."""
    course = f"{db.info.dbname}_course"
    server = db_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{course}"')
    try:
        with psycopg.connect(server.rsplit("/", 1)[0] + f"/{course}", autocommit=True) as c:
            c.execute("CREATE TABLE public.actor_films (actor text, actorid text, film text, year int, "
                      "votes int, rating real, filmid text, extra_col text)")
            c.execute("INSERT INTO actor_films VALUES ('Fred Astaire','nm0000001','Ziegfeld Follies',1946,2281,"
                      "7.2,'tt0038455','x'), ('Lauren Bacall','nm0000002','The Big Sleep',1946,82940,7.9,"
                      "'tt0038355',NULL)")
            c.execute("CREATE TABLE public.events (url text, referrer text, user_id numeric, device_id numeric, "
                      "host text, event_time text)")
            c.execute("INSERT INTO events VALUES ('/', NULL, 17358702759623100001, 532630305, 'www.example.com', "
                      "'2023-01-03 00:31:02.123000')")
            c.execute("CREATE TABLE public.unrelated (x int)")
        dump = files.make_dump(server, course, tmp_path / "data.dump")
        assert files.dump_tables(dump) and open(dump, "rb").read(262)[257:262] == b"ustar"
        loaded = files.load_dump(db, dump, server_url=server)
        assert loaded == {"actor_films": 2, "events": 1}
        assert files.last_sources(db) == {"actor_films": f"dump {dump}", "events": f"dump {dump}"}  # each load recorded
        assert db.execute("SELECT user_id::text FROM raw.events").fetchone()[0] == "17358702759623100001"
        assert db.execute("SELECT array_agg(actorid ORDER BY actorid) FROM raw.actor_films").fetchone()[0] == [
            "nm0000001", "nm0000002"]
        # idempotent, and the scratch database is gone
        assert files.load_dump(db, dump, server_url=server) == loaded
        with psycopg.connect(server) as admin:
            assert not admin.execute("SELECT 1 FROM pg_database WHERE datname LIKE %s",
                                     (f"{db.info.dbname}_restore_tmp",)).fetchone()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{course}" WITH (FORCE)')


def test_not_a_dump_is_a_clear_error(db, tmp_path):
    bad = tmp_path / "data.dump"
    bad.write_text("hello")
    with pytest.raises(files.SourceError, match="not a pg_dump archive"):
        files.load_dump(db, bad, server_url=warehouse.embedded_url("postgres"))


def test_pg_tools_get_the_password_by_environment_not_command_line():
    from include.sources.files import _libpq_args

    url, env = _libpq_args("postgresql://postgres:s%40cret@127.0.0.1:5432/scratch")
    assert url == "postgresql://postgres@127.0.0.1:5432/scratch" and env["PGPASSWORD"] == "s@cret"
    assert _libpq_args("postgresql://u@h/db")[0] == "postgresql://u@h/db"
