"""`--since WHEN`: an ISO 8601 date or time, or a duration meaning "that long ago".

A value that is neither is refused with one line (a usage error, exit 2), never read as a string
that happens to sort before or after every stored time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click

from store.timestamps import iso

_AGO = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

SINCE_HELP = (
    "Only rows at or after WHEN: an ISO 8601 date or time (2026-03-01, 2026-03-01T08:00, "
    "2026-03-01T08:00+03:00; UTC unless it says otherwise), or that long ago: 30m, 12h, 7d, 2w."
)


def parse_since(text: str, now: datetime) -> str:
    """The stored-time form (`store.timestamps.iso`) of `text`; ValueError when it is neither
    an ISO 8601 date or time nor a duration like `7d`."""
    if match := _AGO.match(text):
        return iso(now - timedelta(seconds=int(match.group(1)) * _SECONDS[match.group(2)]))
    moment = datetime.fromisoformat(text.strip())  # ValueError for `yesterday`, `2026-13-45`
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso(moment)


class BadSince(click.ClickException):
    """One line and exit code 2, without the usage text a click usage error prints."""

    exit_code = 2


def since_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The `--since` option's callback: an ISO time in UTC, or one line and exit code 2. A
    callback rather than a `click.ParamType`, which is generic in some click releases only."""
    if value is None:
        return None
    try:
        return parse_since(value, datetime.now(UTC))
    except ValueError:
        raise BadSince(
            f"--since {value!r} is neither an ISO 8601 date or time (like 2026-03-01 or "
            "2026-03-01T08:00) nor a duration ago (like 30m, 12h, 7d)"
        ) from None
