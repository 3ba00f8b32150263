"""Every command-line mistake of issue 16 is one line on stderr and exit code 2 (1 where a check
pass ran and every check failed), with nothing written: no database made, no page added."""

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from schedules.cli import cli
from schedules.commands.since import parse_since
from store import schema
from store.heartbeat import beat
from store.schema import connect
from store.versions import ensure_page

REPO = Path(__file__).resolve().parents[1]
PAGE = "https://news.example/2026/03/%D8%AD%D9%84%D9%81-%D8%AC%D8%AF%D9%8A%D8%AF/"


def marsad(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`marsad` as a person runs it: stderr apart from stdout, in a directory of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARSAD_")}
    return subprocess.run(
        [sys.executable, "-m", "schedules.cli", *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(REPO)},
        timeout=60,
    )


def one_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def pages_of(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM pages ORDER BY id").fetchall()


@pytest.fixture
def watched(tmp_path: Path) -> Path:
    """A database watching one Arabic page, and an empty watch list beside it."""
    path = tmp_path / "m.db"
    db = connect(path)
    ensure_page(db, PAGE, now="2026-03-01T00:00:00.000Z")
    db.conn.close()
    (tmp_path / "watch.toml").write_text("", encoding="utf-8")
    return path


# item 3: tracebacks instead of one line


@pytest.mark.parametrize("url", ["notaurl", "ftp://files.example/a.txt", "https://u:pw@a.example/"])
def test_check_of_a_bad_url_is_one_line_and_adds_no_page(watched, url):
    before = pages_of(watched)
    line = one_error(
        marsad("--db", "m.db", "--config", "watch.toml", "check", url, cwd=watched.parent)
    )
    assert line.startswith("Error: check: ") and "pw" not in line
    assert pages_of(watched) == before


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ('seed = "short.txt"', "seed"),  # a seed file holding only its URL: no article text
        ('private_hosts = ["ex ample"]', "private_hosts"),
        ('private_hosts = ["user:pw@intranet"]', "private_hosts"),
        ('proxy = "::bad"', "proxy"),
        ('proxy = "socks5://proxy.example:1080"', "proxy"),
    ],
)
def test_a_bad_setting_that_only_a_check_would_meet_is_one_line_and_makes_no_database(
    tmp_path, setting, key
):
    # found when the check or its fetcher first used the value: a traceback, exit 1, a database
    (tmp_path / "short.txt").write_text("https://site.example/?p=1\n", encoding="utf-8")
    target = '[[targets]]\nurl = "https://site.example/?p=1"\n'
    text = target + setting if key == "seed" else f"[defaults]\n{setting}\n{target}"
    (tmp_path / "watch.toml").write_text(text + "\n", encoding="utf-8")
    error = one_error(marsad("--db", "m.db", "--config", "watch.toml", "check", cwd=tmp_path))
    assert f"`{key}`" in error and "watch.toml line" in error and "pw" not in error
    assert not (tmp_path / "m.db").exists()


def test_export_to_a_missing_folder_is_one_line(watched):
    line = one_error(
        marsad("--db", "m.db", "export", "-o", "missing/dir/file.csv", cwd=watched.parent)
    )
    assert line.startswith("Error: export: cannot write missing/dir/file.csv (")
    assert not (watched.parent / "missing").exists()


# item 5: bad dates


@pytest.mark.parametrize("since", ["yesterday", "2026-13-45", "7 days", "-3d"])
def test_export_refuses_a_since_that_is_not_a_time(watched, since):
    result = marsad("--db", "m.db", "export", "--since", since, cwd=watched.parent)
    assert one_error(result).startswith(f"Error: --since {since!r} is neither")
    assert result.stdout == ""  # not even a CSV header


def test_since_takes_iso_times_and_durations_ago():
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert parse_since("7d", now) == "2026-03-03T12:00:00.000Z"
    assert parse_since("12h", now) == "2026-03-10T00:00:00.000Z"
    assert parse_since("30m", now) == "2026-03-10T11:30:00.000Z"
    assert parse_since("2026-03-01", now) == "2026-03-01T00:00:00.000Z"
    assert parse_since("2026-03-01T08:00+03:00", now) == "2026-03-01T05:00:00.000Z"
    assert parse_since("2026-03-01T08:00Z", now) == "2026-03-01T08:00:00.000Z"


def test_export_since_a_duration_ago_filters(watched):
    result = CliRunner().invoke(
        cli, ["--db", str(watched), "export", "--what", "pages", "--since", "1d"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == []  # first seen in March, long before a day ago


# item 6: read commands never create a database


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["search", "حلف"],
        ["diff", PAGE],
        ["export"],
        ["notify", "list"],
        ["backup", "b.db"],
    ],
)
def test_read_commands_say_no_database_and_create_none(tmp_path, command):
    (tmp_path / "watch.toml").write_text("", encoding="utf-8")
    line = one_error(marsad("--db", "typo.db", "--config", "watch.toml", *command, cwd=tmp_path))
    assert line == (
        "Error: no database at typo.db; check --db (or MARSAD_DB), or run "
        "`marsad check` to make one"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["watch.toml"]


def test_health_without_a_database_is_unhealthy_and_creates_none(tmp_path):
    line = one_error(marsad("--db", "typo.db", "health", cwd=tmp_path), code=1)
    assert line == "unhealthy: no database at typo.db"
    assert list(tmp_path.iterdir()) == []


def test_read_commands_on_an_older_schema_say_how_to_upgrade(tmp_path):
    import sqlite_utils

    old = sqlite_utils.Database(tmp_path / "old.db")
    schema._v1(old)
    old.execute("PRAGMA user_version = 1")
    old.conn.close()
    for command in (["status"], ["export"], ["search", "x"]):
        line = one_error(marsad("--db", "old.db", *command, cwd=tmp_path))
        assert line == (
            f"Error: database old.db has schema 1, this marsad reads schema "
            f"{schema.SCHEMA_VERSION}: run `marsad check` or `marsad run` once to "
            "upgrade it"
        )
    with sqlite3.connect(tmp_path / "old.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_status_reads_an_existing_database_and_shows_arabic_urls_decoded(watched):
    result = marsad("--db", "m.db", "status", cwd=watched.parent)
    assert result.returncode == 0, result.stderr
    assert "https://news.example/2026/03/حلف-جديد/" in result.stdout
    assert "%D8" not in result.stdout


# item 13: the smaller ones


def _failing_site() -> ThreadingHTTPServer:
    class Broken(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404 if self.path == "/robots.txt" else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_check_exits_1_when_every_check_failed(tmp_path):
    server = _failing_site()
    try:
        (tmp_path / "watch.toml").write_text(
            '[defaults]\nretries = 0\nmin_delay = "0s"\n\n[[targets]]\n'
            f'url = "http://127.0.0.1:{server.server_address[1]}/a"\n'
            "[targets.discovery]\nenabled = false\n",
            encoding="utf-8",
        )
        result = marsad(
            "--db", "m.db", "--config", "watch.toml", "check", "--no-notify", cwd=tmp_path
        )
    finally:
        server.shutdown()
    assert result.returncode == 1, result.stderr
    assert "checked 1 page(s): 1 error" in result.stderr


def test_serve_on_a_port_in_use_is_one_line_and_prints_no_address(watched):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = marsad("--db", "m.db", "serve", "--port", str(port), cwd=watched.parent)
    line = one_error(result)
    assert line.startswith(f"Error: serve: cannot listen on 127.0.0.1:{port} (")
    assert "Datasette on" not in result.stderr + result.stdout


def test_backup_keeps_an_existing_file_unless_forced(watched):
    target = watched.parent / "copy.db"
    target.write_bytes(b"precious")
    line = one_error(marsad("--db", "m.db", "backup", "copy.db", cwd=watched.parent))
    assert line == "Error: backup: copy.db exists; add --force to replace it"
    assert target.read_bytes() == b"precious"
    forced = marsad("--db", "m.db", "backup", "--force", "copy.db", cwd=watched.parent)
    assert forced.returncode == 0, forced.stderr
    assert pages_of(target) == pages_of(watched)


def test_status_on_a_backup_copy_does_not_say_running(watched):
    from schedules.lock import DaemonLock

    db = connect(watched)
    with DaemonLock(watched):
        beat(
            db,
            pid=os.getpid(),
            hostname=socket.gethostname(),
            started_at="2026-03-01T00:00:00Z",
            now=datetime.now(UTC),
            stale_after=600.0,
        )
        live = CliRunner().invoke(cli, ["--db", str(watched), "status"])
        assert live.output.startswith("daemon: running"), live.output
        copy = watched.parent / "copy.db"
        copied = CliRunner().invoke(cli, ["--db", str(watched), "backup", str(copy)])
        assert copied.exit_code == 0, copied.output
        backed = CliRunner().invoke(cli, ["--db", str(copy), "status"])
    assert backed.exit_code == 0, backed.output
    assert backed.output.startswith("daemon: not running on this file"), backed.output


def test_a_check_log_line_names_its_url_once_and_decoded():
    from schedules.logs import check_line

    said = check_line(
        "skipped", PAGE, f"skipped {PAGE}: content type application/pdf is not a page"
    )
    assert said == (
        "skipped https://news.example/2026/03/حلف-جديد/: content type application/pdf is not a page"
    )
    assert (
        check_line("error", PAGE, f"{PAGE}: body over the cap; not kept").count("news.example") == 1
    )
    # a hop's URL in the error is another URL: kept
    hop = "https://other.example/x"
    assert check_line("error", PAGE, f"HTTP 500 from {hop}").endswith(f": HTTP 500 from {hop}")
    assert check_line("changed", PAGE, None, 3).endswith("حلف-جديد/ (version 3)")
