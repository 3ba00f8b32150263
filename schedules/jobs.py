"""One check of one page: fetch → extract → compare → store. The daemon and `marsad check` share it."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlite_utils

from crawler.extract import extract
from crawler.fetch import FetchSettings, Fetcher
from crawler.models import Validators
from schedules.clock import iso_after, now_iso
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


def check_page(db: sqlite_utils.Database, fetcher: Fetcher, page: PageToCheck) -> CheckOutcome:
    row = db.execute("SELECT etag, last_modified FROM pages WHERE id = ?", [page.page_id]).fetchone()
    validators = Validators(etag=row[0], last_modified=row[1]) if row else None
    fetched = fetcher.fetch(page.url, validators)
    extracted = extract(fetched.body, fetched.final_url) if fetched.ok and fetched.body else None
    outcome = record_check(db, page.page_id, fetched, extracted, now=now_iso(), seed_text=page.seed_text)
    jitter = random.uniform(0, page.target.jitter) if page.target.jitter else 0.0
    db.execute(
        "UPDATE pages SET next_check_at = ? WHERE id = ?",
        [iso_after(page.target.every + jitter), page.page_id],
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
