"""robots.txt by RFC 9309, parsed with protego and cached per origin.

What each answer means (RFC 9309 §2.3.1):
- 2xx: the rules apply, kept for `ttl` (24 h, the RFC's SHOULD NOT exceed, §2.4);
- 4xx (any, including 401/403): "unavailable", everything is allowed;
- 5xx, 429 and network errors: "unreachable", everything is disallowed for now and robots.txt is
  asked again after `retry` seconds. When it stays unreachable for `outage` seconds (30 days, the
  RFC's figure) we fall back to the last good copy, or, with none, to no restrictions (both are
  what §2.3.1.4 permits). We chose the RFC's 30 days so a site that is merely down never sees us.

protego decides every verdict; `Rules` only spares it work it would repeat (see there).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from protego import Protego

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 §2.5: parse at least 500 KiB; the rest may be ignored
REMEMBERED_PREFIXES = 4096  # verdicts kept per robots.txt (see `Rules`); then it starts afresh


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


# Characters every robots.txt matcher leaves as they are, in rules and in URLs alike (RFC 3986's
# unreserved ones, and "/"); percent-encoding normalisation never turns them into anything else.
_STABLE = re.compile(r"[A-Za-z0-9_.~/-]*")
# The escape of a byte >= 0x80, part of a non-ASCII character: normalised, it stays an escape.
_HIGH_ESCAPE = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")
# Directives that never give an Allow or Disallow rule, by the word a line starts with.
_NOT_RULES = frozenset(
    {
        "user-agent",
        "useragent",
        "user",
        "sitemap",
        "sitemaps",
        "site-map",
        "crawl-delay",
        "crawl",
        "request-rate",
        "request",
        "visit-time",
        "visit",
        "host",
    }
)
_FIELD = re.compile(r"[^:\s]*")


class Rules:
    """A robots.txt's rules as protego parsed them, asked about fewer and shorter URLs.

    protego normalises the percent-encoding of every URL it is asked about: for a long Arabic
    permalink that took about 0.06 ms, a tenth of a fetch's CPU (issue 17). In a *plain*
    robots.txt, one whose every Allow/Disallow value is a path of unreserved characters and "/"
    without wildcards (`/wp-admin/`, `/search`, `/`: most sites'), a rule matches a URL exactly
    when it is a prefix of the URL's path. When the path's leading run of such characters ends
    at a non-ASCII character or its %-escape (`/2024/11/12/%D8%A7...`), nothing after the run
    can match a rule: normalised, it still starts with "%", which a plain rule cannot hold at
    that place. So the verdict depends on the run alone: protego is asked about the run and one
    Arabic letter (a short URL, quick to normalise), and the answer is remembered for the run.
    Anything else (wildcards, escapes or odd characters in rules, other paths) is asked of
    protego as it is. `tests/test_robots_verdicts.py` holds the verdicts equal to protego's."""

    def __init__(self, body: str, agent: str) -> None:
        self.parser = Protego.parse(body)
        self.agent = agent
        self.plain = plain_rules(body)
        self._by_prefix: dict[str, bool] = {}

    def allows(self, url: str) -> bool:
        parts = url.split("/", 3)
        path = "/" + parts[3] if len(parts) == 4 else "/"
        prefix = deciding_prefix(path) if self.plain else None
        if prefix is None:
            return bool(self.parser.can_fetch(url, self.agent))
        verdict = self._by_prefix.get(prefix)
        if verdict is None:
            stand_in = "/".join(parts[:3]) + prefix + _ARABIC_LETTER
            verdict = bool(self.parser.can_fetch(stand_in, self.agent))
            if len(self._by_prefix) >= REMEMBERED_PREFIXES:
                self._by_prefix.clear()
            self._by_prefix[prefix] = verdict
        return verdict

    def crawl_delay(self) -> float | None:
        delay = self.parser.crawl_delay(self.agent)
        return None if delay is None else float(delay)


_ARABIC_LETTER = "%D8%A7"  # alef: what follows the run in the URLs `Rules` is asked about


def deciding_prefix(path: str) -> str | None:
    """The run of unreserved characters and "/" that starts `path`, when a non-ASCII character
    (or the escape of one of its bytes) ends it: in a plain robots.txt it alone decides the
    verdict (see `Rules`). None for every other path."""
    if path.startswith("//"):  # some parsers read what follows as a host
        return None
    end = _STABLE.match(path).end()  # type: ignore[union-attr]  # matches the empty string
    if end < len(path) and (not path[end].isascii() or _HIGH_ESCAPE.match(path, end)):
        return path[:end]
    return None


def plain_rules(body: str) -> bool:
    """Whether every Allow/Disallow rule protego could read in `body` is a plain path (see
    `Rules`). It errs on the side of no: any line that does not start with a directive known
    to give no rule is read as a possible rule, with its value starting after the colon or at
    any word after the first, as lenient parsers read values. A value not starting with "/",
    "*" and without ":" cannot match a path (which starts with "/") whatever it is."""
    for raw in body.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or _FIELD.match(line).group().lower() in _NOT_RULES:  # type: ignore[union-attr]
            continue
        if ":" in line and not _harmless(line.split(":", 1)[1].strip(), alone=True):
            return False
        words = line.split()
        colon_after = False
        for n in range(len(words) - 1, 0, -1):  # the value starting at words[n]
            colon_after = colon_after or ":" in words[n]
            if colon_after or not _harmless(words[n], alone=n == len(words) - 1):
                return False
    return True


def _harmless(value: str, *, alone: bool) -> bool:
    """A rule value that is a plain path, or cannot match any path. `alone`: `value` is all of
    it (otherwise more words follow, so it holds a space)."""
    if not value:
        return True  # an empty Disallow is no rule
    if value[0] == "/":
        return alone and not value.startswith("//") and _STABLE.fullmatch(value) is not None
    return value[0] != "*" and ":" not in value


@dataclass
class _Entry:
    rules: Rules | None  # None: no restrictions
    expires_at: float
    unreachable: str | None = None  # why robots.txt could not be read, while it cannot
    unreachable_since: float | None = None
    last_good: Rules | None = None
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
            rules = Rules(answer.body, self.agent)
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
        delay = rules.crawl_delay()
        if not rules.allows(url):
            return RobotsVerdict(
                False,
                "RobotsDisallowed",
                f"robots.txt of {origin} disallows {url} for {self.agent}",
                delay,
            )
        return RobotsVerdict(True, crawl_delay=delay)
