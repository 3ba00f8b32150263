"""One reader per kind of discovery source, behind one interface: `read(run, source)` fetches
the source through the pass's fetcher, parses it with the pure `crawler.discover` parsers and
hands what it lists to the pass (`Pass.admit`, `Pass.signal`, `Pass.source`), recording the
read in one transaction. `READERS` maps each `discovery_sources.kind` to its reader.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

from crawler.discover import (
    SitemapEntry,
    archive_posts,
    default_sitemap_urls,
    lists_posts,
    page_kind,
    parse_feed,
    parse_posts,
    parse_sitemap,
    posts_url,
    sitemaps_from_robots,
    xml_bytes,
)
from schedules.discovery.run import TAXONOMY, Pass, origin
from store import discovery as frontier
from store.discovery import Source
from store.schema import transaction
from store.timestamps import parse_iso

log = logging.getLogger("marsad.discover")

REST_PAGES_PER_PASS = 10  # 1,000 changed posts per pass at most; the rest wait for the next one
REST_OVERLAP = timedelta(hours=1)  # ask a little before the last read: server clocks drift


class SourceReader(Protocol):
    def read(self, run: Pass, source: Source) -> None: ...


class Robots:
    """The `Sitemap:` lines of the robots.txt the fetcher already obeys (its cache holds it):
    one request serves both, so no fetch row of its own; the source keeps the state."""

    def read(self, run: Pass, source: Source) -> None:
        doc = run.fetcher.robots_document(source.url)
        readable = doc.status is not None and doc.status < 500 and doc.status != 429
        if readable:
            run.report.sources_read += 1
        else:
            run.report.source_errors += 1
            log.info("discovery source %s: %s", source.url, doc.error)
        with transaction(run.db):
            frontier.record_source_state(
                run.db, source, now=run.now, next_fetch_at=run.after(run.target.every),
                outcome="read" if readable else "error", status=doc.status,
                error=None if readable else doc.error,
            )  # fmt: skip
            if not readable:
                return
            sitemaps = sitemaps_from_robots(doc.body, source.url) if doc.body else []
            for url in sitemaps or default_sitemap_urls(origin(run.target.url))[:2]:
                run.source(url, "sitemap", "sitemap", 1)


class Sitemap:
    """A sitemap or a sitemap index: known pages with a newer `lastmod` are checked now; an
    index's child sitemaps become sources, within `sitemap_depth` and `sitemap_children`."""

    def read(self, run: Pass, source: Source) -> None:
        fetched = run.fetch(source, accept=("application/gzip", "application/x-gzip"))
        with transaction(run.db):
            if run.done(source, fetched, every=run.target.min_interval) != "read":
                return
            doc = parse_sitemap(xml_bytes(fetched.body or ""))
            if doc.error:
                log.info("sitemap %s: %s", source.url, doc.error)
            level = int(source.detail.get("level", 1))  # 1: named by robots.txt or the default
            for child in self._children(run, source, doc.children, level):
                child_id = run.source(child.loc, "sitemap", "sitemap", source.depth)
                if child_id is not None:
                    frontier.set_detail_if_unset(run.db, child_id, {"level": level + 1})
            for entry in doc.urls:
                run.signal(entry.loc, entry.lastmod, "sitemap", source)

    @staticmethod
    def _children(
        run: Pass, source: Source, children: Iterable[SitemapEntry], level: int
    ) -> list[SitemapEntry]:
        """The child sitemaps of an index worth reading; what is left out is counted and
        logged in one line."""
        d = run.target.discovery
        wanted = [c for c in children if lists_posts(c.loc)]
        if wanted and level >= d.sitemap_depth:
            run.report.sitemaps_not_read += len(wanted)
            log.warning("sitemap %s: an index %d deep; its %d child sitemap(s) are not read"
                        " (sitemap_depth = %d)", source.url, level, len(wanted), d.sitemap_depth)  # fmt: skip
            return []
        if len(wanted) > d.sitemap_children:
            run.report.sitemaps_not_read += len(wanted) - d.sitemap_children
            log.warning("sitemap %s lists %d child sitemaps; the first %d are read"
                        " (sitemap_children)", source.url, len(wanted), d.sitemap_children)  # fmt: skip
            wanted = wanted[: d.sitemap_children]
        return wanted


class SiteFeed:
    """The site's feed: a change detector, like the sitemaps."""

    def read(self, run: Pass, source: Source) -> None:
        fetched = run.fetch(source)
        with transaction(run.db):
            if run.done(source, fetched, every=run.target.min_interval) != "read":
                return
            for entry in parse_feed(fetched.body or "", fetched.final_url).entries:
                run.signal(entry.link, entry.updated, "feed", source)


class Feed:
    """A category or tag feed: its posts belong to the article's terms."""

    def read(self, run: Pass, source: Source) -> None:
        fetched = run.fetch(source)
        with transaction(run.db):
            if run.done(source, fetched, every=run.target.every) != "read":
                return
            for entry in parse_feed(fetched.body or "", fetched.final_url).entries:
                run.admit(entry.link, source.reason, source.depth, source.discovered_from,
                          source.id, lastmod=entry.updated)  # fmt: skip


class Archive:
    """A category or tag archive's first page: the posts it lists."""

    def read(self, run: Pass, source: Source) -> None:
        fetched = run.fetch(source)
        with transaction(run.db):
            if run.done(source, fetched, every=run.target.every) != "read":
                return
            risk = run.parse_risk(source.url, fetched.body)
            if risk:
                frontier.mark_not_parsed(run.db, source.id, risk)
                return
            if page_kind(fetched.final_url, fetched.body) != "archive":
                return  # a theme or a redirect answered something else; nothing to list
            reason = source.reason if source.reason in TAXONOMY else "category"
            for found in archive_posts(fetched.body or "", fetched.final_url, reason,  # type: ignore[arg-type]
                                       aliases=run.target.aliases):  # fmt: skip
                run.admit(found.url, source.reason, source.depth, source.discovered_from,
                          source.id)  # fmt: skip


class RestPost:
    """The target post through the API: its category and tag ids, for `RestChanges`."""

    def read(self, run: Pass, source: Source) -> None:
        fetched = run.fetch(source, accept=("application/json",))
        answer = parse_posts(fetched.body or "", fetched.content_type) if fetched.ok else None
        run.rest_ok = bool(answer and answer.available and answer.posts)
        run.report.rest_api = run.rest_ok
        with transaction(run.db):
            if answer is not None and not run.rest_ok:
                error = answer.error or "the API listed no such post"
                run.done(source, replace(fetched, outcome="error", error=error),
                         every=run.target.every)  # fmt: skip
                return
            detail = None
            if answer is not None:
                post = answer.posts[0]
                detail = {"categories": list(post.categories), "tags": list(post.tags)}
            run.done(source, fetched, every=run.target.every, detail=detail)


class RestChanges:
    """Posts modified since the last read, site-wide, newest first: known pages whose
    `modified_gmt` is past our last check are checked now; new posts of the target's
    categories or tags are admitted."""

    def read(self, run: Pass, source: Source) -> None:
        target = run.target
        if run.rest_ok is False or not target.discovery.rest_api:
            run.postpone(source, target.min_interval, skipped="REST API unavailable this pass")
            return
        terms = frontier.source_detail(run.db, target.url, "rest_post")
        since = source.detail.get("since")
        start = (
            parse_iso(since) - REST_OVERLAP
            if since
            else run.moment - timedelta(seconds=target.every)
        )
        root = source.url.split("wp/v2/posts")[0]
        modified_after = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        for number in range(1, REST_PAGES_PER_PASS + 1):
            url = posts_url(root, modified_after=modified_after, page=number)
            fetched = run.fetcher.fetch(url, accept=("application/json",))
            answer = parse_posts(fetched.body or "", fetched.content_type) if fetched.ok else None
            with transaction(run.db):
                if answer is None or not answer.available:
                    run.rest_ok = False
                    run.report.rest_api = False
                    error = answer.error if answer is not None else fetched.error
                    run.done(source, replace(fetched, outcome="error", error=error),
                             every=target.min_interval)  # fmt: skip
                    return
                run.rest_ok = run.report.rest_api = True
                for post in answer.posts:
                    related = set(post.categories) & set(terms.get("categories", ())) or set(
                        post.tags
                    ) & set(terms.get("tags", ()))
                    run.signal(post.link, post.modified_gmt, "rest_api", source,
                               related=bool(related))  # fmt: skip
                last = len(answer.posts) < 100 or number == REST_PAGES_PER_PASS
                detail = {"since": run.now} if last else dict(source.detail)
                run.done(source, fetched, every=target.min_interval, detail=detail)
            if last:
                return


READERS: dict[str, SourceReader] = {
    "robots": Robots(),
    "sitemap": Sitemap(),
    "site_feed": SiteFeed(),
    "feed": Feed(),
    "archive": Archive(),
    "rest_post": RestPost(),
    "rest_changes": RestChanges(),
}


def read_source(run: Pass, source: Source) -> None:
    """Read one due source with the reader of its kind; a kind from a newer marsad is left for
    that version (postponed, not read)."""
    run.reads += 1
    reader = READERS.get(source.kind)
    if reader is None:
        run.postpone(source, run.target.max_interval)
        return
    reader.read(run, source)
