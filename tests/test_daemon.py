"""`marsad run` as a real process against a local site: catch-up, reload, stop, deadlines."""

import signal
import subprocess
import sys
import time

import pytest

from schedules.config import load_config
from schedules.jobs import prepare
from store.frontier import parse_iso
from store.schema import connect
from tests.daemon_site import REPO, DaemonProcess, SiteServer, read, wait_for, write_config


@pytest.fixture
def server():
    with SiteServer() as running:
        yield running


def versions(db_path, path):
    return [
        r[0]
        for r in read(
            db_path,
            "SELECT v.text FROM version_texts v JOIN pages p ON p.id = v.page_id"
            " WHERE p.url LIKE ? ORDER BY v.version",
            ["%" + path],
        )
    ]


def fetches(db_path, path):
    return read(
        db_path,
        "SELECT f.outcome, f.error_class, f.fetched_at FROM fetches f"
        " JOIN pages p ON p.id = f.page_id WHERE p.url LIKE ? ORDER BY f.id",
        ["%" + path],
    )


def test_after_downtime_overdue_pages_are_checked_once_spread_out(tmp_path, server):
    paths = [f"/post-{i}" for i in range(8)]
    for i, path in enumerate(paths):
        server.site.put(path, f"نص المقال رقم {i}")
    config = write_config(
        tmp_path / "watch.toml", server.base_url, paths, every="1h", daemon={"catch_up": "2s"}
    )
    db_path = tmp_path / "m.db"
    # A daemon that ran long ago: every page overdue by days, one killed in mid-check.
    db = connect(db_path)
    prepare(db, load_config(config))
    db.execute(
        "UPDATE pages SET next_check_at = '2020-01-01T00:00:00.000Z', last_checked = '2019-12-31T00:00:00.000Z'"
    )
    db.execute(
        "UPDATE pages SET claimed_until = '2099-01-01T00:00:00.000Z' WHERE url LIKE '%/post-3'"
    )
    db.conn.close()

    daemon = DaemonProcess(db_path, config, tmp_path / "run1.log").start()
    try:
        wait_for(
            lambda: read(db_path, "SELECT count(*) FROM pages WHERE checks = 1")[0][0] == 8,
            15,
            "every overdue page to be checked",
        )
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    assert all(server.site.hits[p] == 1 for p in paths), server.site.hits
    times = sorted(parse_iso(r[0]) for r in read(db_path, "SELECT fetched_at FROM fetches"))
    assert (times[-1] - times[0]).total_seconds() >= 1.2, (
        "overdue pages were not spread over the window"
    )

    again = DaemonProcess(db_path, config, tmp_path / "run2.log").start()
    try:
        wait_for(lambda: "watching" in again.log_path.read_text(), 10, "the second start")
        time.sleep(1.5)  # several ticks: nothing is due, so nothing may be fetched
        assert again.stop() == 0
    finally:
        again.kill()
    assert all(server.site.hits[p] == 1 for p in paths), "a restart checked pages again"


def test_sighup_adds_removes_and_refuses_a_bad_config(tmp_path, server):
    server.site.put("/a", "المقال الأول")
    server.site.put("/b", "المقال الثاني")
    db_path, config = tmp_path / "m.db", tmp_path / "watch.toml"
    write_config(config, server.base_url, ["/a"])
    daemon = DaemonProcess(db_path, config, tmp_path / "run.log").start()
    try:
        wait_for(lambda: versions(db_path, "/a") == ["المقال الأول"], 10, "the first version of /a")
        write_config(config, server.base_url, ["/b"])
        daemon.signal(signal.SIGHUP)
        wait_for(lambda: versions(db_path, "/b") == ["المقال الثاني"], 10, "/b added by the reload")
        wait_for(
            lambda: "1 added, 1 removed" in daemon.log_path.read_text(), 5, "the reload log line"
        )
        time.sleep(0.3)  # a check of /a in flight at the reload may still finish
        hits_a = server.site.hits["/a"]
        config.write_text('[[targets]]\nurl = "not a url"\n', encoding="utf-8")
        daemon.signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in daemon.log_path.read_text(), 5, "the refused reload")
        checks_b = server.site.hits["/b"]
        wait_for(
            lambda: server.site.hits["/b"] >= checks_b + 2,
            10,
            "/b still checked after a bad reload",
        )
        assert server.site.hits["/a"] == hits_a, "a removed target was still checked"
        assert daemon.proc.poll() is None
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    refused = [e for e in daemon.log_entries() if "reload refused" in e["message"]]
    assert refused[0]["level"] == "error" and "line 2" in refused[0]["message"]


def test_sigterm_finishes_quick_checks_and_cancels_hung_ones_within_the_bound(tmp_path, server):
    server.site.put("/slow", "مقال بطيء")
    server.site.put("/hung", "مقال معلق")
    server.site.delays["/slow"] = 1.0
    server.site.hung.add("/hung")
    db_path = tmp_path / "m.db"
    config = write_config(
        tmp_path / "watch.toml",
        server.base_url,
        ["/slow", "/hung"],
        every="1h",
        daemon={"stop_timeout": "2s", "check_deadline": "60s", "catch_up": "0s"},
        timeout="60s",
    )
    daemon = DaemonProcess(db_path, config, tmp_path / "run.log").start()
    try:
        wait_for(
            lambda: server.site.hits["/slow"] and server.site.hits["/hung"],
            10,
            "both checks in flight",
        )
        started = time.monotonic()
        assert daemon.stop() == 0
        elapsed = time.monotonic() - started
    finally:
        daemon.kill()
    # the hung check alone would hold a stop for its 60 s deadline; the margin over the 2 s bound
    # is for a busy shared machine, not for the daemon
    assert elapsed < 2 + 8.0, f"stopping took {elapsed:.1f} s with a 2 s bound"
    assert versions(db_path, "/slow") == ["مقال بطيء"], "the in-flight check was not committed"
    assert fetches(db_path, "/hung") == []
    assert read(db_path, "SELECT count(*) FROM pages WHERE claimed_until IS NOT NULL")[0][0] == 0
    [(stopped,)] = read(db_path, "SELECT stopped_at FROM daemon")
    assert stopped


def test_a_hung_page_is_abandoned_at_its_deadline_and_does_not_stall_others(tmp_path, server):
    server.site.put("/fast", "مقال سريع")
    server.site.put("/hung", "مقال معلق")
    server.site.hung.add("/hung")
    db_path = tmp_path / "m.db"
    # The hung page is on another host name: one host has one request in flight at a time, so a
    # hung page on the same host would (rightly) hold back that host's other pages.
    hung = server.base_url.replace("127.0.0.1", "localhost") + "/hung"
    config = write_config(
        tmp_path / "watch.toml",
        server.base_url,
        [hung, "/fast"],
        every="1s",
        daemon={"check_deadline": "1.5s", "stop_timeout": "1s", "workers": 2, "catch_up": "0s"},
        timeout="60s",
    )
    daemon = DaemonProcess(db_path, config, tmp_path / "run.log").start()
    try:
        wait_for(
            lambda: server.site.hits["/hung"] == 1 and server.site.hits["/fast"] >= 1,
            10,
            "first checks",
        )
        wait_for(lambda: fetches(db_path, "/hung"), 5, "the hung check to be abandoned")
        assert fetches(db_path, "/hung")[0][:2] == ("error", "Deadline")
        assert len(fetches(db_path, "/fast")) >= 2, "the hung page stalled the others"
        assert daemon.stop() == 0
    finally:
        daemon.kill()


def test_second_daemon_refuses_and_health_follows_the_daemon(tmp_path, server):
    server.site.put("/a", "المقال")
    db_path = tmp_path / "m.db"
    config = write_config(tmp_path / "watch.toml", server.base_url, ["/a"])
    marsad = [sys.executable, "-m", "schedules.cli", "--db", str(db_path), "--config", str(config)]
    daemon = DaemonProcess(db_path, config, tmp_path / "run.log").start()
    try:
        wait_for(lambda: versions(db_path, "/a"), 10, "the first check")
        second = subprocess.run(
            [*marsad, "run", "--no-serve"],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=REPO,
            check=False,
        )
        assert second.returncode == 2
        [line] = second.stderr.strip().splitlines()
        assert f"pid {daemon.pid}" in line and "since" in line
        healthy = subprocess.run(
            [*marsad, "health"], capture_output=True, text=True, timeout=30, cwd=REPO, check=False
        )
        assert healthy.returncode == 0, healthy.stderr
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    stopped = subprocess.run(
        [*marsad, "health"], capture_output=True, text=True, timeout=30, cwd=REPO, check=False
    )
    assert stopped.returncode == 1
    assert (
        stopped.stderr.strip().startswith("unhealthy: the daemon") and "stopped" in stopped.stderr
    )
