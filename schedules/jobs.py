"""One check of one page: fetch → extract → compare → store. The daemon and `marsad check` share it."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlite_utils

from crawler.extract import extract
from crawler.fetch import FetchSettings, Fetcher
from crawler.guard import parse_risk
from crawler.models import Extracted, Fetched, Validators
from crawler.safety import Scope
from schedules.cadence import Cadence, next_interval
from schedules.clock import iso, iso_after, now_iso, parse_iso
from schedules.config import Config, Target
from store.seeds import read_seed, sync_seeds
from store.versions import CheckOutcome, ensure_page, record_check

log = logging.getLogger("marsad.check")


@dataclass(frozen=True)
class PageToCheck:
    page_id: int
    url: str
    target: Target
    seed_text: str | None
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
    seeds = sorted({t.seed for t in config.targets if t.seed})
    sync_seeds(db, seeds, config.seeds_dir, now)
    pages = []
    for target in config.targets:
        seed_text = read_seed(config.seeds_dir / target.seed).text if target.seed else None
        page_id = ensure_page(db, target.url, now=now, target=target.url, seed=target.seed)
        pages.append(
            PageToCheck(page_id, target.url, target, seed_text, config.defaults.full_fetch_every)
        )
    return pages


def extract_guarded(html: str, url: str) -> Extracted:
    """Extraction that a hostile page cannot stall: a cheap pre-scan refuses pathological nesting."""
    risk = parse_risk(html)
    if risk:
        return Extracted(reason=f"not parsed: {risk}")
    return extract(html, url)


def check_page(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    page: PageToCheck,
    *,
    now: datetime | None = None,
) -> CheckOutcome:
    return read_page(db, fetcher, page, now=now)[0]


def read_page(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    page: PageToCheck,
    *,
    now: datetime | None = None,
    unconditional: bool = False,
) -> tuple[CheckOutcome, Fetched]:
    """One check, also handing back the fetch so discovery reads the page's links from the same
    request. `unconditional` leaves the validators out (discovery needs a body to read)."""
    moment = now or datetime.now(timezone.utc)
    row = db.execute(
        "SELECT etag, last_modified, checks_since_full FROM pages WHERE id = ?", [page.page_id]
    ).fetchone()
    # Every N checks the validators are left out: a server whose ETag never changes (some caches
    # do that) must not hide a change forever.
    unconditional = unconditional or row is None or row[2] + 1 >= page.full_fetch_every
    validators = None if unconditional else Validators(etag=row[0], last_modified=row[1])
    fetched = fetcher.fetch(page.url, validators)
    extracted = extract_guarded(fetched.body, fetched.final_url) if fetched.ok and fetched.body else None
    outcome = record_check(db, page.page_id, fetched, extracted, now=iso(moment), seed_text=page.seed_text)
    jitter = random.uniform(0, page.target.jitter) if page.target.jitter else 0.0
    db.execute(
        "UPDATE pages SET next_check_at = ?, checks_since_full = ? WHERE id = ?",
        [iso_after(recheck_interval(db, page, moment) + jitter, moment),
         0 if unconditional or row is None else row[2] + 1, page.page_id],
    )
    log.info(
        "%s %s%s", outcome.outcome, page.url,
        f" (version {outcome.version})" if outcome.version else f": {outcome.error}" if outcome.error else "",
    )
    return outcome, fetched


def recheck_interval(db: sqlite_utils.Database, page: PageToCheck, now: datetime) -> float:
    """Seconds to the page's next check: adaptive within its target's bounds (schedules.cadence)."""
    row = db.execute(
        "SELECT versions, (SELECT fetched_at FROM versions WHERE page_id = pages.id"
        " ORDER BY version DESC LIMIT 1) FROM pages WHERE id = ?",
        [page.page_id],
    ).fetchone()
    versions, latest = (row[0], row[1]) if row else (0, None)
    since = (now - parse_iso(latest)).total_seconds() if latest else None
    target = page.target
    bounds = Cadence(target.every, min(target.min_interval, target.every),
                     max(target.max_interval, target.every))
    return next_interval(bounds, since_change=since, changes=max(0, versions - 1))


def page_to_check(
    db: sqlite_utils.Database, config: Config, page_id: int, target: Target | None = None
) -> PageToCheck:
    """A `pages` row as a check: with its target's settings (the configured target its `target`
    column names, else defaults) and its seed text, if it has a seed."""
    url, target_url, seed = db.execute(
        "SELECT url, target, seed FROM pages WHERE id = ?", [page_id]
    ).fetchone()
    target = target or config.target_for(target_url or url)
    seed_text = read_seed(config.seeds_dir / seed).text if seed else None
    return PageToCheck(page_id, url, target, seed_text, config.defaults.full_fetch_every)


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
