"""The watch list's notification settings: `[notify]`, `[notify.channels.NAME]`, and the rules in
`[defaults.notify]` and each `[targets.notify]` (docs/config.md, docs/notifications.md).

Channel URLs are Apprise URLs, or `webhook` for marsad's own signed JSON. A secret is never
written in the watch list: a URL or webhook secret names environment variables (`${NAME}`),
expanded only when a message is sent (`expand`), so neither the database nor a log line nor
`marsad status` ever holds it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from schedules.configkeys import got
from store.outbox import DEFAULT_ROUTE, EVENTS, Route

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LANGUAGES = ("ar", "en")


class MissingSecret(Exception):
    """A channel names an environment variable that is not set."""


@dataclass(frozen=True)
class Channel:
    name: str
    url: str  # an Apprise URL, or the webhook's URL; may name ${VARIABLES}
    webhook: bool = False  # marsad's own JSON payload, signed when `secret` is set
    secret: str | None = None  # "${VARIABLE}" naming the HMAC key
    digest: float | None = None  # seconds: one message per period listing every change


@dataclass(frozen=True)
class Rule:
    channels: tuple[str, ...]
    events: tuple[str, ...] = EVENTS
    min_words: int = 0
    watch_words: tuple[str, ...] = ()
    failing_for: float | None = 86400.0


@dataclass(frozen=True)
class NotifySettings:
    channels: tuple[Channel, ...] = ()
    language: str = "ar"  # the fixed words of messages: ar or en
    base_url: str = "http://127.0.0.1:8001"  # where Datasette is reached, for the links
    max_attempts: int = 10
    retry_after: float = 30.0  # first retry; doubled after each failure
    max_retry_after: float = 6 * 3600.0
    send_timeout: float = 20.0  # one delivery attempt
    every: float = 10.0  # how often the daemon's sender looks for due messages
    default_rule: Rule | None = None
    rules: dict[str, Rule] = field(default_factory=dict)  # per target URL

    def channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels if c.name == name), None)

    def routes(self) -> list[Route]:
        """The rules as the outbox reads them, one per target and channel."""
        found = []
        items = [(DEFAULT_ROUTE, self.default_rule)] if self.default_rule else []
        for target, rule in [*items, *self.rules.items()]:
            for name in rule.channels:
                channel = self.channel(name)
                if channel is None:
                    continue
                found.append(
                    Route(
                        target,
                        name,
                        rule.events,
                        rule.min_words,
                        rule.watch_words,
                        rule.failing_for,
                        channel.digest,
                    )
                )
        return found


def variables(template: str) -> list[str]:
    return _VARIABLE.findall(template)


def expand(template: str) -> str:
    """The template with each ${NAME} replaced from the environment, at send time only."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise MissingSecret(f"environment variable {name} is not set")
        return os.environ[name]

    return _VARIABLE.sub(value, template)


def secrets_of(channel: Channel) -> list[str]:
    """The expanded values a message to `channel` uses, to be kept out of every error text."""
    names = variables(channel.url) + (variables(channel.secret) if channel.secret else [])
    return [os.environ[n] for n in names if os.environ.get(n)]


Fail = Callable[[str, str, int], Exception]


def parse_notify(
    raw: dict[str, Any],
    text: str,
    fail: Fail,
    duration: Callable[[dict[str, Any], str, float, int], float],
    target_lines: list[int],
) -> NotifySettings:
    """`[notify]` and the rules, checked; `fail(key, message, start_line)` makes the error."""
    table = raw.get("notify", {})
    start = _line(text, "[notify]")
    if not isinstance(table, dict):
        raise fail("notify", "must be a table: [notify]", 0)
    language = table.get("language", "ar")
    if language not in _LANGUAGES:
        raise fail("language", f"must be `ar` or `en`, got `{language}`", start)
    channels = []
    raw_channels = table.get("channels", {})
    if not isinstance(raw_channels, dict):
        raise fail("channels", "must be tables like [notify.channels.desk]", start)
    for name, item in raw_channels.items():
        at = _line(text, f"[notify.channels.{name}]")
        channels.append(_channel(name, item, fail, duration, at))
    names = {c.name for c in channels}

    def rule(item: dict[str, Any], at: int, base: Rule | None) -> Rule:
        chosen = item.get("channels", list(base.channels) if base else sorted(names))
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            raise fail("channels", "must be a list of channel names", at)
        for name in chosen:
            if name not in names:
                raise fail(
                    "channels", f"names `{name}`, which is not a [notify.channels.{name}]", at
                )
        events = item.get("events", list(base.events) if base else list(EVENTS))
        if not isinstance(events, list) or any(e not in EVENTS for e in events):
            raise fail("events", f"must be a list of {', '.join(EVENTS)}; got `{events}`", at)
        min_words = item.get("min_words", base.min_words if base else 0)
        if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 0:
            raise fail("min_words", f"must be a whole number, got {got(min_words)}", at)
        words = item.get("watch_words", list(base.watch_words) if base else [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise fail("watch_words", "must be a list of words", at)
        failing = item.get("failing_for", None)
        failing_for = base.failing_for if base and failing is None else 86400.0
        if failing is not None:
            failing_for = duration(item, "failing_for", 86400.0, at) or None
        return Rule(tuple(chosen), tuple(events), min_words, tuple(words), failing_for)

    defaults_table = raw.get("defaults", {}).get("notify", {})
    default_rule = (
        rule(defaults_table, _line(text, "[defaults.notify]"), None) if channels else None
    )
    rules = {}
    for index, item in enumerate(raw.get("targets", [])):
        own = item.get("notify") if isinstance(item, dict) else None
        if own is not None and channels:
            at = target_lines[index] if index < len(target_lines) else 0
            rules[str(item.get("url"))] = rule(own, at, default_rule)
    number = table.get("max_attempts", NotifySettings.max_attempts)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise fail("max_attempts", f"must be a whole number from 1, got {got(number)}", start)
    base_url = str(table.get("base_url", NotifySettings.base_url)).rstrip("/")
    return NotifySettings(
        channels=tuple(channels),
        language=language,
        base_url=base_url,
        max_attempts=number,
        retry_after=duration(table, "retry_after", NotifySettings.retry_after, start),
        max_retry_after=duration(table, "max_retry_after", NotifySettings.max_retry_after, start),
        send_timeout=duration(table, "send_timeout", NotifySettings.send_timeout, start) or 1.0,
        every=duration(table, "every", NotifySettings.every, start) or 1.0,
        default_rule=default_rule,
        rules=rules,
    )


def _channel(
    name: str,
    item: Any,
    fail: Fail,
    duration: Callable[[dict[str, Any], str, float, int], float],
    at: int,
) -> Channel:
    if not isinstance(item, dict):
        raise fail(name, "must be a table [notify.channels.NAME] with `url` or `webhook`", at)
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
        raise fail(name, "a channel name is letters, digits, - and _ (up to 40)", at)
    webhook = "webhook" in item
    url = item.get("webhook" if webhook else "url")
    if not isinstance(url, str) or "://" not in url:
        raise fail("url", "must be an Apprise URL (or `webhook` an http(s) URL)", at)
    if webhook and not url.startswith(("http://", "https://")):
        raise fail("webhook", "must be an http(s) URL", at)
    _refuse_written_secret(url, fail, at)
    secret = item.get("secret")
    if secret is not None and not (isinstance(secret, str) and _VARIABLE.fullmatch(secret)):
        raise fail(
            "secret",
            "must name an environment variable, like "
            '"${MARSAD_WEBHOOK_SECRET}": secrets are never written in the watch list',
            at,
        )
    digest = duration(item, "digest", 0.0, at) if "digest" in item else None
    return Channel(name, url, webhook, secret, digest or None)


def _refuse_written_secret(url: str, fail: Fail, at: int) -> None:
    """A password written into a URL would end up in the watch list's history and backups."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return
    if password and not _VARIABLE.fullmatch(password):
        raise fail(
            "url",
            "carries a password; write it as ${AN_ENVIRONMENT_VARIABLE}, "
            "expanded only when sending",
            at,
        )


def _line(text: str, header: str) -> int:
    for number, line in enumerate(text.splitlines()):
        if line.strip() == header:
            return number
    return 0
