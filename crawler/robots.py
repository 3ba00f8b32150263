"""robots.txt by RFC 9309, parsed with protego and cached per origin.

What each answer means (RFC 9309 §2.3.1):
- 2xx: the rules apply, kept for `ttl` (24 h, the RFC's SHOULD NOT exceed, §2.4);
- 4xx (any, including 401/403): "unavailable", everything is allowed;
- 5xx, 429 and network errors: "unreachable", everything is disallowed for now and robots.txt is
  asked again after `retry` seconds. When it stays unreachable for `outage` seconds (30 days, the
  RFC's figure) we fall back to the last good copy, or, with none, to no restrictions (both are
  what §2.3.1.4 permits). We chose the RFC's 30 days so a site that is merely down never sees us.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from protego import Protego

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 §2.5: parse at least 500 KiB; the rest may be ignored


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching robots.txt gave: a status and body, or `status=None` and an error."""

    status: int | None
    body: str = ""
    error: str | None = None


@dataclass(frozen=True)
class RobotsVerdict:
    allowed: bool
    error_class: str | None = None  # "RobotsDisallowed" or "RobotsUnavailable" when not allowed
    reason: str | None = None
    crawl_delay: float | None = None


@dataclass(frozen=True)
class RobotsDocument:
    """The robots.txt the cache holds for an origin, for readers of its `Sitemap:` lines
    (discovery), so they need not request it a second time."""

    status: int | None  # of the answer the cache holds; None when it could not be fetched
    body: str = ""  # the text of a 2xx answer
    error: str | None = None  # why it cannot be read now ("answered 503", "could not be fetched…")


@dataclass
class _Entry:
    rules: Protego | None  # None: no restrictions
    expires_at: float
    unreachable: str | None = None  # why robots.txt could not be read, while it cannot
    unreachable_since: float | None = None
    last_good: Protego | None = None
    status: int | None = None
    body: str = ""


class RobotsCache:
    """The robots.txt of every origin we fetch from, shared by all threads of a `Fetcher`."""

    def __init__(
        self,
        agent: str,
        clock: Callable[[], float],
        ttl: float = 24 * 3600,
        retry: float = 600,
        outage: float = 30 * 24 * 3600,
    ) -> None:
        self.agent, self.clock = agent, clock
        self.ttl, self.retry, self.outage = ttl, retry, outage
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def verdict(self, origin: str, url: str, fetch: Callable[[], RobotsAnswer]) -> RobotsVerdict:
        """May `url` be fetched? Reads robots.txt through `fetch` when the cached copy expired."""
        return self._judge(origin, url, self._fresh(origin, fetch))

    def document(self, origin: str, fetch: Callable[[], RobotsAnswer]) -> RobotsDocument:
        """The origin's robots.txt as the cache holds it, read through `fetch` only when the
        cached copy expired: the rules and discovery's `Sitemap:` lines come from one request."""
        entry = self._fresh(origin, fetch)
        return RobotsDocument(entry.status, entry.body, entry.unreachable)

    def _fresh(self, origin: str, fetch: Callable[[], RobotsAnswer]) -> _Entry:
        """The origin's entry, fetched again when expired; one thread per origin does so while
        the others wait for its answer."""
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            entry = self._entries.get(origin)
            if entry is None or entry.expires_at <= self.clock():
                entry = self._store(origin, entry, fetch())
            return entry

    def _store(self, origin: str, old: _Entry | None, answer: RobotsAnswer) -> _Entry:
        now = self.clock()
        last_good = old.last_good if old else None
        status = answer.status
        if status is not None and 200 <= status < 300:
            rules = Protego.parse(answer.body)
            entry = _Entry(rules, now + self.ttl, last_good=rules, status=status, body=answer.body)
        elif status is not None and 300 <= status < 500 and status != 429:
            entry = _Entry(None, now + self.ttl, last_good=last_good, status=status)
        else:
            why = f"answered {status}" if status is not None else (answer.error or "failed")
            since = old.unreachable_since if old and old.unreachable_since else now
            entry = _Entry(None, now + self.retry, why, since, last_good, status=status)
        self._entries[origin] = entry
        return entry

    def _judge(self, origin: str, url: str, entry: _Entry) -> RobotsVerdict:
        rules = entry.rules
        if entry.unreachable is not None:
            since = entry.unreachable_since or self.clock()
            if self.clock() - since < self.outage:
                return RobotsVerdict(
                    False,
                    "RobotsUnavailable",
                    f"robots.txt of {origin} {entry.unreachable}; not fetching until it can be "
                    "read (RFC 9309), will ask again later",
                )
            rules = entry.last_good  # a long outage: last good copy, or no restrictions
        if rules is None:
            return RobotsVerdict(True)
        delay = rules.crawl_delay(self.agent)
        if not rules.can_fetch(url, self.agent):
            return RobotsVerdict(
                False,
                "RobotsDisallowed",
                f"robots.txt of {origin} disallows {url} for {self.agent}",
                delay,
            )
        return RobotsVerdict(True, crawl_delay=delay)
