"""Which checks write which notifications: events, minimum size, watch words, failing for a
while, digests; and the watch list's [notify] settings."""

from __future__ import annotations

import json

import pytest

from schedules.config import ConfigError, load_config
from store.outbox import Route, digest_due
from tests.notify_checks import BASE, Page

EDITED = [BASE[0], BASE[1] + " وأضاف أن القرار نهائي.", BASE[2]]


def test_events_become_one_row_per_channel(tmp_path):
    page = Page(tmp_path / "m.db", [Route("*", "a"), Route("*", "b", events=("gone",))])
    page.answer(BASE)
    assert page.told() == []  # a first version is a first sight
    page.answer(BASE)
    assert page.told() == []
    page.answer(EDITED)
    assert page.told() == [("a", "changed")]
    page.fail(404)
    page.fail(404)  # still gone: told once
    page.answer(EDITED)
    assert page.told() == [("a", "changed"), ("a", "gone"), ("b", "gone"), ("a", "restored")]
    page.answer(BASE)  # back to version 1: a revert, not a change
    assert page.told()[-1] == ("a", "reverted")
    payload = json.loads(
        page.db.execute("SELECT payload FROM notifications WHERE kind = 'reverted'").fetchone()[0]
    )
    assert payload["version"] == 1


def test_min_words_and_title_changes(tmp_path):
    page = Page(tmp_path / "m.db", [Route("*", "a", min_words=5)])
    page.answer(BASE)
    page.answer(EDITED)  # 4 words
    assert page.told() == []
    page.answer(EDITED, title="عنوان جديد")  # a new title is told whatever the words
    page.answer([*EDITED, "فقرة جديدة من ست كلمات هنا"])
    assert [k for _, k in page.told()] == ["changed", "changed"]


def test_target_rules_replace_the_defaults(tmp_path):
    page = Page(tmp_path / "m.db", [Route("*", "a"), Route("https://news.example/?p=7", "b")])
    page.answer(BASE)
    page.answer(EDITED)
    assert page.told() == [("b", "changed")]


def test_watch_words_match_like_the_search(tmp_path):
    route = Route("*", "w", watch_words=("الانسحاب",))
    page = Page(tmp_path / "m.db", [route, Route("*", "all")])
    page.answer(BASE)
    page.answer(EDITED)  # an unrelated edit
    assert page.told("w") == []
    # harakat, another alef form and clitics (و + بال) on the word as the page writes it
    page.answer([*EDITED, "وتحدث عن خطة وبالإنْسِحابِ من المنطقة."])
    assert page.told("w") == [("w", "changed")]
    payload = json.loads(
        page.db.execute("SELECT payload FROM notifications WHERE channel = 'w'").fetchone()[0]
    )
    assert payload["watch_words"] == {"appeared": ["الانسحاب"], "disappeared": []}
    page.answer([*EDITED, "وتحدث عن خطة للبقاء في المنطقة."])  # the word goes away again
    assert page.told("w")[-1] == ("w", "changed")
    payload = json.loads(
        page.db.execute(
            "SELECT payload FROM notifications WHERE channel = 'w' ORDER BY id DESC"
        ).fetchone()[0]
    )
    assert payload["watch_words"]["disappeared"] == ["الانسحاب"]
    page.answer([BASE[0], "فقرة عن موضوع آخر تماما.", "وتحدث عن خطة للبقاء في المنطقة."])
    assert len(page.told("w")) == 2 and len(page.told("all")) == 4  # other edits: nothing


def test_failing_is_told_once_it_has_lasted(tmp_path):
    page = Page(tmp_path / "m.db", [Route("*", "a", events=("failing",), failing_for=3600)])
    page.answer(BASE)  # 00:00:01
    page.fail(now="2026-01-01T00:30:00.000Z")
    assert page.told() == []
    page.fail(now="2026-01-01T01:00:02.000Z")
    page.fail(now="2026-01-01T02:00:00.000Z")  # the same failure: told once
    assert page.told() == [("a", "failing")]
    page.answer(BASE)  # good again; a new failure is a new story
    page.checks = 0
    page.fail(now="2026-01-01T05:00:00.000Z")
    assert len(page.told()) == 2


def test_digest_rows_wait_for_the_end_of_their_period(tmp_path):
    assert digest_due("2026-01-01T10:20:00.000Z", 3600) == "2026-01-01T11:00:00.000Z"
    assert digest_due("2026-01-01T10:20:00.000Z", None) == "2026-01-01T10:20:00.000Z"
    page = Page(tmp_path / "m.db", [Route("*", "d", digest=86400)])
    page.answer(BASE)
    page.answer(EDITED)
    assert page.db.execute("SELECT due_at FROM notifications").fetchone()[0] == (
        "2026-01-02T00:00:00.000Z"
    )


def config(tmp_path, text: str):
    path = tmp_path / "watch.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_watch_list_notify_settings(tmp_path):
    loaded = config(
        tmp_path,
        """
[notify]
language = "en"
[notify.channels.desk]
url = "mailtos://marsad:${SMTP_PASSWORD}@mail.example.org?to=desk@example.org"
digest = "1h"
[notify.channels.hook]
webhook = "https://hooks.example/marsad"
secret = "${HOOK_SECRET}"
[defaults.notify]
channels = ["hook"]
min_words = 3
[[targets]]
url = "https://news.example/?p=7"
[targets.notify]
channels = ["desk", "hook"]
watch_words = ["الناتو"]
""",
    )
    routes = {(r.target, r.channel): r for r in loaded.notify.routes()}
    assert set(routes) == {
        ("*", "hook"),
        ("https://news.example/?p=7", "desk"),
        ("https://news.example/?p=7", "hook"),
    }
    assert routes[("https://news.example/?p=7", "desk")].digest == 3600
    assert routes[("https://news.example/?p=7", "hook")].min_words == 3  # from [defaults.notify]
    assert routes[("https://news.example/?p=7", "hook")].watch_words == ("الناتو",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[notify.channels.a]\nurl = "mailtos://u:hunter2@mail.example.org"\n',
            "line 2: `url` carries a password",
        ),
        (
            '[notify.channels.a]\nwebhook = "https://h.example"\nsecret = "hunter2"\n',
            "`secret` must name an environment variable",
        ),
        (
            '[notify.channels.a]\nwebhook = "https://h.example"\n[defaults.notify]\nchannels = ["b"]\n',
            "names `b`",
        ),
        (
            '[notify.channels.a]\nwebhook = "https://h.example"\n[defaults.notify]\nevents = ["edited"]\n',
            "`events` must be a list of changed",
        ),
    ],
)
def test_notify_mistakes_are_one_line_without_the_secret(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        config(tmp_path, text)
    assert message in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_every_notify_setting_is_documented():
    from dataclasses import fields
    from pathlib import Path

    from schedules.notifyconfig import Channel, NotifySettings, Rule

    documented = (Path(__file__).resolve().parents[1] / "docs" / "config.md").read_text("utf-8")
    internal = {
        "name",
        "default_rule",
        "rules",
    }  # the table's name; what [defaults.notify] and [targets.notify] hold
    for settings in (NotifySettings, Channel, Rule):
        for field in fields(settings):
            if field.name not in internal:
                assert f"`{field.name}`" in documented, f"docs/config.md lacks `{field.name}`"
