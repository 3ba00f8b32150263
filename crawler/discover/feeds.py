"""RSS 2.0 and Atom feeds: which posts a feed lists and when each last changed.

Parsed with feedparser, which copes with the broken feeds real sites serve. It is safe against
entity-expansion attacks: it strips a feed's DOCTYPE (and with it any declared entities) before
parsing, and its loose fallback never expands them either (tested with a "billion laughs" feed).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser
from selectolax.lexbor import LexborHTMLParser

from crawler.discover.candidate import Candidate, Reason, candidate, iso_utc
from crawler.urls import resolve

# A WordPress feed of 10 to 50 items is some hundreds of kilobytes; anything far beyond that is
# not a feed we should hold in memory.
MAX_FEED_BYTES = 10 * 1024 * 1024
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)


@dataclass(frozen=True)
class FeedEntry:
    link: str
    updated: str | None  # ISO 8601 UTC: the entry's updated time, else its published time
    title: str | None = None


@dataclass(frozen=True)
class FeedDoc:
    """A parsed feed. `error` is set (and `entries` empty) when the body is not a readable feed."""

    url: str
    title: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_feed(data: bytes | str, feed_url: str) -> FeedDoc:
    """Read a feed body fetched from `feed_url` (relative links are resolved against it)."""
    size = len(data)
    if size > MAX_FEED_BYTES:
        return FeedDoc(
            feed_url,
            error=f"feed {feed_url} refused: {size} bytes is over the {MAX_FEED_BYTES}-byte limit",
        )
    if not data.strip():
        return FeedDoc(feed_url, error=f"feed {feed_url} is empty")
    # content-location sets the base URL feedparser resolves relative links against.
    parsed = feedparser.parse(data, response_headers={"content-location": feed_url})
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception") or "no RSS or Atom root element"
        return FeedDoc(feed_url, error=f"feed {feed_url} is not RSS or Atom: {problem}")
    entries = []
    for entry in parsed.entries:
        # Feedburner rewrites links to its own redirector and keeps the original here.
        link = resolve(feed_url, entry.get("feedburner_origlink") or entry.get("link"))
        if not link:
            continue
        # dict.get, not entry.get: feedparser maps a missing updated_parsed to published_parsed
        # with a DeprecationWarning; we ask for each explicitly.
        updated = iso_utc(dict.get(entry, "updated_parsed")) or iso_utc(
            dict.get(entry, "published_parsed")
        )
        entries.append(FeedEntry(link, updated, entry.get("title")))
    return FeedDoc(feed_url, parsed.feed.get("title"), tuple(entries))


def feed_candidates(doc: FeedDoc, reason: Reason = "feed") -> list[Candidate]:
    """The feed's entries as Candidates; `reason` is "feed", "category_feed" or "tag_feed"."""
    found = (candidate(entry.link, reason, doc.url, entry.updated) for entry in doc.entries)
    return [c for c in found if c is not None]


def feed_urls_from_html(html: str, page_url: str) -> list[str]:
    """The feeds a page announces with `<link rel="alternate" type="application/rss+xml">`:
    on a WordPress post, the site feed and the post's comments feed; on an archive, its feed."""
    tree = LexborHTMLParser(html or "")
    urls: list[str] = []
    for node in tree.css("link[rel][href]"):
        rel = set((node.attributes.get("rel") or "").lower().split())
        kind = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES:
            url = resolve(page_url, node.attributes.get("href"))
            if url and url not in urls:
                urls.append(url)
    return urls


def site_feed_url(site_url: str) -> str:
    """WordPress' main feed, present on every WordPress site unless a plugin removes it."""
    return urljoin(site_url, "/feed/")
