"""Deleting the WAL under a running daemon loses rows silently unless the daemon notices: it
checks `<db>-wal` at each tick and stops with one line (issue #18, item 15)."""

from __future__ import annotations

import pytest

from tests.daemon_site import DaemonProcess, SiteServer, wait_for, write_config


@pytest.fixture
def server():
    with SiteServer() as running:
        yield running


def test_a_deleted_wal_stops_the_daemon_with_one_line(tmp_path, server):
    server.site.put("/post", "نص المقال")
    config = write_config(tmp_path / "watch.toml", server.base_url, ["/post"], every="1s")
    db_path = tmp_path / "m.db"
    wal = tmp_path / "m.db-wal"
    daemon = DaemonProcess(db_path, config, tmp_path / "run.log").start()
    try:
        wait_for(lambda: "watching" in daemon.log_path.read_text() and wal.exists(), 15,
                 "the daemon to start")  # fmt: skip
        wal.unlink()
        assert daemon.proc is not None
        assert daemon.proc.wait(15) == 2
    finally:
        daemon.kill()
    errors = [e["message"] for e in daemon.log_entries() if e.get("level") in ("raw", "error")]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"Error: database {db_path}: its write-ahead log {wal} was deleted")
