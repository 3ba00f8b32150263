"""A tiny article site and a real `marsad run` process, for the daemon's tests.

The site serves WordPress-shaped article pages (`<div class="entry-content"><p>…</p></div>`)
whose text the test edits, and can make a page slow or hang, so the tests drive the daemon the
way a real site would: over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from store import texts

REPO = Path(__file__).resolve().parents[1]


class Site:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.articles: dict[str, list[str]] = {}
        self.delays: dict[str, float] = {}
        self.hung: set[str] = set()
        self.release = threading.Event()  # lets hung requests end when the test is over
        self.hits: Counter[str] = Counter()

    def put(self, path: str, *paragraphs: str) -> None:
        with self.lock:
            self.articles[path] = list(paragraphs)

    def remove(self, path: str) -> None:
        with self.lock:
            self.articles.pop(path, None)

    def page(self, path: str) -> str | None:
        with self.lock:
            paragraphs = self.articles.get(path)
        if paragraphs is None:
            return None
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return (
            f'<html lang="ar" dir="rtl"><head><title>مقال {path}</title></head><body>'
            f'<h1 class="entry-title">مقال</h1><div class="entry-content">{body}</div></body></html>'
        )


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        site = self.site
        with site.lock:
            site.hits[self.path] += 1
            delay, hung = site.delays.get(self.path, 0.0), self.path in site.hung
        if hung:
            site.release.wait(120)
        elif delay:
            time.sleep(delay)
        html = site.page(self.path)
        if html is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        # No ETag: the skeleton fetcher takes a 304 for a redirect (the fetching issue fixes it).
        body = html.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the daemon abandoned or cancelled it
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class SiteServer:
    def __init__(self) -> None:
        self.site = Site()
        handler = type("Handler", (_Handler,), {"site": self.site})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.site.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def write_config(
    path: Path,
    base_url: str,
    paths: list[str],
    *,
    every: str = "1s",
    daemon: dict[str, str | int] | None = None,
    timeout: str = "10s",
) -> Path:
    """A watch list of `paths` on the test server; a path given as a whole URL is used as is
    (e.g. on `localhost`, a second host name for the same server)."""
    # Fixed intervals (equal bounds switch adaptive re-checks off): these tests are about the
    # daemon's mechanics, and a quiet page's interval would otherwise stretch as it stays quiet.
    lines = [
        "[defaults]",
        f'every = "{every}"',
        f'min_interval = "{every}"',
        f'max_interval = "{every}"',
        'jitter = "0s"',
        'min_delay = "0s"',
        f'timeout = "{timeout}"',
        'private_hosts = ["localhost"]',
        "",
    ]
    if daemon:
        lines.append("[daemon]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in daemon.items()]
        lines.append("")
    for item in paths:
        url = item if item.startswith("http") else f"{base_url}{item}"
        lines += ["[[targets]]", f'url = "{url}"', "[targets.discovery]", "enabled = false", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def read(db_path: Path, sql: str, args: list[object] | None = None) -> list[tuple[Any, ...]]:
    """A fresh read-only look at the database, as another process would have."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    texts.register(conn)  # so the `version_texts` view reads
    try:
        return conn.execute(sql, args or []).fetchall()
    finally:
        conn.close()


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if condition():
                return
        except sqlite3.OperationalError:  # the database is not created yet
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class DaemonProcess:
    """`marsad run --no-serve` as a real child process, its log in a file."""

    def __init__(self, db_path: Path, config_path: Path, log_path: Path) -> None:
        self.db_path, self.config_path, self.log_path = db_path, config_path, log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *extra: str) -> DaemonProcess:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        log = open(self.log_path, "ab")  # noqa: SIM115 - the daemon writes to it after we return
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "schedules.cli",
                "--db",
                str(self.db_path),
                "--config",
                str(self.config_path),
                "run",
                "--no-serve",
                "--log-format",
                "json",
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def signal(self, signum: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    def stop(self, timeout: float = 30) -> int:
        self.signal(signal.SIGTERM)
        assert self.proc is not None
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def log_entries(self) -> list[dict[str, Any]]:
        entries = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                entries.append({"message": line, "level": "raw"})
        return entries

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")
