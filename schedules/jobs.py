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
from crawler.models import Extracted, Fetched, Validators
from schedules.clock import iso_after, now_iso
from schedules.config import Config, Target
from store.frontier import parse_iso
from store.seeds import read_seed, sync_seeds
from store.versions import CheckOutcome, ensure_page, record_check

log = logging.getLogger("marsad.check")


@dataclass(frozen=True)
class PageToCheck:
    page_id: int
    url: str
    target: Target
    seed_text: str | None


def fetch_settings(config: Config) -> FetchSettings:
    d = config.defaults
    return FetchSettings(user_agent=d.user_agent, timeout=d.timeout, max_bytes=d.max_bytes)


def prepare(db: sqlite_utils.Database, config: Config) -> list[PageToCheck]:
    """Seeds into the database and one page row per target, so both show before any fetch."""
    now = now_iso()
    seeds = sorted({t.seed for t in config.targets if t.seed})
    sync_seeds(db, seeds, config.seeds_dir, now)
    pages = []
    for target in config.targets:
        seed_text = read_seed(config.seeds_dir / target.seed).text if target.seed else None
        page_id = ensure_page(db, target.url, now=now, target=target.url, seed=target.seed)
        pages.append(PageToCheck(page_id, target.url, target, seed_text))
    return pages


RETRY_AFTER_ERROR = 300.0  # seconds: a failed check is retried sooner than the normal interval


def observe(fetcher: Fetcher, url: str, validators: Validators | None) -> tuple[Fetched, Extracted | None]:
    """The network half of a check (no database), so the daemon can run it under a deadline."""
    fetched = fetcher.fetch(url, validators)
    extracted = extract(fetched.body, fetched.final_url) if fetched.ok and fetched.body else None
    return fetched, extracted


def next_check_in(target: Target, fetched: Fetched, now: datetime | None = None) -> float:
    """Seconds until the next check: the interval plus jitter, sooner after a failure, but never
    before a pause the fetcher put on the host has ended."""
    if fetched.outcome not in ("error", "skipped"):
        return target.every + (random.uniform(0, target.jitter) if target.jitter else 0.0)
    wait = min(target.every, RETRY_AFTER_ERROR)
    paused = getattr(fetched, "paused_until", None)  # ISO text, from fetchers that pause hosts
    if isinstance(paused, str) and paused:
        now = now or datetime.now(timezone.utc)
        wait = max(wait, (parse_iso(paused) - now).total_seconds())
    return wait


def log_outcome(outcome: CheckOutcome, fetched: Fetched) -> None:
    suffix = f" (version {outcome.version})" if outcome.version else f": {outcome.error}" if outcome.error else ""
    log.info("%s %s%s", outcome.outcome, outcome.url, suffix, extra={
        "url": outcome.url, "outcome": outcome.outcome, "version": outcome.version,
        "status": outcome.status, "elapsed_ms": fetched.elapsed_ms, "error": outcome.error,
    })


def check_page(db: sqlite_utils.Database, fetcher: Fetcher, page: PageToCheck) -> CheckOutcome:
    row = db.execute("SELECT etag, last_modified FROM pages WHERE id = ?", [page.page_id]).fetchone()
    validators = Validators(etag=row[0], last_modified=row[1]) if row else None
    fetched, extracted = observe(fetcher, page.url, validators)
    # The next time is stored in the same transaction as the check (see record_check).
    outcome = record_check(db, page.page_id, fetched, extracted, now=now_iso(), seed_text=page.seed_text,
                           next_check_at=iso_after(next_check_in(page.target, fetched)))
    log_outcome(outcome, fetched)
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
