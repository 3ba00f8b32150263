"""Notifications survive SIGKILL: none lost, none invented, a delivered one never sent again.

A helper process imports marsad once and forks a worker per round (as tests/test_crash.py does).
The worker resumes a fixed sequence of checks after the last committed one, each an edit that
the real `record_check` stores with its notification, and delivers the outbox after each check
with the real sender to a webhook receiver in this process. The test kills the worker at a
random moment, 20 times, then lets a last round finish, and counts at the receiver.

Exactly once, counted by delivery id: every notification arrives, and a delivered row is never
taken again. A worker killed in the instant between the receiver's 200 and the commit that marks
the row can only send that row again, with the same delivery id (docs/notifications.md: the
receiver's idempotency key); the test allows those, at most one per kill, and reports them.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.notify_receivers import WebhookReceiver

ROOT = Path(__file__).resolve().parents[1]
CHECKS = 200
KILLS = 20


def run_checks(path: Path, hook_url: str) -> None:
    from schedules.notify import Sender
    from schedules.notifyconfig import Channel, NotifySettings
    from store.outbox import Route
    from tests.notify_checks import BASE, Page

    settings = NotifySettings(
        channels=(Channel("hook", hook_url, webhook=True),), retry_after=0.0, send_timeout=5.0
    )
    page = Page(path, [Route("*", "hook")])
    page.checks = page.db.execute("SELECT count(*) FROM fetches").fetchone()[0]
    sender = Sender(path, lambda: settings)
    sender.deliver_channel("hook")  # what a killed round left queued
    while page.checks < CHECKS:
        page.answer([*BASE, f"تحديث رقم {page.checks} من سلسلة التحديثات"])
        sender.deliver_channel("hook")


def zygote() -> None:
    import schedules.notify  # noqa: F401 - the slow imports happen here, not in each worker
    import store.versions  # noqa: F401

    worker = 0
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "run":
            path, url = arg.split(" ")
            worker = os.fork()
            if worker == 0:
                try:
                    run_checks(Path(path), url)
                finally:
                    os._exit(0)
            print(worker, flush=True)
        elif command == "reap":
            _, status = os.waitpid(worker, 0)
            print(status, flush=True)


def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path):
    path = tmp_path / "m.db"
    rng = random.Random(15)
    helper = subprocess.Popen(
        [sys.executable, "-c", "from tests.test_notify_crash import zygote; zygote()"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert helper.stdin is not None and helper.stdout is not None
    with WebhookReceiver() as hooks:
        url = hooks.url("/hook")
        try:
            for _ in range(KILLS):
                helper.stdin.write(f"run {path} {url}\n")
                helper.stdin.flush()
                worker = int(helper.stdout.readline())
                time.sleep(rng.uniform(0.02, 0.3))
                os.kill(worker, signal.SIGKILL)
                helper.stdin.write("reap\n")
                helper.stdin.flush()
                helper.stdout.readline()
            helper.stdin.write(f"run {path} {url}\nreap\n")
            helper.stdin.flush()
            helper.stdout.readline()
            assert helper.stdout.readline().strip() == "0"
        finally:
            helper.stdin.close()
            helper.wait(10)
        received = Counter(int(r.headers["X-Marsad-Delivery"]) for r in hooks.on("/hook"))

    import sqlite3

    conn = sqlite3.connect(path)
    rows = dict(conn.execute("SELECT id, state FROM notifications").fetchall())
    versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    assert versions == CHECKS  # every check an edit, each one a version
    assert len(rows) == CHECKS - 1  # one message per change, none for the first version
    assert set(rows.values()) == {"delivered"}
    assert set(received) == set(rows)  # nothing lost, nothing invented
    again = {row_id: n for row_id, n in received.items() if n > 1}
    assert sum(n - 1 for n in again.values()) <= KILLS, again
    if again:
        print(f"re-sent after a kill between the receiver's answer and the commit: {again}")
