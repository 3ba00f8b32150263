"""The long-running process: APScheduler drives a fixed job that checks whatever the database says is due.

The database, not the scheduler, knows when each page is due (`pages.next_check_at`), so a
restart rebuilds the job from code and loses nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

import sqlite_utils
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from crawler.fetch import Fetcher
from schedules.clock import iso_after, now_iso
from schedules.config import Config
from schedules.jobs import PageToCheck, check_page, make_fetcher, prepare

log = logging.getLogger("marsad.daemon")

RETRY_AFTER_ERROR = 300.0  # seconds: a failed check is retried sooner than the normal interval


def due_pages(db: sqlite_utils.Database, pages: list[PageToCheck], now: str) -> list[PageToCheck]:
    due_ids = {
        row[0]
        for row in db.execute(
            "SELECT id FROM pages WHERE next_check_at IS NULL OR next_check_at <= ?", [now]
        ).fetchall()
    }
    return [page for page in pages if page.page_id in due_ids]


def check_due(db: sqlite_utils.Database, fetcher: Fetcher, pages: list[PageToCheck]) -> int:
    """Check every page whose time has come; returns how many were checked."""
    checked = 0
    for page in due_pages(db, pages, now_iso()):
        try:
            outcome = check_page(db, fetcher, page)
        except Exception:  # one page's bug must not stop the others
            log.exception("check of %s failed unexpectedly; will retry", page.url)
            outcome = None
        if outcome is None or outcome.outcome == "error":
            retry = min(page.target.every, RETRY_AFTER_ERROR)
            db.execute("UPDATE pages SET next_check_at = ? WHERE id = ?", [iso_after(retry), page.page_id])
        checked += 1
    return checked


def tick_seconds(config: Config) -> float:
    shortest = min((t.every for t in config.targets), default=60.0)
    return max(1.0, min(shortest / 4, 30.0))


def start_datasette(db_path: Path, host: str, port: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "schedules.cli", "--db", str(db_path), "serve",
            "--host", host, "--port", str(port)]
    log.info("serving Datasette on http://%s:%d", host, port)
    return subprocess.Popen(args)


def run_daemon(
    db: sqlite_utils.Database,
    db_path: Path,
    config: Config,
    config_path: Path,
    *,
    serve: bool = True,
    host: str = "127.0.0.1",
    port: int = 8001,
) -> None:
    pages = prepare(db, config)
    fetcher = make_fetcher(config)
    scheduler = BlockingScheduler(executors={"default": ThreadPoolExecutor(1)}, timezone="UTC")
    scheduler.add_job(
        check_due, "interval", args=[db, fetcher, pages], seconds=tick_seconds(config),
        id="check_due", max_instances=1, coalesce=True, misfire_grace_time=None,
        next_run_time=datetime.now(timezone.utc),
    )
    server = start_datasette(db_path, host, port) if serve else None

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("received %s; finishing the current check and stopping", signal.Signals(signum).name)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("watching %d page(s) from %s", len(pages), config_path)
    try:
        scheduler.start()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        fetcher.close()
        log.info("stopped")
