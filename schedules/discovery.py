"""One discovery pass for one target: read its article and the site's sources, and put the
related pages it finds in the frontier (`pages` rows with a reason, a depth and a target).

I/O at the edge: every request goes through the shared `Fetcher` (politeness, robots.txt,
scope), every parse through the pure `crawler.discover` parsers, every write through
`store.discovery`. The frontier is the database, so a pass that dies midway resumes where it
stopped: what was read is not due again, what was not read still is.

Sources and what they are for:
- the article's HTML (a check of the page itself): content links ("linked"), the related-posts
  block ("related"), its category and tag archives and their feeds;
- category and tag archives (first page) and feeds: the posts of the article's categories and
  tags ("category", "tag");
- the site feed, the sitemaps (robots.txt `Sitemap:` lines, else /wp-sitemap.xml and
  /sitemap_index.xml) and the REST API: they list the whole site, so at the default scope they
  only tell which known pages changed (`lastmod`, `modified_gmt`: checked now) and that a new post
  appeared (the category and tag sources are then read at once). REST also gives each post's
  categories, so a new post of the target's categories is admitted from it directly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urljoin, urlsplit

import sqlite_utils
from selectolax.lexbor import LexborHTMLParser

from crawler.discover import (
    DiscoveryScope,
    SitemapEntry,
    api_root_from_html,
    archive_posts,
    article_links,
    default_api_root,
    default_sitemap_urls,
    page_kind,
    parse_feed,
    parse_posts,
    parse_sitemap,
    posts_url,
    site_feed_url,
    sitemaps_from_robots,
)
from crawler.fetch import Fetcher
from crawler.guard import parse_risk
from crawler.models import Fetched
from crawler.urls import canonicalize, url_key
from schedules import check as road
from schedules.check import PageToCheck, busy_outcome
from schedules.config import Config, Target
from schedules.jobs import check_page, page_to_check
from store import discovery as frontier
from store.discovery import Source
from store.frontier import SqliteFrontier, is_claimed
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
# Child sitemaps that list archives or authors, never posts (WordPress core, Yoast, Rank Math).
_NOT_POSTS = re.compile(r"taxonom|users|author|categor|post_tag|tag-sitemap", re.IGNORECASE)
_XML_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding=[\"'][^\"']*[\"']")
REST_PAGES_PER_PASS = 10  # 1,000 changed posts per pass at most; the rest wait for the next one
REST_OVERLAP = timedelta(hours=1)  # ask a little before the last read: server clocks drift


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


def discover(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    config: Config,
    target: Target,
    *,
    now: datetime | None = None,
    check_target: bool = False,
    stop: Callable[[], bool] | None = None,
    page: PageToCheck | None = None,
) -> DiscoveryReport:
    """One discovery pass for `target` at `now`: reads what is due and enqueues what it finds.

    The target article is read (and so checked) when due, or always with `check_target`.
    Discovered pages are left in `pages`, due at once, for the daemon or `check_discovered`.
    A pass reads at most `reads_per_pass` sources and articles, so the next target's pass is
    not kept waiting; it stops at once when `stop()` says so or the fetcher is closed.
    `page` is the target's page as `schedules.jobs.prepare` made it, if the caller has it.
    """
    moment = now or datetime.now(UTC)
    run = _Pass(db, fetcher, config, target, moment, page)
    if not target.discovery.enabled:
        return run.report
    run.start(check_target)
    if check_target and is_claimed(db, run.page_id, moment):  # the daemon is checking it now
        run.report.checks.append(busy_outcome(run.page_id, target.url))
    budget = target.discovery.reads_per_pass

    def may_read() -> bool:
        if (stop is not None and stop()) or fetcher.closed:
            run.report.stopped = True
        elif run.reads >= budget:
            run.report.pass_budget_spent = True
        return not (run.report.stopped or run.report.pass_budget_spent)

    while True:  # articles name sources, sources name articles (when depth allows): until quiet
        progressed = False
        while may_read() and (
            article := frontier.next_article_to_read(db, target.url, run.max_depth, run.now)
        ):
            run.read_article(article)
            progressed = True
        while may_read() and (source := frontier.next_due_source(db, target.url, run.now)):
            run.read_source(source)
            progressed = True
        if not progressed or not may_read():
            break
    if run.report.pass_budget_spent:
        log.info("discovery %s: read %d, its reads_per_pass; what is still due waits for the"
                 " next pass", target.url, run.reads)  # fmt: skip
    log.info("discovery %s", run.report.summary())
    return run.report


def check_discovered(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    config: Config,
    target: Target,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    on_check: Callable[[CheckOutcome], None] | None = None,
) -> list[CheckOutcome]:
    """Check the target's discovered pages that are due, earliest first, one row at a time."""
    moment = now or datetime.now(UTC)
    stamp = iso(moment)
    outcomes: list[CheckOutcome] = []
    budget = target.discovery.max_pages if limit is None else limit
    while len(outcomes) < budget and not fetcher.closed:
        page_id = frontier.due_discovered(db, target.url, stamp)
        if page_id is None:
            break
        page = page_to_check(db, config, page_id, target)
        outcomes.append(check_page(db, fetcher, page, now=moment))
        if on_check:
            on_check(outcomes[-1])
    return outcomes


def check_with_discovery(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    config: Config,
    target: Target,
    *,
    now: datetime | None = None,
    on_check: Callable[[CheckOutcome], None] | None = None,
    page: PageToCheck | None = None,
) -> tuple[list[CheckOutcome], DiscoveryReport]:
    """`marsad check` for one target: the target (always), its discovery, then the discovered
    pages that are due, within `max_pages`."""
    moment = now or datetime.now(UTC)
    report = discover(db, fetcher, config, target, now=moment, check_target=True, page=page)
    outcomes = list(report.checks)
    for outcome in outcomes:
        if on_check:
            on_check(outcome)
    outcomes += check_discovered(db, fetcher, config, target, now=moment, on_check=on_check)
    return outcomes, report


def check_pass(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    config: Config,
    pages: Iterable[PageToCheck],
    *,
    now: datetime | None = None,
    on_target: Callable[[list[CheckOutcome]], None] | None = None,
    on_check: Callable[[CheckOutcome], None] | None = None,
) -> list[CheckOutcome]:
    """One pass over the configured targets, each with its discovery when it is on.
    `on_check` hears of every check as it is recorded (for a progress line)."""
    outcomes: list[CheckOutcome] = []
    for page in pages:
        if page.target.discovery.enabled:
            done, _report = check_with_discovery(
                db, fetcher, config, page.target, now=now, on_check=on_check, page=page
            )
        else:
            done = [check_page(db, fetcher, page, now=now)]
            if on_check:
                on_check(done[0])
        outcomes += done
        if on_target:
            on_target(done)
    return outcomes


class _Pass:
    """The state of one pass: small and bounded (the target's own names, counters), never the
    set of known URLs, which stays in SQLite."""

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
        self.target_page = page
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

    # ---- setup -------------------------------------------------------------------------------

    def start(self, check_target: bool) -> None:
        db, target = self.db, self.target
        self.page_id = ensure_page(
            db, target.url, now=self.now, target=target.url, seed=target.seed
        )
        self.known = frontier.count_discovered(db, target.url)
        self.sources = frontier.count_sources(db, target.url)
        self._learn_own_names()
        site = _origin(target.url)
        with transaction(db):
            self._source(target.url, "article", "target", 0, page_id=self.page_id)
            self._source(urljoin(site, "/robots.txt"), "robots", "sitemap", 1)
            self._source(site_feed_url(site), "site_feed", "feed", 1)
            if check_target:
                db.execute(
                    "UPDATE pages SET next_check_at = ? WHERE id = ?", [self.now, self.page_id]
                )

    def _learn_own_names(self) -> None:
        row = self.db.execute(
            "SELECT url, final_url, canonical_url, shortlink FROM pages WHERE id = ?",
            [self.page_id],
        ).fetchone()
        for name in row:
            if name:
                try:
                    self.own[url_key(name)] = self.page_id
                except ValueError:
                    pass

    # ---- articles ----------------------------------------------------------------------------

    def read_article(self, source: Source) -> None:
        """Check the page and read its links from the same fetch. A page whose links were never
        read, or changed since, is fetched without validators: a 304 has no links to read."""
        assert source.page_id is not None
        self.reads += 1
        depth = self.db.execute(
            "SELECT depth FROM pages WHERE id = ?", [source.page_id]
        ).fetchone()[0]
        page = self.target_page
        if page is None or page.page_id != source.page_id:
            page = page_to_check(self.db, self.config, source.page_id, self.target)
        versions = self.db.execute(
            "SELECT versions FROM pages WHERE id = ?", [source.page_id]
        ).fetchone()[0]
        fresh = source.last_fetched is None or source.read_version < versions
        checked = road.check(
            SqliteFrontier(self.db), self.fetcher, page, now=self.moment, unconditional=fresh
        )
        assert checked is not None  # only a `keep` that says no drops a result
        outcome, fetched = checked.outcome, checked.seen.fetched
        self.report.checks.append(outcome)
        if source.page_id == self.page_id:
            self._learn_own_names()
        next_at = self.db.execute(
            "SELECT next_check_at FROM pages WHERE id = ?", [source.page_id]
        ).fetchone()[0]
        risk = self._parse_risk(source, fetched.body) if fetched.ok and fetched.body else None
        with transaction(self.db):
            if fetched.ok and fetched.body and not risk:
                self._article_links(fetched, source.page_id, depth)
            frontier.mark_read(
                self.db,
                source.id,
                now=self.now,
                outcome="skipped" if risk else "read" if fetched.ok else outcome.outcome,
                next_fetch_at=next_at,
                error=risk,
            )

    def _parse_risk(self, source: Source, body: str | None) -> str | None:
        """Why an HTML answer is not parsed for discovery (a nesting that would take the parser
        minutes, `crawler.guard`), logged in one line; None when it is safe to parse."""
        risk = parse_risk(body or "")
        if risk is None:
            return None
        self.report.sources_not_parsed += 1
        log.warning("discovery source %s not parsed: %s", source.url, risk)
        return f"not parsed: {risk}"

    def _article_links(self, fetched: Fetched, page_id: int, depth: int) -> None:
        body, base = fetched.body or "", fetched.final_url
        child = depth + 1
        for found in article_links(body, base, aliases=self.target.aliases):
            if found.reason in ("linked", "related"):
                self._admit(found.url, found.reason, child, page_id, None)
            elif found.reason in TAXONOMY:
                self._source(found.url, "archive", found.reason, child, discovered_from=page_id)
            elif found.reason in ("category_feed", "tag_feed"):
                reason = found.reason.removesuffix("_feed")
                self._source(found.url, "feed", reason, child, discovered_from=page_id)
        if page_id == self.page_id and self.target.discovery.rest_api:
            root = api_root_from_html(body, base) or default_api_root(base)
            post_id = _post_id(body, base)
            if post_id is not None:
                self._source(posts_url(root, include=[post_id]), "rest_post", "rest_api", 1,
                             discovered_from=page_id)  # fmt: skip
            self._source(posts_url(root, modified_after="since"), "rest_changes", "rest_api", 1,
                         discovered_from=page_id)  # fmt: skip

    # ---- other sources -----------------------------------------------------------------------

    def read_source(self, source: Source) -> None:
        self.reads += 1
        reader = getattr(self, f"_read_{source.kind}", None)
        if reader is None:  # a kind from a newer marsad: leave it for that version
            with transaction(self.db):
                self.db.execute(
                    "UPDATE discovery_sources SET next_fetch_at = ? WHERE id = ?",
                    [self._after(self.target.max_interval), source.id],
                )
            return
        reader(source)

    def _fetch(self, source: Source, url: str | None = None, **kwargs: object) -> Fetched:
        return self.fetcher.fetch(url or source.url, source.validators or None, **kwargs)  # type: ignore[arg-type]

    def _done(self, source: Source, fetched: Fetched, *, every: float, **kwargs: object) -> str:
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
            self.db, source, fetched, now=self.now, next_fetch_at=self._after(every),
            outcome=outcome, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip
        return outcome

    def _read_robots(self, source: Source) -> None:
        """The `Sitemap:` lines of the robots.txt the fetcher already obeys (its cache holds
        it): one request serves both, so no fetch row of its own; the source keeps the state."""
        doc = self.fetcher.robots_document(source.url)
        readable = doc.status is not None and doc.status < 500 and doc.status != 429
        outcome = "read" if readable else "error"
        if readable:
            self.report.sources_read += 1
        else:
            self.report.source_errors += 1
            log.info("discovery source %s: %s", source.url, doc.error)
        with transaction(self.db):
            frontier.record_source_state(
                self.db, source, now=self.now, next_fetch_at=self._after(self.target.every),
                outcome=outcome, status=doc.status, error=None if readable else doc.error,
            )  # fmt: skip
            if not readable:
                return
            sitemaps = sitemaps_from_robots(doc.body, source.url) if doc.body else []
            for url in sitemaps or default_sitemap_urls(_origin(self.target.url))[:2]:
                self._source(url, "sitemap", "sitemap", 1)

    def _read_sitemap(self, source: Source) -> None:
        fetched = self._fetch(source, accept=("application/gzip", "application/x-gzip"))
        with transaction(self.db):
            if self._done(source, fetched, every=self.target.min_interval) != "read":
                return
            doc = parse_sitemap(_xml_bytes(fetched.body or ""))
            if doc.error:
                log.info("sitemap %s: %s", source.url, doc.error)
            level = int(source.detail.get("level", 1))  # 1: named by robots.txt or the default
            for child in self._child_sitemaps(source, doc.children, level):
                child_id = self._source(child.loc, "sitemap", "sitemap", source.depth)
                if child_id is not None:
                    frontier.set_detail_if_unset(self.db, child_id, {"level": level + 1})
            for entry in doc.urls:
                self._signal(entry.loc, entry.lastmod, "sitemap", source)

    def _child_sitemaps(
        self, source: Source, children: Iterable[SitemapEntry], level: int
    ) -> list[SitemapEntry]:
        """The child sitemaps of an index worth reading, within `sitemap_depth` and
        `sitemap_children`; what is left out is counted and logged in one line."""
        d = self.target.discovery
        wanted = [c for c in children if not _NOT_POSTS.search(urlsplit(c.loc).path)]
        if wanted and level >= d.sitemap_depth:
            self.report.sitemaps_not_read += len(wanted)
            log.warning("sitemap %s: an index %d deep; its %d child sitemap(s) are not read"
                        " (sitemap_depth = %d)", source.url, level, len(wanted), d.sitemap_depth)  # fmt: skip
            return []
        if len(wanted) > d.sitemap_children:
            self.report.sitemaps_not_read += len(wanted) - d.sitemap_children
            log.warning("sitemap %s lists %d child sitemaps; the first %d are read"
                        " (sitemap_children)", source.url, len(wanted), d.sitemap_children)  # fmt: skip
            wanted = wanted[: d.sitemap_children]
        return wanted

    def _read_site_feed(self, source: Source) -> None:
        fetched = self._fetch(source)
        with transaction(self.db):
            if self._done(source, fetched, every=self.target.min_interval) != "read":
                return
            for entry in parse_feed(fetched.body or "", fetched.final_url).entries:
                self._signal(entry.link, entry.updated, "feed", source)

    def _read_feed(self, source: Source) -> None:
        """A category or tag feed: its posts belong to the article's terms."""
        fetched = self._fetch(source)
        with transaction(self.db):
            if self._done(source, fetched, every=self.target.every) != "read":
                return
            for entry in parse_feed(fetched.body or "", fetched.final_url).entries:
                self._admit(entry.link, source.reason, source.depth, source.discovered_from,
                            source.id, lastmod=entry.updated)  # fmt: skip

    def _read_archive(self, source: Source) -> None:
        fetched = self._fetch(source)
        with transaction(self.db):
            if self._done(source, fetched, every=self.target.every) != "read":
                return
            risk = self._parse_risk(source, fetched.body)
            if risk:
                frontier.mark_not_parsed(self.db, source.id, risk)
                return
            if page_kind(fetched.final_url, fetched.body) != "archive":
                return  # a theme or a redirect answered something else; nothing to list
            reason = source.reason if source.reason in TAXONOMY else "category"
            for found in archive_posts(fetched.body or "", fetched.final_url, reason,  # type: ignore[arg-type]
                                       aliases=self.target.aliases):  # fmt: skip
                self._admit(found.url, source.reason, source.depth, source.discovered_from,
                            source.id)  # fmt: skip

    def _read_rest_post(self, source: Source) -> None:
        """The target post through the API: its category and tag ids, for `_read_rest_changes`."""
        fetched = self._fetch(source, accept=("application/json",))
        answer = parse_posts(fetched.body or "", fetched.content_type) if fetched.ok else None
        self.rest_ok = bool(answer and answer.available and answer.posts)
        self.report.rest_api = self.rest_ok
        with transaction(self.db):
            if answer is not None and not self.rest_ok:
                error = answer.error or "the API listed no such post"
                self._done(source, replace(fetched, outcome="error", error=error),
                           every=self.target.every)  # fmt: skip
                return
            detail = None
            if answer is not None:
                post = answer.posts[0]
                detail = {"categories": list(post.categories), "tags": list(post.tags)}
            self._done(source, fetched, every=self.target.every, detail=detail)

    def _read_rest_changes(self, source: Source) -> None:
        """Posts modified since the last read, site-wide, newest first: known pages whose
        `modified_gmt` is past our last check are checked now; new posts of the target's
        categories or tags are admitted."""
        if self.rest_ok is False or not self.target.discovery.rest_api:
            return self._skip(source, "REST API unavailable this pass")
        terms = frontier.source_detail(self.db, self.target.url, "rest_post")
        since = source.detail.get("since")
        start = (
            parse_iso(since) - REST_OVERLAP
            if since
            else self.moment - timedelta(seconds=self.target.every)
        )
        root = source.url.split("wp/v2/posts")[0]
        modified_after = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        for number in range(1, REST_PAGES_PER_PASS + 1):
            url = posts_url(root, modified_after=modified_after, page=number)
            fetched = self.fetcher.fetch(url, accept=("application/json",))
            answer = parse_posts(fetched.body or "", fetched.content_type) if fetched.ok else None
            with transaction(self.db):
                if answer is None or not answer.available:
                    self.rest_ok = False
                    self.report.rest_api = False
                    error = answer.error if answer is not None else fetched.error
                    self._done(source, replace(fetched, outcome="error", error=error),
                               every=self.target.min_interval)  # fmt: skip
                    return
                self.rest_ok = self.report.rest_api = True
                for post in answer.posts:
                    related = set(post.categories) & set(terms.get("categories", ())) or set(
                        post.tags
                    ) & set(terms.get("tags", ()))
                    self._signal(post.link, post.modified_gmt, "rest_api", source,
                                 related=bool(related))  # fmt: skip
                last = len(answer.posts) < 100 or number == REST_PAGES_PER_PASS
                detail = {"since": self.now} if last else dict(source.detail)
                self._done(source, fetched, every=self.target.min_interval, detail=detail)
            if last:
                return

    def _skip(self, source: Source, why: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "UPDATE discovery_sources SET next_fetch_at = ?, last_outcome = 'skipped',"
                " last_error = ? WHERE id = ?",
                [self._after(self.target.min_interval), why, source.id],
            )

    # ---- the frontier ------------------------------------------------------------------------

    def _signal(
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
        changed_at = _stored(lastmod)
        if page_id is not None:
            if changed_at and frontier.check_now(
                self.db, page_id, changed_at=changed_at, now=self.now
            ):
                self.report.pages_due_now += 1
            return
        if related or self.target.discovery.sitewide:
            self._admit(url, reason, 1, self.page_id, source.id)
        elif changed_at and not self.taxonomy_triggered:
            moved = frontier.make_due(
                self.db, self.target.url, TAXONOMY, changed_at=changed_at, now=self.now
            )
            self.taxonomy_triggered = moved > 0

    def _admit(
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
            changed_at = _stored(lastmod)
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
            self._source(canonical, "article", reason, depth, page_id=page_id,
                         discovered_from=discovered_from)  # fmt: skip

    def _source(
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
        before = self.db.conn.total_changes
        source_id = frontier.add_source(
            self.db, target=self.target.url, url=url, key=key, kind=kind, reason=reason,
            depth=depth, priority=PRIORITY.get(kind, 0), now=self.now, page_id=page_id,
            discovered_from=discovered_from if discovered_from is not None else self.page_id,
        )  # fmt: skip
        if self.db.conn.total_changes > before:
            self.sources += 1
        return source_id

    def _after(self, seconds: float) -> str:
        return iso(self.moment + timedelta(seconds=max(1.0, seconds)))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _stored(lastmod: str | None) -> str | None:
    """A source's timestamp in the stored form (ms, `Z`), so SQLite compares it as text."""
    if not lastmod:
        return None
    try:
        return iso(parse_iso(lastmod))
    except ValueError:
        return None


def _xml_bytes(text: str) -> bytes:
    """The fetcher hands text; the XML declaration's encoding no longer applies to it."""
    return _XML_ENCODING.sub(r"\1", text, count=1).encode("utf-8")


def _post_id(html: str, url: str) -> int | None:
    """The WordPress post id: body class `postid-N`, else the short link `?p=N`."""
    tree = LexborHTMLParser(html or "")
    body = tree.css_first("body")
    for name in ((body.attributes.get("class") or "") if body is not None else "").split():
        if name.startswith("postid-") and name[7:].isdigit():
            return int(name[7:])
    node = tree.css_first("link[rel=shortlink]")
    for link in ((node.attributes.get("href") or "") if node is not None else "", url):
        value = dict(parse_qsl(urlsplit(link).query)).get("p", "")
        if value.isdigit():
            return int(value)
    return None
