"""`marsad demo` starts from a fresh database each run (issue 16): the replica's port changes from
run to run, so an earlier run's page would stay on the watched pages, never checked again. A
database watching anything else is refused, never emptied."""

import sqlite3

from click.testing import CliRunner

from schedules.cli import cli
from schedules.demo import fresh_database
from store.schema import connect
from store.versions import ensure_page

NOW = "2026-03-01T00:00:00.000Z"


def test_an_earlier_demo_database_is_removed_with_its_wal(tmp_path):
    path = tmp_path / "demo.db"
    db = connect(path)
    ensure_page(db, "http://127.0.0.1:41234/?p=95655", now=NOW)
    db.conn.close()
    fresh_database(path)
    assert not path.exists()
    assert not (tmp_path / "demo.db-wal").exists()
    fresh_database(path)  # none at all: nothing to do


def test_a_database_watching_other_pages_is_refused_and_kept(tmp_path):
    path = tmp_path / "marsad.db"
    db = connect(path)
    ensure_page(db, "https://www.europarabct.com/?p=95655", now=NOW)
    db.conn.close()
    result = CliRunner().invoke(cli, ["--db", str(path), "demo"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: demo: {path} watches 1 page(s) that are not the demo's")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT url FROM pages").fetchall() == [
            ("https://www.europarabct.com/?p=95655",)
        ]
