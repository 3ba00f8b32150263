"""A database marsad cannot use is one line and exit code 2, never a traceback: locked by
another process, read-only, on a full disk, or with flipped bytes in its schema (issue #18,
item 12). SQLite is real; only how the CLI opens the file is steered (read-only, a page cap)."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from schedules.cli import cli
from store import schema
from store.schema import connect


@pytest.fixture
def watched(tmp_path):
    """An existing database and a watch list whose first write (the target's page row) is
    made before any fetch."""
    db_path = tmp_path / "marsad.db"
    connect(db_path).conn.close()
    config = tmp_path / "watch.toml"
    config.write_text('[[targets]]\nurl = "http://127.0.0.1:9/x"\n', encoding="utf-8")
    return db_path, config


def run(db_path, config, *args):
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), *args])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith(f"Error: database {db_path}:"), result.output
    return lines[0]


def opened_with(monkeypatch, prepare):
    real = schema._open

    def steered(path):
        conn = real(path)
        prepare(conn, path)
        return conn

    monkeypatch.setattr(schema, "_open", steered)


def test_a_locked_database_is_one_line(watched, monkeypatch):
    db_path, config = watched
    monkeypatch.setattr(schema, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    try:
        line = run(db_path, config, "check")
    finally:
        holder.execute("ROLLBACK")
    assert "database is locked" in line and "try again" in line


def test_a_read_only_database_is_one_line(watched, monkeypatch):
    db_path, config = watched

    # what SQLite does with a file it may not write (mode 0444; the tests may run as root)
    real = schema._open
    monkeypatch.setattr(
        schema,
        "_open",
        lambda path: (
            sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
            if path == db_path
            else real(path)
        ),
    )
    line = run(db_path, config, "check")
    assert "readonly" in line and "writable" in line


def test_a_full_disk_at_the_first_start_is_one_line(tmp_path, monkeypatch):
    db_path, config = tmp_path / "new.db", tmp_path / "watch.toml"
    config.write_text('[[targets]]\nurl = "http://127.0.0.1:9/x"\n', encoding="utf-8")

    def no_room(conn, path):  # SQLite's own SQLITE_FULL, as when the disk has no free page
        conn.execute("PRAGMA max_page_count = 2")

    opened_with(monkeypatch, no_room)
    line = run(db_path, config, "check")
    assert "full" in line and "free some space" in line


def test_flipped_bytes_in_the_schema_are_one_line(watched):
    db_path, config = watched
    raw = bytearray(db_path.read_bytes())
    at = raw.find(b"tablepagespages")
    assert at > 0
    raw[at + 5] = 0xFF  # the table's name in sqlite_master is no longer UTF-8
    db_path.write_bytes(bytes(raw))
    line = run(db_path, config, "status")
    assert "damaged" in line and "backup" in line
