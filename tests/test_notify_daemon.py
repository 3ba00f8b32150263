"""`marsad run` as a real process delivers notifications: a message killed with the daemon before it
was sent arrives once after the restart, and a delivered one is never sent again; the webhook's
secret never reaches the daemon's log."""

from __future__ import annotations

import time

import pytest

from tests.daemon_site import DaemonProcess, SiteServer, read, wait_for, write_config
from tests.notify_receivers import WebhookReceiver

SECRET = "daemon-hook-key-77aa"


@pytest.fixture
def server():
    with SiteServer() as running:
        yield running


def test_daemon_delivers_once_across_a_sigkill(tmp_path, server, monkeypatch):
    monkeypatch.setenv("MARSAD_TEST_DAEMON_SECRET", SECRET)
    server.site.put("/post", "نص المقال الأول عن اجتماع الحلف في بروكسل.")
    with WebhookReceiver(secret=SECRET, hang={"/hook"}) as hooks:
        config = write_config(tmp_path / "watch.toml", server.base_url, ["/post"], every="1s")
        with open(config, "a", encoding="utf-8") as out:
            out.write(
                f'\n[notify]\nevery = "0.3s"\nsend_timeout = "30s"\n'
                f'[notify.channels.hook]\nwebhook = "{hooks.url("/hook")}"\n'
                'secret = "${MARSAD_TEST_DAEMON_SECRET}"\n'
            )
        db_path = tmp_path / "m.db"
        daemon = DaemonProcess(db_path, config, tmp_path / "run1.log").start()
        try:
            wait_for(
                lambda: read(db_path, "SELECT count(*) FROM versions")[0][0] == 1,
                15,
                "the first version",
            )
            server.site.put(
                "/post",
                "نص المقال الأول عن اجتماع الحلف في بروكسل.",
                "وأضاف المتحدث أن الاجتماع سيستمر يومين.",
            )
            # the message is committed with its version, and its sending hangs: kill now
            wait_for(lambda: hooks.attempts.get("/hook"), 15, "the first attempt")
            daemon.kill()
        finally:
            daemon.kill()
        assert read(db_path, "SELECT state FROM notifications") == [("queued",)]
        hooks.hang.clear()
        again = DaemonProcess(db_path, config, tmp_path / "run2.log").start()
        try:
            arrived = hooks.wait_for("/hook", 1, timeout=15)
            wait_for(
                lambda: read(db_path, "SELECT state FROM notifications") == [("delivered",)],
                10,
                "the row marked delivered",
            )
            assert again.stop() == 0
        finally:
            again.kill()
        third = DaemonProcess(db_path, config, tmp_path / "run3.log").start()
        try:
            wait_for(lambda: "watching" in third.log_path.read_text(), 10, "the third start")
            time.sleep(1.5)  # several sender passes: nothing is due
            assert third.stop() == 0
        finally:
            third.kill()
    assert len(hooks.on("/hook")) == 1
    [message] = arrived
    assert message.signed_ok is True and message.json["event"] == "changed"
    logs = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("run*.log"))
    assert "notified hook of 1 change(s)" in logs
    assert SECRET not in logs
    assert SECRET.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("m.db*"))
