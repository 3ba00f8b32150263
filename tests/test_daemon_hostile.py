"""The daemon against every hostile page at once (issue 18): a real `marsad run` watches the
misbehaving server's worst routes beside one ordinary page. Its heartbeat stays fresh (within two
ticks) the whole time, the ordinary page keeps being checked, and SIGTERM stops it within its
`stop_timeout`."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from schedules.config import load_config
from schedules.daemon import tick_seconds
from store.timestamps import parse_iso
from tests.daemon_site import DaemonProcess, read, wait_for, write_config
from tests.servers.misbehaving import MisbehavingServer

HOSTILE = (
    "/nested",  # 100,000 nested <div>s: the pre-scan refuses them before any parse
    "/unclosed",  # 40,000 "<a" after an article: the pre-scan is linear
    "/many-edits",  # 3,000 changed blocks at every check: the diff's work is bounded
    "/hang",  # accepts and never answers
    "/drip",  # one body byte a second
    "/gzip-bomb",  # 1 GB once inflated
    "/big",  # 50 MB with no length
    "/loop/a",  # a redirect loop
)
RUN_SECONDS = 20.0
STOP_TIMEOUT = 5.0


def heartbeat_age(db_path) -> float | None:
    rows = read(db_path, "SELECT heartbeat_at FROM daemon WHERE stopped_at IS NULL")
    if not rows or not rows[0][0]:
        return None
    return (datetime.now(UTC) - parse_iso(rows[0][0])).total_seconds()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_every_hostile_page_at_once_leaves_the_heartbeat_fresh(tmp_path):
    with MisbehavingServer() as server:
        base = server.url("")
        config_path = write_config(
            tmp_path / "watch.toml", base, ["/page", *HOSTILE], every="2s", timeout="3s",
            daemon={"workers": 4, "check_deadline": "6s", "stop_timeout": f"{STOP_TIMEOUT:g}s"},
        )  # fmt: skip
        tick = tick_seconds(load_config(config_path))
        db_path = tmp_path / "m.db"
        daemon = DaemonProcess(db_path, config_path, tmp_path / "run.log").start()
        try:
            wait_for(lambda: heartbeat_age(db_path) is not None, 30, "the first heartbeat")
            ages = []
            ends = time.monotonic() + RUN_SECONDS
            while time.monotonic() < ends:
                age = heartbeat_age(db_path)
                assert age is not None, "the daemon stopped beating"
                ages.append(age)
                time.sleep(0.25)
            assert max(ages) <= 2 * tick + 1, f"heartbeat {max(ages):.1f} s old (tick {tick:g} s)"
            page_checks = read(db_path, "SELECT checks FROM pages WHERE url = ?", [base + "/page"])
            assert page_checks[0][0] >= 3, "the ordinary page was starved by the hostile ones"
            hostile = read(
                db_path,
                "SELECT count(DISTINCT page_id) FROM fetches f JOIN pages p ON p.id = f.page_id"
                " WHERE p.url <> ?",
                [base + "/page"],
            )
            assert hostile[0][0] >= len(HOSTILE) - 1  # each hostile page was tried
            started = time.monotonic()
            assert daemon.stop(timeout=STOP_TIMEOUT + 15) == 0
            assert time.monotonic() - started <= STOP_TIMEOUT + 10
        finally:
            daemon.kill()
        integrity = read(db_path, "PRAGMA integrity_check")
        assert integrity == [("ok",)]
