"""`marsad demo`: the whole product on one machine with no network.

A replica of the seed site runs on 127.0.0.1, the daemon watches it with a short interval, and an
editor thread changes the article every few seconds, so a newcomer sees versions and diffs appear.
Each run starts from a fresh database (`fresh_database`): the replica listens on a new port each
time, so an older run's page, at its old address, would stay on the watched pages unchecked for
ever.
Each change is also sent to a signed webhook the demo runs (`schedules.notify`), which checks the
signature and logs what it received; Datasette's `notifications` table shows their delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from schedules.config import load_config
from schedules.lock import DaemonLock
from schedules.replica import ReplicaServer, ReplicaSite
from schedules.replica.data import SEED_FILE, SEED_ID

log = logging.getLogger("marsad.demo")
SEED = SEED_FILE.name
POST_ID = SEED_ID

EDITS = (
    "وفي تطور جديد، أعلن الحلف عن برنامج مشترك للأمن السيبراني مع شركائه في المنطقة.",
    "وأكد المسؤولون أن التعاون سيتوسع ليشمل تبادل المعلومات والتدريب المشترك.",
    "ويرى باحثون أن هذه الخطوة تعكس تحولاً في أولويات الحلف خلال السنوات المقبلة.",
)


def write_demo_config(
    directory: Path, base_url: str, every: float, webhook: str | None = None, port: int = 8001
) -> Path:
    shutil.copy(SEED_FILE, directory / SEED)
    path = directory / "watch.toml"
    notify = (
        (
            f'[notify]\nbase_url = "http://127.0.0.1:{port}"\nevery = "1s"\n'
            f'[notify.channels.demo]\nwebhook = "{webhook}"\n'
            'secret = "${MARSAD_DEMO_WEBHOOK_SECRET}"\n\n'
        )
        if webhook
        else ""
    )
    path.write_text(
        "[defaults]\n"
        f'every = "{every}s"\njitter = "0s"\nmin_delay = "0s"\n\n{notify}'
        "[[targets]]\n"
        f'url = "{base_url}/?p={POST_ID}"\nseed = "{SEED}"\n'
        "[targets.discovery]\nenabled = false\n",
        encoding="utf-8",
    )
    return path


def demo_webhook(secret: str) -> ThreadingHTTPServer:
    """A receiver as docs/notifications.md describes one: checks the signature, logs the message."""

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            signed = hmac.compare_digest(self.headers.get("X-Marsad-Signature", ""), expected)
            self.send_response(200 if signed else 401)
            self.end_headers()
            if signed:
                log.info(
                    "demo: webhook received delivery %s: %s",
                    self.headers.get("X-Marsad-Delivery"),
                    json.loads(body).get("subject"),
                )

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def edit_forever(site: ReplicaSite, every: float, stop: threading.Event) -> None:
    """Alternate real edits with noise (a new comment) so both kinds of check show up."""
    round_ = 0
    while not stop.wait(every):
        round_ += 1
        if round_ % 3 == 0:
            site.add_comment(POST_ID, "قارئ", f"تعليق رقم {round_}")
            log.info("demo: added a comment (noise: no new version expected)")
        else:
            paragraphs = site.seed_paragraphs()
            index = 1 + round_ % (len(paragraphs) - 1)
            site.edit_paragraph(
                POST_ID, index, paragraphs[index] + " " + EDITS[round_ % len(EDITS)]
            )
            log.info("demo: edited paragraph %d of the article", index)


class DemoError(Exception):
    """The demo cannot start on this database; the message is one line for a person."""


REPLICA_HOST = "http://127.0.0.1:"


def fresh_database(db_path: Path) -> None:
    """Remove an earlier demo's database (and its WAL) so this run starts with none of its stale
    pages. A database watching anything but a replica on 127.0.0.1 is not the demo's: refused,
    never removed. The caller holds the database's lock, so no daemon is using it."""
    from store.history import standings
    from store.schema import DatabaseError, connect

    if not db_path.exists():
        return
    try:
        db = connect(db_path)
        try:
            foreign = [page.url for page in standings(db) if not page.url.startswith(REPLICA_HOST)]
        finally:
            db.conn.close()
    except DatabaseError as error:
        raise DemoError(f"demo: {error}") from error
    if foreign:
        raise DemoError(
            f"demo: {db_path} watches {len(foreign)} page(s) that are not the demo's (like "
            f"{foreign[0]}); the demo starts from a fresh database each run, so give it its own: "
            "`marsad --db data/demo.db demo`"
        )
    for path in (
        db_path,
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + "-shm"),
    ):
        path.unlink(missing_ok=True)
    log.info("demo: starting from a fresh %s (an earlier run's pages are gone)", db_path)


def run_demo(db_path: Path, *, port: int = 8001, every: float = 5.0) -> None:
    lock = DaemonLock(db_path).acquire()  # AlreadyRunning: the caller's one line
    try:
        fresh_database(db_path)
        _run(db_path, port, every, lock)
    finally:
        lock.release()


def _run(db_path: Path, port: int, every: float, lock: DaemonLock) -> None:
    from schedules.daemon import run_daemon
    from store.schema import connect

    os.environ.setdefault("MARSAD_DEMO_WEBHOOK_SECRET", secrets.token_hex(16))
    hook = demo_webhook(os.environ["MARSAD_DEMO_WEBHOOK_SECRET"])
    with ReplicaServer() as server, tempfile.TemporaryDirectory() as scratch:
        webhook = f"http://127.0.0.1:{hook.server_address[1]}/marsad"
        config_path = write_demo_config(Path(scratch), server.base_url, every, webhook, port)
        log.info("demo: notifications go to the signed webhook at %s", webhook)
        config = load_config(config_path)
        log.info("demo: replica of the seed site at %s", server.base_url)
        stop = threading.Event()
        editor = threading.Thread(
            target=edit_forever, args=(server.site, every * 2, stop), daemon=True
        )
        editor.start()
        try:
            run_daemon(
                connect(db_path), db_path, config, config_path, serve=True, port=port, lock=lock
            )
        finally:
            stop.set()
            hook.shutdown()
