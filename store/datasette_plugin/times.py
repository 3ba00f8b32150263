"""Stored times (ISO 8601 UTC, `store.timestamps`) shown in the reader's time zone, readably,
with the exact stored value in a tooltip.

The zone is the plugin's `timezone` setting (an IANA name such as `Asia/Riyadh`), UTC by
default; a name the system does not know falls back to UTC rather than failing every page.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import markupsafe

from store.timestamps import parse_iso

# What a stored time looks like: a date, a time, and Z or an offset.
STORED_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ar": (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ),
}


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def readable(value: str, zone_name: str | None, lang: str = "en") -> str:
    """`2026-01-02T06:00:00Z` as `2 Jan 2026, 09:00 +03` (in Asia/Riyadh), or as given when it
    is not a stored time."""
    if not isinstance(value, str) or not STORED_TIME.match(value.strip()):
        return value
    try:
        moment = parse_iso(value).astimezone(zone(zone_name))
    except ValueError:
        return value
    month = _MONTHS.get(lang, _MONTHS["en"])[moment.month - 1]
    name = moment.tzname() or ""
    if name.startswith(("+", "-")) and name.endswith("00") and len(name) == 5:
        name = name[:3]  # +0300 reads as +03
    comma = "،" if lang == "ar" else ","  # the Arabic comma
    return f"{moment.day} {month} {moment.year}{comma} {moment:%H:%M} {name}".strip()


def time_html(value: str | None, zone_name: str | None, lang: str = "en") -> markupsafe.Markup:
    """A `<time>` element: the readable local time, the stored ISO value as its `datetime` and
    tooltip. Empty for no value."""
    if not value:
        return markupsafe.Markup("")
    shown = readable(value, zone_name, lang)
    if shown == value:
        return markupsafe.Markup("{}").format(value)
    # laid out in the page's direction, isolated from the text around it
    direction = "rtl" if lang == "ar" else "ltr"
    return markupsafe.Markup('<time datetime="{}" title="{}" dir="{}">{}</time>').format(
        value, value, direction, shown
    )


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
