"""The sender against a real HTTP receiver: back-off, giving up, a channel that never answers,
digests, a missing secret, and a delivered row never sent again."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

from schedules.notify import Sender
from schedules.notifyconfig import Channel, NotifySettings
from store import delivery
from store.outbox import Route
from tests.notify_checks import BASE, Page
from tests.notify_receivers import WebhookReceiver

EDITED = [BASE[0], BASE[1] + " وأضاف أن القرار نهائي.", BASE[2]]


def settings(*channels: Channel, **changes: object) -> NotifySettings:
    values: dict = {"retry_after": 0.1, "send_timeout": 2.0, "max_attempts": 6, **changes}
    return NotifySettings(channels=channels, **values)


def deliver_until(sender: Sender, done, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not done() and time.monotonic() < end:
        sender.poll()
        sender.wait(5)
        time.sleep(0.05)


def states(page: Page) -> list[tuple[str, str, int]]:
    return [
        tuple(r)
        for r in page.db.execute("SELECT channel, state, attempts FROM notifications ORDER BY id")
    ]


def test_500_three_times_then_200_arrives_once_after_back_off(tmp_path):
    with WebhookReceiver(fail_first={"/flaky": 3}) as hooks:
        page = Page(tmp_path / "m.db", [Route("*", "flaky")])
        page.answer(BASE)
        page.answer(EDITED)
        sender = Sender(
            tmp_path / "m.db", lambda: settings(Channel("flaky", hooks.url("/flaky"), True))
        )
        deliver_until(sender, lambda: hooks.on("/flaky"))
        time.sleep(0.3)
        sender.poll()
        sender.wait(5)
        assert len(hooks.on("/flaky")) == 1
        tries = hooks.attempts["/flaky"]
        gaps = [b - a for a, b in itertools.pairwise(tries)]
        assert len(tries) == 4 and gaps[0] >= 0.1 and gaps[1] >= 0.2 and gaps[2] >= 0.4, gaps
        assert states(page) == [("flaky", "delivered", 4)]


def test_given_up_after_max_attempts_with_its_cause(tmp_path):
    with WebhookReceiver(fail_first={"/down": 99}) as hooks:
        page = Page(tmp_path / "m.db", [Route("*", "down")])
        page.answer(BASE)
        page.answer(EDITED)
        sender = Sender(
            tmp_path / "m.db",
            lambda: settings(Channel("down", hooks.url("/down"), True), max_attempts=3),
        )
        assert delivery.waiting(page.db) == 1  # what `marsad check` reports as left to send
        deliver_until(sender, lambda: states(page)[0][1] == "given_up")
        assert states(page) == [("down", "given_up", 3)]
        assert delivery.waiting(page.db) == 0  # given up is not waiting
        error = page.db.execute("SELECT error FROM notifications").fetchone()[0]
        assert error == "webhook down: answered HTTP 500"


def test_a_channel_that_never_answers_holds_up_no_other_channel_nor_checks(tmp_path):
    with WebhookReceiver(hang={"/hang"}) as hooks:
        page = Page(tmp_path / "m.db", [Route("*", "hang"), Route("*", "ok")])
        page.answer(BASE)
        page.answer(EDITED)
        sender = Sender(
            tmp_path / "m.db",
            lambda: settings(
                Channel("hang", hooks.url("/hang"), True),
                Channel("ok", hooks.url("/ok"), True),
                send_timeout=3.0,
            ),
        )
        started = time.monotonic()
        sender.poll()
        assert hooks.wait_for("/ok", 1, timeout=2)
        assert time.monotonic() - started < 1.5
        # a check meanwhile is recorded at once: the sender holds no lock while it waits
        before = time.monotonic()
        page.answer([*EDITED, "فقرة أخرى أضيفت للتو."])
        assert time.monotonic() - before < 1.0
        assert sender.wait(10)
        assert states(page)[:2] == [("hang", "failed", 1), ("ok", "delivered", 1)]
        assert (
            "ReadTimeout"
            in page.db.execute("SELECT error FROM notifications WHERE channel = 'hang'").fetchone()[
                0
            ]
        )


def test_a_digest_is_one_message_listing_every_change(tmp_path):
    with WebhookReceiver() as hooks:
        page = Page(tmp_path / "m.db", [Route("*", "daily", digest=86400)])
        page.answer(BASE)
        page.answer(EDITED)
        page.answer([*EDITED, "فقرة أخرى أضيفت للتو."])
        channel = Channel("daily", hooks.url("/daily"), True, digest=86400)
        now = datetime(2026, 1, 1, 12, tzinfo=UTC)
        sender = Sender(tmp_path / "m.db", lambda: settings(channel), clock=lambda: now)
        sender.poll()
        sender.wait(5)
        assert hooks.on("/daily") == []  # the day is not over
        now += timedelta(days=1)
        sender.poll()
        sender.wait(5)
        [digest] = hooks.on("/daily")
        assert digest.json["digest"] is True
        assert [item["version"] for item in digest.json["items"]] == [2, 3]
        assert digest.headers["X-Marsad-Delivery"] == ",".join(
            str(item["id"]) for item in digest.json["items"]
        )


def test_a_missing_secret_fails_with_its_name_and_a_delivered_row_is_never_resent(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("MARSAD_NOT_SET", raising=False)
    with WebhookReceiver(secret="k") as hooks:
        page = Page(tmp_path / "m.db", [Route("*", "signed")])
        page.answer(BASE)
        page.answer(EDITED)
        channel = Channel("signed", hooks.url("/signed"), True, secret="${MARSAD_NOT_SET}")
        sender = Sender(tmp_path / "m.db", lambda: settings(channel, retry_after=0.0))
        sender.poll()
        sender.wait(5)
        assert page.db.execute("SELECT error FROM notifications").fetchone()[0] == (
            "environment variable MARSAD_NOT_SET is not set"
        )
        monkeypatch.setenv("MARSAD_NOT_SET", "k")
        deliver_until(sender, lambda: hooks.on("/signed"))
        assert hooks.on("/signed")[0].signed_ok is True
        again = Sender(tmp_path / "m.db", lambda: settings(channel))  # a restart
        assert again.poll() == []
        assert len(hooks.on("/signed")) == 1


def test_datasette_lists_failed_notifications_by_channel_name(tmp_path, monkeypatch):
    import asyncio

    from store.web import build_datasette

    monkeypatch.setenv("MARSAD_HOOK_KEY", "s3cret-in-env")
    with WebhookReceiver(fail_first={"/down?key=s3cret-in-env": 99}) as hooks:
        page = Page(tmp_path / "marsad.db", [Route("*", "down")])
        page.answer(BASE)
        page.answer(EDITED)
        channel = Channel("down", hooks.url("/down") + "?key=${MARSAD_HOOK_KEY}", True)
        sender = Sender(tmp_path / "marsad.db", lambda: settings(channel, max_attempts=1))
        sender.poll()
        sender.wait(5)

    async def fetch():
        ds = build_datasette(tmp_path / "marsad.db")
        failed = await ds.client.get("/marsad/notifications_failed.json?_shape=array")
        table = await ds.client.get("/marsad/notifications.json?_shape=array")
        return failed, table

    failed, table = asyncio.run(fetch())
    [row] = failed.json()
    assert (row["channel"], row["kind"], row["state"], row["version"]) == (
        "down",
        "changed",
        "given_up",
        2,
    )
    assert row["error"] == "webhook down: answered HTTP 500"
    assert "s3cret-in-env" not in failed.text + table.text
    assert "MARSAD_HOOK_KEY" not in table.text and "127.0.0.1" not in row["error"]


def test_two_senders_on_one_database_never_send_a_row_both(tmp_path):
    """The daemon's sender and a `marsad check` beside it: rows being sent are claimed."""
    import threading

    with WebhookReceiver() as hooks:
        page = Page(tmp_path / "m.db", [Route("*", "hook")])
        page.answer(BASE)
        for i in range(20):
            page.answer([*BASE, f"تحديث رقم {i} من سلسلة التحديثات"])
        channel = Channel("hook", hooks.url("/hook"), True)
        senders = [Sender(tmp_path / "m.db", lambda: settings(channel)) for _ in range(3)]
        threads = [threading.Thread(target=s.deliver_channel, args=("hook",)) for s in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        ids = [int(r.headers["X-Marsad-Delivery"]) for r in hooks.on("/hook")]
        assert sorted(ids) == list(range(1, 21))
        assert {state for _, state, _ in states(page)} == {"delivered"}
