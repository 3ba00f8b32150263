"""Notifications against the WordPress replica, through `marsad check`, to real receivers.

One edit is exactly one message per channel (marsad's signed webhook, Apprise's JSON webhook,
email through a local SMTP server with a password); a comment or a new modified time alone is
none; a page going 404 is one `gone`, and coming back one `restored`. The secrets the channels
use (webhook key, SMTP password) appear nowhere: not in the database file, the logs, `marsad
status`, `marsad notify list` nor the exports.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from schedules.cli import cli
from tests.daemon_site import wait_for
from tests.notify_receivers import MailRelay, WebhookReceiver

REPO = Path(__file__).resolve().parents[1]
SEED = "000_3b1ee1feec353f5c.txt"
HOOK_SECRET = "hook-key-5f1c9a7e0b"
SMTP_PASSWORD = "smtp-pass-8d2e4c61aa"


def write_config(tmp_path: Path, base_url: str, hooks: WebhookReceiver, mail: MailRelay) -> Path:
    shutil.copy(REPO / "seeds" / SEED, tmp_path / SEED)
    path = tmp_path / "watch.toml"
    apprise_json = hooks.url("/apprise").replace("http://", "json://")
    path.write_text(
        f"""[defaults]
min_delay = "0s"

[notify]
base_url = "http://marsad.example"
retry_after = "0.2s"

[notify.channels.hook]
webhook = "{hooks.url("/hook")}"
secret = "${{MARSAD_TEST_HOOK_SECRET}}"

[notify.channels.apprise]
url = "{apprise_json}"

[notify.channels.mail]
url = "mailto://marsad:${{MARSAD_TEST_SMTP_PASSWORD}}@127.0.0.1:{mail.port}?from=marsad@example.org&to=desk@example.org&mode=insecure"

[[targets]]
url = "{base_url}/?p=95655"
seed = "{SEED}"
[targets.discovery]
enabled = false
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def receivers(monkeypatch):
    monkeypatch.setenv("MARSAD_TEST_HOOK_SECRET", HOOK_SECRET)
    monkeypatch.setenv("MARSAD_TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    with WebhookReceiver(secret=HOOK_SECRET) as hooks, MailRelay("marsad", SMTP_PASSWORD) as mail:
        yield hooks, mail


def test_one_edit_one_message_per_channel_and_noise_none(tmp_path, replica, receivers, caplog):
    hooks, mail = receivers
    caplog.set_level(logging.DEBUG)
    config = write_config(tmp_path, replica.base_url, hooks, mail)
    runner = CliRunner()
    args = ["--db", str(tmp_path / "marsad.db"), "--config", str(config)]
    outputs: list[str] = []

    def marsad(*more: str) -> str:
        result = runner.invoke(cli, [*args, *more], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
        return result.output

    def counts() -> tuple[int, int, int]:
        return len(hooks.on("/hook")), len(hooks.on("/apprise")), len(mail.messages)

    marsad("check")  # the first version is a first sight: nothing to tell
    assert counts() == (0, 0, 0)

    paragraphs = replica.site.seed_paragraphs()
    replica.site.edit_paragraph(95655, 2, paragraphs[2] + " وأضاف التقرير جملة جديدة تماما")
    said = marsad("check")
    assert "notifications: 3 sent" in said
    [hook] = hooks.wait_for("/hook", 1)
    [plain] = hooks.wait_for("/apprise", 1)
    [email] = mail.wait_for(1)
    assert counts() == (1, 1, 1)

    assert hook.signed_ok is True
    payload = hook.json
    assert payload["format"] == 1 and payload["event"] == "changed"
    assert payload["title"] == "حلف شمال الأطلسي وشركاؤه في منطقة المحيطين الهندي والهادئ"
    assert payload["subject"].endswith("تغيّرت") and payload["language"] == "ar"
    assert (payload["version"], payload["base_version"]) == (2, 1)
    assert (payload["words_added"], payload["words_removed"]) == (5, 0)
    assert payload["changed_fields"] == ["text"]
    assert "جملة جديدة تماما" in payload["added"]
    assert (
        payload["links"]["diff"]
        == f"http://marsad.example/-/marsad/diff/{payload['page']['id']}/1/2"
    )
    assert "/" in payload["page"]["url_decoded"] and "%D8" not in payload["page"]["url_decoded"]
    assert hook.headers["X-Marsad-Delivery"] == str(payload["id"])
    assert plain.json["title"].endswith("تغيّرت")  # Apprise's own JSON format
    assert email["To"] == "desk@example.org"
    bodies = {
        part.get_content_type(): part.get_content()
        for part in email.walk()
        if not part.is_multipart()
    }
    assert "جملة جديدة تماما" in bodies["text/html"]
    assert "جملة جديدة تماما" in bodies["text/plain"]

    replica.site.add_comment(95655, "قارئ", "مقال رائع ومفيد جدا")
    marsad("check")
    replica.site.touch(95655)  # a new modified time alone
    marsad("check")
    assert counts() == (1, 1, 1)

    replica.site.take_down(95655)
    marsad("check")
    marsad("check")  # still gone: told once
    assert [r.json["event"] for r in hooks.wait_for("/hook", 2)] == ["changed", "gone"]
    replica.site.restore(95655)
    marsad("check")
    assert [r.json["event"] for r in hooks.wait_for("/hook", 3)] == ["changed", "gone", "restored"]
    assert counts() == (3, 3, 3)

    listed = marsad("notify", "list")
    assert "hook (webhook, signed): 3 delivered" in listed
    outputs += [
        marsad("status"),
        *(
            marsad("export", "--what", what, "--format", "json")
            for what in ("pages", "versions", "changes", "fetches")
        ),
    ]
    # Secrets: nowhere at rest, nowhere printed, nowhere logged.
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("marsad.db*"))
    shown = "\n".join(outputs) + "\n".join(r.getMessage() for r in caplog.records)
    for secret in (HOOK_SECRET, SMTP_PASSWORD):
        assert secret.encode() not in stored
        assert secret not in shown
    assert b"MARSAD_TEST_SMTP_PASSWORD" not in stored  # not even the URL's template


def test_failing_channel_shows_in_status_without_its_secret(tmp_path, replica, receivers):
    hooks, mail = receivers
    hooks.hang.add("/hook")
    config = write_config(tmp_path, replica.base_url, hooks, mail)
    text = config.read_text(encoding="utf-8").replace(
        "[notify]\n", '[notify]\nsend_timeout = "0.5s"\nmax_attempts = 1\n'
    )
    config.write_text(text, encoding="utf-8")
    args = ["--db", str(tmp_path / "marsad.db"), "--config", str(config)]
    runner = CliRunner()
    runner.invoke(cli, [*args, "check"], catch_exceptions=False)
    replica.site.edit_paragraph(95655, 1, "فقرة جديدة كليا عن موضوع آخر تماما")
    result = runner.invoke(cli, [*args, "check"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "1 failed (hook: webhook hook: ReadTimeout" in result.output
    assert len(mail.wait_for(1)) == 1  # the hanging webhook held up no other channel
    status = runner.invoke(cli, [*args, "status"], catch_exceptions=False).output
    assert "notifications to hook failing: 0 delivered, 0 waiting, 1 given up" in status
    assert HOOK_SECRET not in status and SMTP_PASSWORD not in status


def test_no_notify_leaves_them_queued_and_notify_test_says_one_line(tmp_path, replica, receivers):
    hooks, mail = receivers
    config = write_config(tmp_path, replica.base_url, hooks, mail)
    args = ["--db", str(tmp_path / "marsad.db"), "--config", str(config)]
    runner = CliRunner()

    def marsad(*more: str, code: int = 0) -> str:
        result = runner.invoke(cli, [*args, *more], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    marsad("check")
    replica.site.edit_paragraph(95655, 1, "فقرة جديدة كليا عن موضوع آخر تماما")
    said = marsad("check", "--no-notify")
    assert "notifications" not in said and hooks.on("/hook") == []
    assert "hook (webhook, signed): 0 delivered, 1 waiting" in marsad("notify", "list")
    assert "notifications: 3 sent" in marsad("check")  # the next check sends what waited
    assert len(hooks.wait_for("/hook", 1)) == 1

    assert marsad("notify", "test", "hook").strip() == "hook: sent"
    [sample] = hooks.wait_for("/hook", 2)[1:]
    assert sample.signed_ok is True and sample.json["event"] == "test"
    hooks.fail_first["/hook"] = 1
    failed = marsad("notify", "test", "hook", code=1)
    assert failed.strip() == "hook: failed: webhook hook: answered HTTP 500"
    assert "no channel nope" in marsad("notify", "test", "nope", code=2)


def test_a_stop_while_sending_leaves_the_message_queued_and_exits_130(tmp_path, replica, receivers):
    # cron's `timeout` can end `marsad check` while a slow channel holds its message
    hooks, mail = receivers
    config = write_config(tmp_path, replica.base_url, hooks, mail)
    text = config.read_text(encoding="utf-8").replace(
        "[notify]\n", '[notify]\nsend_timeout = "30s"\n'
    )
    config.write_text(text, encoding="utf-8")
    args = ["--db", str(tmp_path / "marsad.db"), "--config", str(config)]
    CliRunner().invoke(cli, [*args, "check"], catch_exceptions=False)
    replica.site.edit_paragraph(95655, 1, "فقرة جديدة كليا عن موضوع آخر تماما")
    hooks.hang.add("/hook")
    check = subprocess.Popen(
        [sys.executable, "-m", "schedules.cli", *args, "check"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: hooks.attempts.get("/hook"), 60, "the message to reach the slow hook")
        check.send_signal(signal.SIGTERM)
        _, err = check.communicate(timeout=30)
    finally:
        check.kill()
    assert check.returncode == 130, err
    assert "stopped while sending notifications" in err and "Traceback" not in err
    hooks.hang.clear()
    listed = CliRunner().invoke(cli, [*args, "notify", "list"], catch_exceptions=False).output
    assert "hook (webhook, signed): 0 delivered, 1 waiting" in listed
