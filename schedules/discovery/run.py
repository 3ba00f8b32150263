"""The state of one discovery pass and what every reader shares: admitting a page to the
frontier, registering a source, a site-wide list's signal, recording a source's fetch.

Small and bounded (the target's own names, counters), never the set of known URLs, which stays
in SQLite. Every write goes through `store.discovery`, each source read in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

import sqlite_utils

from crawler.discover import DiscoveryScope, page_kind, read_article, site_feed_url
from crawler.discover import posts_url as rest_posts_url
from crawler.discover.wpapi import default_api_root
from crawler.fetch import Fetcher
from crawler.guard import parse_risk
from crawler.models import Extracted, Fetched
from crawler.urls import canonicalize, url_key
from schedules import check as road
from schedules.check import PageToCheck
from schedules.config import Config, Target
from schedules.jobs import page_to_check
from store import discovery as frontier
from store.discovery import Source
from store.frontier import SqliteFrontier
from store.schema import transaction
from store.timestamps import iso, parse_iso
from store.versions import CheckOutcome, ensure_page

log = logging.getLogger("marsad.discover")

# Read order within a pass: the article first (it names the other sources), then the site-wide
# change detectors, then the category and tag sources they may have made due.
PRIORITY = {
    "robots": 1,
    "rest_post": 2,
    "site_feed": 3,
    "rest_changes": 4,
    "sitemap": 5,
    "archive": 6,
    "feed": 7,
}
TAXONOMY = ("category", "tag")


@dataclass
class DiscoveryReport:
    """What one pass did, for logs, `marsad check` and the daemon."""

    target: str
    sources_read: int = 0
    sources_unchanged: int = 0
    source_errors: int = 0
    pages_added: int = 0
    pages_due_now: int = 0
    over_budget: int = 0
    sources_not_parsed: int = 0  # HTML the nesting guard refused (crawler.guard.parse_risk)
    sources_over_limit: int = 0  # sources not kept: the target has `max_sources`
    sitemaps_not_read: int = 0  # child sitemaps past `sitemap_children` or `sitemap_depth`
    pass_budget_spent: bool = False  # `reads_per_pass` reached: the rest wait for the next pass
    stopped: bool = False  # the daemon is stopping (or the fetcher was closed)
    rest_api: bool | None = None  # None: not asked this pass
    checks: list[CheckOutcome] = field(default_factory=list)

    def summary(self) -> str:
        rest = {None: "", True: ", REST API used", False: ", REST API unavailable"}[self.rest_api]
        limits = [
            text
            for text, bit in (
                (f"{self.sources_over_limit} source(s) over max_sources", self.sources_over_limit),
                (f"{self.sitemaps_not_read} child sitemap(s) not read", self.sitemaps_not_read),
                ("reads_per_pass reached, the rest next pass", self.pass_budget_spent),
                ("stopped", self.stopped),
            )
            if bit
        ]
        return (
            f"{self.target}: {self.sources_read} source(s) read, {self.sources_unchanged} "
            f"unchanged, {self.source_errors} failed; {self.pages_added} page(s) added, "
            f"{self.pages_due_now} due now by lastmod{rest}"
            + (f"; {', '.join(limits)}" if limits else "")
        )


class Pass:
    """One pass for one target at one moment."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        fetcher: Fetcher,
        config: Config,
        target: Target,
        now: datetime,
        page: PageToCheck | None = None,
    ) -> None:
        self.db, self.fetcher, self.config, self.target = db, fetcher, config, target
        self.target_page = page  # the target's page as `schedules.jobs.prepare` made it
        self.moment, self.now = now, iso(now)
        d = target.discovery
        self.scope = DiscoveryScope.for_seed(
            target.url,
            aliases=target.aliases,
            include=d.include,
            exclude=d.exclude,
            max_depth=d.depth,
            max_pages=d.max_pages,
            enabled=d.enabled,
        )
        self.max_depth = d.depth
        self.report = DiscoveryReport(target.url)
        self.own: dict[str, int] = {}  # the target page under each of its names
        self.known = 0
        self.rest_ok: bool | None = None
        self.taxonomy_triggered = False
        self.reads = 0  # sources and articles read in this pass (`reads_per_pass`)
        self.sources = 0  # the target's sources (`max_sources`), counted at start
        self.page_id = page.page_id if page is not None else 0
        self.target_source: int | None = None  # the target's `article` source, once started

    # ---- setup -------------------------------------------------------------------------------

    def start(self, check_target: bool) -> None:
        db, target = self.db, self.target
        if self.target_page is None:
            self.page_id = ensure_page(
                db, target.url, now=self.now, target=target.url, seed=target.seed
            )
        self.known = frontier.count_discovered(db, target.url)
        self.sources = frontier.count_sources(db, target.url)
        self.learn_own_names()
        site = origin(target.url)
        with transaction(db):
            self.target_source = self.source(target.url, "article", "target", 0,
                                             page_id=self.page_id)  # fmt: skip
            self.source(urljoin(site, "/robots.txt"), "robots", "sitemap", 1)
            self.source(site_feed_url(site), "site_feed", "feed", 1)
            if check_target:
                frontier.due_now(db, self.page_id, self.now)

    def learn_own_names(self) -> None:
        for name in frontier.page_names(self.db, self.page_id):
            try:
                self.own[url_key(name)] = self.page_id
            except ValueError:
                pass

    # ---- articles ----------------------------------------------------------------------------

    def check_target(self, page: PageToCheck) -> road.Checked:
        """`marsad check`'s target, checked first on the one road, before any of the pass's
        bookkeeping (`start`, then `read_target_links`). Without validators when its links
        were never read, or changed since: a 304 has no links to read."""
        self.reads += 1
        fresh = frontier.links_stale(self.db, self.target.url, page.page_id)
        checked = road.check(
            SqliteFrontier(self.db), self.fetcher, page, now=self.moment, unconditional=fresh
        )
        assert checked is not None  # only a `keep` that says no drops a result
        self.report.checks.append(checked.outcome)
        return checked

    def read_target_links(self, checked: road.Checked) -> None:
        """The links of the target `check_target` checked, once `start` registered its source;
        nothing when another process was checking it (nothing was fetched)."""
        if checked.outcome.outcome == "skipped" or self.target_source is None:
            return
        self._read_links(self.target_source, self.page_id, 0, checked)

    def read_article(self, source: Source) -> None:
        """Check the page (the one road, `schedules.check.check`) and read its links from that
        check's fetch and extraction. A page whose links were never read, or changed since, is
        fetched without validators: a 304 has no links to read."""
        assert source.page_id is not None
        self.reads += 1
        depth, versions, _ = frontier.article_standing(self.db, source.page_id)
        page = self.target_page
        if page is None or page.page_id != source.page_id:
            page = page_to_check(self.db, self.config, source.page_id, self.target)
        fresh = source.last_fetched is None or source.read_version < versions
        checked = road.check(
            SqliteFrontier(self.db), self.fetcher, page, now=self.moment, unconditional=fresh
        )
        assert checked is not None  # only a `keep` that says no drops a result
        self.report.checks.append(checked.outcome)
        self._read_links(source.id, source.page_id, depth, checked)

    def _read_links(self, source_id: int, page_id: int, depth: int, checked: road.Checked) -> None:
        outcome, seen = checked.outcome, checked.seen
        fetched = seen.fetched
        if page_id == self.page_id:
            self.learn_own_names()
        next_at = frontier.article_standing(self.db, page_id)[2]
        risk = self.parse_risk(fetched.url, fetched.body) if fetched.ok and fetched.body else None
        # a guarded or failed extraction has no links of its own: the page's are read instead
        extracted = seen.extracted if seen.extracted and not seen.extracted.empty else None
        with transaction(self.db):
            if fetched.ok and fetched.body and not risk:
                self._article_links(fetched, extracted, page_id, depth)
            frontier.mark_read(
                self.db,
                source_id,
                now=self.now,
                outcome="skipped" if risk else "read" if fetched.ok else outcome.outcome,
                next_fetch_at=next_at,
                error=risk,
            )

    def _article_links(
        self, fetched: Fetched, extracted: Extracted | None, page_id: int, depth: int
    ) -> None:
        body, base = fetched.body or "", fetched.final_url
        article = read_article(body, base, extracted=extracted, aliases=self.target.aliases)
        child = depth + 1
        for found in article.links:
            if found.reason in ("linked", "related"):
                self.admit(found.url, found.reason, child, page_id, None)
            elif found.reason in TAXONOMY:
                self.source(found.url, "archive", found.reason, child, discovered_from=page_id)
            elif found.reason in ("category_feed", "tag_feed"):
                reason = found.reason.removesuffix("_feed")
                self.source(found.url, "feed", reason, child, discovered_from=page_id)
        if page_id == self.page_id and self.target.discovery.rest_api:
            root = article.api_root or default_api_root(base)
            if article.post_id is not None:
                self.source(rest_posts_url(root, include=[article.post_id]), "rest_post",
                            "rest_api", 1, discovered_from=page_id)  # fmt: skip
            self.source(rest_posts_url(root, modified_after="since"), "rest_changes", "rest_api",
                        1, discovered_from=page_id)  # fmt: skip

    def parse_risk(self, url: str, body: str | None) -> str | None:
        """Why an HTML answer is not parsed for discovery (a nesting that would take the parser
        minutes, `crawler.guard`), logged in one line; None when it is safe to parse."""
        risk = parse_risk(body or "")
        if risk is None:
            return None
        self.report.sources_not_parsed += 1
        log.warning("discovery source %s not parsed: %s", url, risk)
        return f"not parsed: {risk}"

    # ---- sources -----------------------------------------------------------------------------

    def fetch(self, source: Source, **kwargs: object) -> Fetched:
        return self.fetcher.fetch(source.url, source.validators or None, **kwargs)  # type: ignore[arg-type]

    def done(self, source: Source, fetched: Fetched, *, every: float, **kwargs: object) -> str:
        """Record the source's fetch; returns its outcome: read, not_modified, error or skipped."""
        outcome = "read" if fetched.ok else fetched.outcome
        if outcome == "read":
            self.report.sources_read += 1
        elif outcome == "not_modified":
            self.report.sources_unchanged += 1
        else:
            self.report.source_errors += 1
            log.info("discovery source %s: %s", source.url, fetched.error)
        frontier.record_source_fetch(
            self.db, source, fetched, now=self.now, next_fetch_at=self.after(every),
            outcome=outcome, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip
        return outcome

    def postpone(self, source: Source, seconds: float, skipped: str | None = None) -> None:
        with transaction(self.db):
            frontier.postpone_source(
                self.db, source.id, next_fetch_at=self.after(seconds), skipped=skipped
            )

    def source(
        self,
        url: str,
        kind: str,
        reason: str,
        depth: int,
        *,
        page_id: int | None = None,
        discovered_from: int | None = None,
    ) -> int | None:
        """Register a source, if the scope lets us read it at all (never off-site or excluded)
        and the target has fewer than `max_sources`; its id, or None."""
        # robots.txt and the REST API are not pages: the scope's page rules (file extensions,
        # /wp-json/) are not for them, but its site is. A REST root comes from the page's own
        # `<link rel="https://api.w.org/">`, which may name any host or port.
        if kind in ("robots", "rest_post", "rest_changes"):
            allowed, why = self.scope.on_site(url)
            if not allowed:
                log.info("discovery source %s not read: %s", url, why)
                return None
        elif kind != "article":
            allowed, _why = self.scope.allows(url, depth=depth)
            if not allowed:
                return None
        try:
            key = url_key(url)
        except ValueError:
            return None
        limit = self.target.discovery.max_sources
        if self.sources >= limit and not frontier.has_source(self.db, self.target.url, key):
            if not self.report.sources_over_limit:
                log.warning("discovery %s: %d sources, its max_sources; %s and any further ones"
                            " are not kept", self.target.url, limit, url)  # fmt: skip
            self.report.sources_over_limit += 1
            return None
        source_id, added = frontier.add_source(
            self.db, target=self.target.url, url=url, key=key, kind=kind, reason=reason,
            depth=depth, priority=PRIORITY.get(kind, 0), now=self.now, page_id=page_id,
            discovered_from=discovered_from if discovered_from is not None else self.page_id,
        )  # fmt: skip
        if added:
            self.sources += 1
        return source_id

    # ---- the frontier ------------------------------------------------------------------------

    def signal(
        self, url: str, lastmod: str | None, reason: str, source: Source, *, related: bool = False
    ) -> None:
        """A site-wide source lists `url`: check a known page now if it changed since our last
        check; admit an unknown one when it is related (or the target is sitewide); otherwise a
        new post makes the category and tag sources due now, as they will tell."""
        try:
            key = url_key(url)
        except ValueError:
            return
        known_id = self.own.get(key)
        known = frontier.find_page(self.db, key) if known_id is None else None
        page_id = known_id if known_id is not None else known.id if known else None
        changed_at = stored_time(lastmod)
        if page_id is not None:
            if changed_at and frontier.check_now(
                self.db, page_id, changed_at=changed_at, now=self.now
            ):
                self.report.pages_due_now += 1
            return
        if related or self.target.discovery.sitewide:
            self.admit(url, reason, 1, self.page_id, source.id)
        elif changed_at and not self.taxonomy_triggered:
            moved = frontier.make_due(
                self.db, self.target.url, TAXONOMY, changed_at=changed_at, now=self.now
            )
            self.taxonomy_triggered = moved > 0

    def admit(
        self,
        url: str,
        reason: str,
        depth: int,
        discovered_from: int | None,
        via: int | None,
        *,
        lastmod: str | None = None,
    ) -> None:
        """Put an article in the frontier if the scope and budget allow; a known one whose
        `lastmod` is past our last check is checked now."""
        try:
            canonical = canonicalize(url)
            key = url_key(canonical)
        except ValueError:
            return
        if key in self.own:
            return
        allowed, _why = self.scope.allows(canonical, depth=depth)
        if not allowed or page_kind(canonical) != "article":
            return
        known = frontier.find_page(self.db, key)
        if known is not None:
            changed_at = stored_time(lastmod)
            if changed_at and frontier.check_now(
                self.db, known.id, changed_at=changed_at, now=self.now
            ):
                self.report.pages_due_now += 1
            return
        if not self.scope.has_room(self.known):
            self.report.over_budget += 1
            return
        page_id = frontier.enqueue_page(
            self.db, url=canonical, key=key, target=self.target.url, reason=reason, depth=depth,
            discovered_from=discovered_from, via=via, now=self.now,
        )  # fmt: skip
        if page_id is None:
            return
        self.known += 1
        self.report.pages_added += 1
        if depth < self.max_depth:
            self.source(canonical, "article", reason, depth, page_id=page_id,
                        discovered_from=discovered_from)  # fmt: skip

    def after(self, seconds: float) -> str:
        return iso(self.moment + timedelta(seconds=max(1.0, seconds)))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def stored_time(lastmod: str | None) -> str | None:
    """A source's timestamp in the stored form (ms, `Z`), so SQLite compares it as text."""
    if not lastmod:
        return None
    try:
        return iso(parse_iso(lastmod))
    except ValueError:
        return None
