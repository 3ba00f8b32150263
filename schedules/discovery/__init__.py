"""One discovery pass for one target: read its article and the site's sources, and put the
related pages it finds in the frontier (`pages` rows with a reason, a depth and a target).

I/O at the edge: every request goes through the shared `Fetcher` (politeness, robots.txt,
scope), every parse through the pure `crawler.discover` parsers, every write through
`store.discovery`. An article is read by checking it (`schedules.check.check`, the one road)
and its links are read from that check's fetch and extraction (`run.Pass.read_article`); every
other source by the reader of its kind (`readers.READERS`). The frontier is the database, so a pass that dies midway resumes where it
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
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import sqlite_utils

from crawler.fetch import Fetcher
from schedules.check import ROUND_SIZE, PageToCheck, busy_outcome, check_round
from schedules.config import Config, Target
from schedules.discovery.readers import read_source
from schedules.discovery.run import DiscoveryReport, Pass
from schedules.jobs import page_to_check
from store import discovery as frontier
from store.frontier import SqliteFrontier, is_claimed
from store.timestamps import iso
from store.versions import CheckOutcome, ensure_page

__all__ = ["DiscoveryReport", "check_discovered", "check_pass", "check_with_discovery", "discover"]

log = logging.getLogger("marsad.discover")


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

    The target article is read (and so checked) when due, or always with `check_target`: then,
    given its `page`, first of all, on the one road (`schedules.check.check`), and its links are
    read from that check.
    Discovered pages are left in `pages`, due at once, for the daemon or `check_discovered`.
    A pass reads at most `reads_per_pass` sources and articles, so the next target's pass is
    not kept waiting; it stops at once when `stop()` says so or the fetcher is closed.
    `page` is the target's page as `schedules.jobs.prepare` made it, if the caller has it.
    """
    moment = now or datetime.now(UTC)
    run = Pass(db, fetcher, config, target, moment, page)
    if not target.discovery.enabled:
        return run.report
    first = run.check_target(page) if check_target and page is not None else None
    run.start(check_target and first is None)
    if first is not None:
        run.read_target_links(first)
    elif check_target and is_claimed(db, run.page_id, moment):  # the daemon is checking it now
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
            read_source(run, source)
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
    """Check the target's discovered pages that are due, earliest first, in rounds
    (`check_round`)."""
    moment = now or datetime.now(UTC)
    stamp = iso(moment)
    outcomes: list[CheckOutcome] = []
    budget = target.discovery.max_pages if limit is None else limit
    checks = SqliteFrontier(db)  # one for the run: it remembers when sites are due calibration
    while len(outcomes) < budget and not fetcher.closed:
        wanted = min(ROUND_SIZE, budget - len(outcomes))
        ids = frontier.due_discovered(db, target.url, stamp, wanted)
        if not ids:
            break
        pages = [page_to_check(db, config, page_id, target) for page_id in ids]
        outcomes += _in_rounds(checks, fetcher, pages, moment, on_check)
    return outcomes


def _in_rounds(
    checks: SqliteFrontier,
    fetcher: Fetcher,
    pages: list[PageToCheck],
    now: datetime | None,
    on_check: Callable[[CheckOutcome], None] | None,
) -> list[CheckOutcome]:
    """`check_round` over `pages`, telling `on_check` of each check as its round is recorded."""
    outcomes = []
    for checked in check_round(checks, fetcher, pages, now=now):
        outcomes.append(checked.outcome)
        if on_check:
            on_check(checked.outcome)
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
    if page is None:  # as `schedules.jobs.prepare` makes it
        page_id = ensure_page(db, target.url, now=iso(moment), target=target.url, seed=target.seed)
        page = page_to_check(db, config, page_id, target)
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
    on_check: Callable[[CheckOutcome], None] | None = None,
) -> list[CheckOutcome]:
    """One pass over the configured targets, each with its discovery when it is on.
    `on_check` hears of every check as it is recorded (for a progress line).

    Targets without discovery, one after another, are checked in rounds (`check_round`):
    that is what `marsad check URL…` does with every URL. A target with discovery is checked
    alone, then its related pages."""
    outcomes: list[CheckOutcome] = []
    run = SqliteFrontier(db)  # one for the pass: what it learns between checks lasts the pass
    plain: list[PageToCheck] = []  # targets without discovery since the last one with it
    for page in pages:
        if not page.target.discovery.enabled:
            plain.append(page)
            continue
        outcomes += _in_rounds(run, fetcher, plain, now, on_check)
        plain = []
        done, _report = check_with_discovery(
            db, fetcher, config, page.target, now=now, on_check=on_check, page=page
        )
        outcomes += done
    return outcomes + _in_rounds(run, fetcher, plain, now, on_check)
