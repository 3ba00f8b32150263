"""One check of one page: fetch → extract → compare → store. The daemon and `marsad check` share it."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlite_utils

from crawler.extract import extract
from crawler.fetch import Fetcher, FetchSettings
from crawler.guard import parse_risk
from crawler.models import Extracted
from crawler.safety import Scope
from crawler.models import Validators
from crawler.notarticle import not_article_reason
from schedules.clock import iso_after, now_iso
from schedules.config import Config, Target
from store.rules import IgnoreRules
from store.seedmatch import Seed
from store.seeds import sync_seeds
from store.versions import CheckOutcome, ensure_page, record_check

log = logging.getLogger("marsad.check")


@dataclass(frozen=True)
class PageToCheck:
    page_id: int
    url: str
    target: Target
    seed: Seed | None
    rules: IgnoreRules  # the target's ignore patterns: one rule set for hash, diff and feed
    full_fetch_every: int = 24


def fetch_settings(config: Config) -> FetchSettings:
    d = config.defaults
    return FetchSettings(
        user_agent=d.user_agent, deadline=d.timeout, timeout=min(d.read_timeout, d.timeout),
        min_delay=d.min_delay, max_bytes=d.max_bytes, concurrency=d.concurrency,
        retries=d.retries, retry_after_max=d.retry_after_max,
        pause_after_failures=d.pause_after_failures, pause_for=d.pause_for, proxy=d.proxy,
        private_hosts=d.private_hosts,
        host_aliases=tuple(alias for t in config.targets for alias in t.aliases),
    )


def make_fetcher(config: Config) -> Fetcher:
    """A fetcher whose scope is the configured targets' hosts and their declared aliases."""
    settings = fetch_settings(config)
    scope = Scope.of_targets(
        [t.url for t in config.targets], settings.host_aliases, settings.private_hosts
    )
    return Fetcher(settings, scope=scope)


def prepare(db: sqlite_utils.Database, config: Config) -> list[PageToCheck]:
    """Seeds into the database and one page row per target, so both show before any fetch."""
    now = now_iso()
    seeds = sync_seeds(db, sorted({t.seed for t in config.targets if t.seed}), config.seeds_dir, now)
    pages: dict[int, PageToCheck] = {}
    for target in config.targets:
        page_id = ensure_page(db, target.url, now=now, target=target.url, seed=target.seed)
        # two spellings of one article (the short link and the permalink) are checked once
        pages.setdefault(
            page_id,
            PageToCheck(
                page_id, target.url, target, seeds.get(target.seed) if target.seed else None,
                IgnoreRules.from_patterns(target.ignore), config.defaults.full_fetch_every,
            ),
        )
    return list(pages.values())


def extract_guarded(html: str, url: str) -> Extracted:
    """Extraction that a hostile page cannot stall: a cheap pre-scan refuses pathological nesting."""
    risk = parse_risk(html)
    if risk:
        return Extracted(reason=f"not parsed: {risk}")
    return extract(html, url)


def check_page(db: sqlite_utils.Database, fetcher: Fetcher, page: PageToCheck) -> CheckOutcome:
    row = db.execute(
        "SELECT etag, last_modified, checks_since_full FROM pages WHERE id = ?", [page.page_id]
    ).fetchone()
    # Every N checks the validators are left out: a server whose ETag never changes (some caches
    # do that) must not hide a change forever.
    unconditional = row is None or row[2] + 1 >= page.full_fetch_every
    validators = None if unconditional else Validators(etag=row[0], last_modified=row[1])
    fetched = fetcher.fetch(page.url, validators)
    extracted = extract_guarded(fetched.body, fetched.final_url) if fetched.ok and fetched.body else None
    not_article = (
        not_article_reason(fetched.body, extracted, fetched.status or 0)
        if fetched.body and extracted is not None
        else None
    )
    outcome = record_check(
        db, page.page_id, fetched, extracted, now=now_iso(), seed=page.seed, rules=page.rules,
        confirm=page.target.confirm, not_article=not_article,
    )
    jitter = random.uniform(0, page.target.jitter) if page.target.jitter else 0.0
    # the check may have been recorded on another page (one article, two spellings): both wait
    db.execute(
        "UPDATE pages SET next_check_at = ?, checks_since_full = ? WHERE id IN (?, ?)",
        [iso_after(page.target.every + jitter), 0 if unconditional else row[2] + 1,
         page.page_id, outcome.page_id],
    )
    log.info(
        "%s %s%s", outcome.outcome, page.url,
        f" (version {outcome.version})" if outcome.version else f": {outcome.error}" if outcome.error else "",
    )
    return outcome


def check_all(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    pages: Iterable[PageToCheck],
    on_done: Callable[[CheckOutcome], None] | None = None,
) -> list[CheckOutcome]:
    outcomes = []
    for page in pages:
        outcome = check_page(db, fetcher, page)
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return outcomes
