"""The sender: delivers the outbox's due rows (`store.outbox`, `store.delivery`).

Each channel is delivered by its own thread on its own database connection, so a channel that
fails or never answers holds up only itself, never another channel nor a check. A row is marked
delivered only after its channel accepted it; a failure keeps its cause (secrets taken out) and
is retried after `retry_after`, doubled each time up to `max_retry_after`, until `max_attempts`.
The channel's other due rows wait with it, so its messages keep their order.

Sending: marsad's own webhook is a JSON POST signed with HMAC-SHA256 over the exact body
(`X-Marsad-Signature: sha256=<hex>`), with the delivery id in `X-Marsad-Delivery`; every other
channel is an Apprise URL, given the plain text and HTML bodies. `${VARIABLES}` are expanded
here, at the moment of sending, and nowhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from schedules.messages import Message, render, sample, webhook_item
from schedules.notifyconfig import Channel, MissingSecret, NotifySettings, expand, secrets_of
from store import delivery
from store.schema import connect, transaction
from store.timestamps import iso

log = logging.getLogger("marsad.notify")

SIGNATURE_HEADER = "X-Marsad-Signature"
DELIVERY_HEADER = "X-Marsad-Delivery"
EVENT_HEADER = "X-Marsad-Event"
BATCH = 100  # rows one pass of one channel takes; a digest lists at most this many
CLAIM_MARGIN = 60.0  # seconds a claim on rows being sent outlives their attempt


class DeliveryError(Exception):
    """A channel did not accept a message; the text is safe to store and show."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def redacted(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())[:500]


def send(
    channel: Channel, message: Message, items: list[dict[str, Any]], timeout: float, language: str
) -> None:
    """One message to one channel; raises DeliveryError with a cause that holds no secret."""
    secrets = secrets_of(channel)
    try:
        if channel.webhook:
            _post_webhook(channel, message, items, timeout, language)
        else:
            _apprise(channel, message, timeout)
    except MissingSecret as error:
        raise DeliveryError(str(error)) from None
    except DeliveryError as error:
        raise DeliveryError(redacted(str(error), secrets)) from None
    except Exception as error:  # noqa: BLE001 - a channel's failure is recorded, never a crash
        raise DeliveryError(redacted(f"{type(error).__name__}: {error}", secrets)) from None


def _post_webhook(
    channel: Channel, message: Message, items: list[dict[str, Any]], timeout: float, language: str
) -> None:
    document: dict[str, Any] = (
        items[0]
        if len(items) == 1
        else {
            "format": items[0]["format"] if items else 1,
            "digest": True,
            "items": items,
        }
    )
    document = {**document, "subject": message.title, "text": message.text, "language": language}
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "marsad-notify/1",
        DELIVERY_HEADER: ",".join(str(i.get("id", "test")) for i in items) or "test",
        EVENT_HEADER: "digest" if len(items) > 1 else str(document.get("event", "test")),
    }
    if channel.secret:
        headers[SIGNATURE_HEADER] = signature(expand(channel.secret), body)
    url = expand(channel.url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            answer = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise DeliveryError(f"webhook {channel.name}: {type(error).__name__}: {error}") from None
    if not 200 <= answer.status_code < 300:
        raise DeliveryError(f"webhook {channel.name}: answered HTTP {answer.status_code}")


def _apprise(channel: Channel, message: Message, timeout: float) -> None:
    import apprise  # imported when a message is sent: 0.3 s at start otherwise

    # Apprise's own log lines go only to the capture below, whose text is kept with secrets
    # taken out: a plugin may name the URL it was given, and ours holds expanded secrets.
    logging.getLogger("apprise").propagate = False
    url = expand(channel.url)
    sender = apprise.Apprise()
    if not sender.add(url):
        raise DeliveryError(f"channel {channel.name}: Apprise does not know this kind of URL")
    # Apprise annotates its API but not LogCapture's signature.
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        ok = sender.notify(
            title=message.title, body=message.html, body_format=apprise.NotifyFormat.HTML
        )
        said = captured.getvalue()
    if not ok:
        cause = said.strip().splitlines()[-1] if said.strip() else "not sent"
        raise DeliveryError(f"channel {channel.name}: {cause}")


def send_test(settings: NotifySettings, channel: Channel) -> str | None:
    """A sample message to `channel` now; None when it was accepted, else the cause."""
    message = sample(settings.language)
    try:
        send(
            channel,
            message,
            [{"id": "test", "format": 1, "event": "test"}],
            settings.send_timeout,
            settings.language,
        )
    except DeliveryError as error:
        return str(error)
    return None


@dataclass
class Report:
    delivered: int = 0
    failed: int = 0
    given_up: int = 0
    errors: dict[str, str] = field(default_factory=dict)


class Sender:
    """Delivers due rows, one thread per channel; `poll` is the daemon's job."""

    def __init__(
        self,
        db_path: Path | str,
        settings: Callable[[], NotifySettings],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db_path = db_path
        self.settings = settings
        self.clock = clock
        self.report = Report()
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def poll(self) -> list[str]:
        """Start a delivery thread for each channel with due rows that has none running."""
        db = connect(self.db_path)
        try:
            if delivery.claimed(db):
                with transaction(db):
                    delivery.release_dead_claims(db)
            channels = delivery.due_channels(db, iso(self.clock()))
        finally:
            db.conn.close()
        started = []
        with self._lock:
            for name in channels:
                running = self._threads.get(name)
                if running is not None and running.is_alive():
                    continue
                thread = threading.Thread(
                    target=self._deliver_logged, args=(name,), name=f"notify-{name}", daemon=True
                )
                self._threads[name] = thread
                thread.start()
                started.append(name)
        return started

    def wait(self, timeout: float) -> bool:
        """Wait for the running deliveries up to `timeout` seconds; True when all finished."""
        end = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(max(0.0, end - time.monotonic()))
        return not any(t.is_alive() for t in threads)

    def _deliver_logged(self, name: str) -> None:
        try:
            self.deliver_channel(name)
        except Exception:
            log.exception("delivering notifications to %s failed; retrying at the next pass", name)

    def deliver_channel(self, name: str) -> None:
        """Every due row of one channel, in order, until none is due or one fails."""
        settings = self.settings()
        channel = settings.channel(name)
        db = connect(self.db_path)
        try:
            while True:
                now = self.clock()
                # a claim outlives the attempt it covers; a killed sender's ends at once
                until = now + timedelta(seconds=settings.send_timeout * 2 + CLAIM_MARGIN)
                # a digest takes all its rows at once; otherwise one row per claim, so no
                # claim waits behind another row's slow attempt
                size = BATCH if channel is not None and channel.digest else 1
                rows = delivery.take_due(db, name, iso(now), iso(until), size)
                if not rows:
                    return
                if channel is None:
                    self._failed(db, settings, rows, f"channel {name} is not in the watch list")
                    return
                if not self._deliver(db, settings, channel, rows):
                    return
        finally:
            db.conn.close()

    def _deliver(
        self, db: Any, settings: NotifySettings, channel: Channel, rows: list[delivery.Queued]
    ) -> bool:
        message = render([r.payload for r in rows], settings.language, settings.base_url)
        items = [webhook_item(r.id, r.payload, settings.base_url) for r in rows]
        try:
            send(channel, message, items, settings.send_timeout, settings.language)
        except DeliveryError as error:
            self._failed(db, settings, rows, str(error))
            return False
        delivery.mark_delivered(db, [r.id for r in rows], iso(self.clock()))
        self.report.delivered += len(rows)
        log.info(
            "notified %s of %d change(s)",
            channel.name,
            len(rows),
            extra={"channel": channel.name, "delivered": len(rows)},
        )
        return True

    def _failed(
        self, db: Any, settings: NotifySettings, rows: list[delivery.Queued], error: str
    ) -> None:
        now = self.clock()
        retry_at: dict[int, str] = {}
        give_up: set[int] = set()
        for row in rows:
            if row.attempts + 1 >= settings.max_attempts:
                give_up.add(row.id)
                continue
            wait = min(settings.max_retry_after, settings.retry_after * 2**row.attempts)
            retry_at[row.id] = iso(now + timedelta(seconds=wait))
        delivery.mark_failed(
            db, [r.id for r in rows], iso(now), error, retry_at=retry_at, give_up=give_up
        )
        # the channel's other due rows wait as long as the first, so messages keep their order
        if retry_at:
            delivery.hold_channel(db, rows[0].channel, min(retry_at.values()))
        self.report.failed += len(rows) - len(give_up)
        self.report.given_up += len(give_up)
        self.report.errors[rows[0].channel] = error
        log.warning(
            "notification(s) %s to %s failed (%s)%s",
            ",".join(str(r.id) for r in rows),
            rows[0].channel,
            error,
            "; given up" if give_up else f"; retrying at {min(retry_at.values())}",
            extra={"channel": rows[0].channel, "error": error},
        )
