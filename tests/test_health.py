"""The heartbeat as `marsad status` and `marsad health` (the container's health check) read it."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from click.testing import CliRunner

from schedules import health
from schedules.cli import cli
from store.frontier import save_host_states
from store.schema import connect
from store.versions import ensure_page

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def beat(db, at, stale_after=20.0):
    health.beat(
        db,
        pid=4242,
        hostname="box",
        started_at="2026-03-01T11:00:00.000Z",
        now=at,
        stale_after=stale_after,
    )


def test_fresh_stale_missing_and_stopped_heartbeats(tmp_path):
    db = connect(tmp_path / "m.db")
    assert "never run" in health.problem(health.daemon_state(db), NOW)
    beat(db, NOW - timedelta(seconds=15))
    assert health.problem(health.daemon_state(db), NOW) is None
    assert "stale after 20 s" in health.problem(health.daemon_state(db), NOW + timedelta(seconds=6))
    assert health.problem(health.daemon_state(db), NOW, max_age=5) is not None
    health.mark_stopped(db, NOW)
    assert "stopped at 2026-03-01T12:00:00.000Z" in health.problem(health.daemon_state(db), NOW)
    beat(db, NOW)  # a new start clears the stop
    assert health.problem(health.daemon_state(db), NOW) is None


def test_stale_after_is_twice_the_tick_with_a_floor():
    assert health.stale_after(10) == 20
    assert health.stale_after(1) == health.MIN_STALE_AFTER


def test_health_command_exit_codes(tmp_path):
    runner = CliRunner()
    path = tmp_path / "m.db"
    missing = runner.invoke(cli, ["--db", str(path), "health"])
    assert missing.exit_code == 1 and missing.output.strip() == f"unhealthy: no database at {path}"
    db = connect(path)
    beat(db, datetime.now(UTC) - timedelta(seconds=300))
    stale = runner.invoke(cli, ["--db", str(path), "health"])
    assert stale.exit_code == 1
    [line] = stale.output.strip().splitlines()
    assert line.startswith("unhealthy: heartbeat is 300 s old") and "pid 4242" in line
    beat(db, datetime.now(UTC))
    fresh = runner.invoke(cli, ["--db", str(path), "health"])
    assert fresh.exit_code == 0 and fresh.output.startswith("ok: heartbeat 0 s ago (pid 4242)")


def test_status_shows_heartbeat_and_host_back_off(tmp_path):
    path = tmp_path / "m.db"
    db = connect(path)
    ensure_page(db, "https://www.europarabct.com/?p=95655", now="2026-03-01T11:00:00.000Z")
    ensure_page(db, "https://other.example/a", now="2026-03-01T11:00:00.000Z")
    beat(db, datetime.now(UTC))
    paused = datetime.now(UTC) + timedelta(hours=1)
    # Duck-typed like the fetcher's HostState: paused_until in epoch seconds.
    save_host_states(
        db,
        [
            SimpleNamespace(
                host="www.europarabct.com",
                failures=3,
                paused_until=paused.timestamp(),
                last_error="HTTP 503",
            )
        ],
        NOW,
    )
    output = CliRunner().invoke(cli, ["--db", str(path), "status"]).output
    lines = output.splitlines()
    assert lines[0].startswith("daemon: running, pid 4242 on box since 2026-03-01T11:00:00.000Z")
    assert lines[1] == "https://www.europarabct.com/?p=95655"
    assert lines[3].startswith("  host www.europarabct.com: 3 failure(s), paused until 20")
    assert lines[3].endswith("; last error: HTTP 503")
    assert lines[4] == "https://other.example/a"
    assert "never" in lines[5] and len(lines) == 6
