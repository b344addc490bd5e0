"""make demo's Spark step (include/spark/demo.py): skips with a reason, prints the four answers and the rule."""
from __future__ import annotations

from include.spark import demo

ANSWERS = {
    "top_killer": {"player_gamertag": "gimpinator14", "avg_kills": 109.0, "games": 10, "kills": 1090,
                   "min_games": 10},
    "top_playlist": {"playlist_id": "f72e0ef0", "matches": 7640},
    "top_map": {"mapid": "c7edbf0f", "map_name": "Breakout Arena", "matches": 7032},
    "top_killing_spree_map": {"mapid": "c7edbf0f", "map_name": "Breakout Arena", "killing_sprees": 6553},
}


def test_skips_without_halo_data(tmp_path):
    outcome = demo.run_halo(tmp_path, spark_conn_configured=True)
    assert outcome.state == "skipped"
    assert "matches.csv.gz" in outcome.message and str(tmp_path) in outcome.message


def test_skips_without_java(tmp_path, monkeypatch):
    for name in demo.HALO_FILES:
        (tmp_path / f"{name}.csv.gz").write_bytes(b"")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert "Java not found" in demo.why_skip(tmp_path)


def test_answer_lines_name_the_four_answers_and_the_rule():
    text = "\n".join(demo.answer_lines(ANSWERS))
    assert "gimpinator14 109.00" in text and "at least 10 games" in text
    assert "f72e0ef0 (7,640 matches)" in text
    assert "most played map: Breakout Arena" in text and "6,553 medals" in text
