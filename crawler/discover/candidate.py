"""What every discovery parser hands on: a URL worth watching, why, where it was seen, and when
its source says it last changed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from crawler.urls import canonicalize

# The reason a page is watched, recorded in the frontier. Archive-derived reasons name the
# archive kind so that a user can see "found through the category" rather than a bare URL.
Reason = Literal[
    "linked",  # a link inside the article's content
    "related",  # the theme's or a plugin's related-posts block
    "category",  # a category archive page, or a post listed on one
    "tag",  # a tag archive page, or a post listed on one
    "category_feed",
    "tag_feed",
    "feed",  # the site's own feed
    "sitemap",
    "rest_api",
]

REASONS: tuple[Reason, ...] = (
    "linked",
    "related",
    "category",
    "tag",
    "category_feed",
    "tag_feed",
    "feed",
    "sitemap",
    "rest_api",
)


@dataclass(frozen=True)
class Candidate:
    """A discovered URL. `url` is canonical (crawler.urls.canonicalize); `source` is the page,
    feed, sitemap or API URL it was found on; `lastmod` is ISO 8601 UTC (`2024-07-15T10:00:00Z`)
    when the source said when the page last changed, else None."""

    url: str
    reason: Reason
    source: str
    lastmod: str | None = None


def candidate(
    url: str, reason: Reason, source: str, lastmod: str | None = None
) -> Candidate | None:
    """A Candidate for `url`, or None when the scraped string is not an http(s) URL at all."""
    try:
        return Candidate(canonicalize(url), reason, source, lastmod)
    except ValueError:
        return None


def iso_utc(value: str | time.struct_time | None) -> str | None:
    """A scraped timestamp as ISO 8601 UTC, or None when it is missing or unreadable.

    Accepts W3C datetimes (sitemaps: `2024-07-15`, `2024-07-15T10:00+03:00`, `…Z`), WordPress'
    naive `modified_gmt` (UTC by definition) and feedparser's UTC struct_time. A bare date means
    its midnight UTC: the earliest moment it can mean, so a page is never flagged as newer than a
    version we fetched later that day.
    """
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        try:
            moment = datetime(*value[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            return None
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) == 4 and text.isdigit():  # W3C "YYYY"
            moment = datetime(int(text), 1, 1, tzinfo=UTC)
        elif len(text) == 7 and text[4] == "-":  # W3C "YYYY-MM"
            moment = datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC)
        elif len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
