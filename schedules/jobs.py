"""One check of one page: fetch → extract → compare → store. The daemon and `marsad check` share it.

A check has a network half (`observe`: fetch and extract, no database) and a recording half
(`store.versions.record_check`, one transaction), so the daemon can run the first under a
deadline and still record every check exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

import crawler.extract as extraction
from crawler.extract import extract
from crawler.fetch import Fetcher, FetchSettings
from crawler.guard import parse_risk
from crawler.models import Extracted, Fetched, Observation, Validators
from crawler.notarticle import not_article_reason
from crawler.safety import Scope
from schedules.cadence import Cadence, next_interval
from schedules.clock import iso, iso_after, now_iso, parse_iso
from schedules.config import Config, Target
from store.frontier import claim_page, release_page
from store.readings import Reader
from store.rules import IgnoreRules
from store.seedmatch import Seed, load_seed
from store.seeds import sync_seeds
from store.versions import CheckOutcome, Comparison, ensure_page, known_body_hash, record_check

log = logging.getLogger("marsad.check")

RETRY_AFTER_ERROR = 300.0  # seconds: a failed check is retried sooner than the normal interval
CLAIM_MARGIN = 60.0  # seconds a claim outlives the fetch deadline, for parsing and the write


@dataclass(frozen=True)
class PageToCheck:
    page_id: int
    url: str
    target: Target
    comparison: Comparison
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


def make_fetcher(config: Config, previous: Fetcher | None = None) -> Fetcher:
    """A fetcher whose scope is the configured targets' hosts and their declared aliases; a
    replaced fetcher hands on its hosts' back-off so a reload does not forget a pause."""
    settings = fetch_settings(config)
    scope = Scope.of_targets(
        [t.url for t in config.targets], settings.host_aliases, settings.private_hosts
    )
    fetcher = Fetcher(settings, scope=scope)
    if previous is not None:
        fetcher.restore_host_states(previous.host_states())
    return fetcher


def current_reader() -> Reader:
    """What reads pages today: the extractor (behind its guard) under its version, the key a
    stored version's reading is compared by; learned site rules will add their fingerprint."""
    return Reader(extraction.EXTRACTOR_VERSION, extract_guarded)


def comparison_for(target: Target, seed: Seed | None) -> Comparison:
    return Comparison(seed=seed, rules=IgnoreRules.from_patterns(target.ignore),
                      confirm=target.confirm, reader=current_reader())


def prepare(db: sqlite_utils.Database, config: Config) -> list[PageToCheck]:
    """Seeds into the database and one page row per target, so both show before any fetch."""
    now = now_iso()
    seeds = sync_seeds(db, sorted({t.seed for t in config.targets if t.seed}), config.seeds_dir, now)
    pages: dict[int, PageToCheck] = {}
    for target in config.targets:
        page_id = ensure_page(db, target.url, now=now, target=target.url, seed=target.seed)
        seed = seeds.get(target.seed) if target.seed else None
        # two spellings of one article (the short link and the permalink) are checked once
        pages.setdefault(
            page_id,
            PageToCheck(page_id, target.url, target, comparison_for(target, seed),
                        config.defaults.full_fetch_every),
        )
    return list(pages.values())


def extract_guarded(html: str, url: str | None) -> Extracted:
    """Extraction that a hostile page cannot stall: a cheap pre-scan refuses pathological nesting."""
    risk = parse_risk(html)
    if risk:
        return Extracted(reason=f"not parsed: {risk}")
    return extract(html, url)


def body_digest(body: str, comparison: Comparison) -> str:
    """Identical bytes read under identical ignore rules give identical content; a change of
    the rules must re-read the page, so they are part of the digest."""
    digest = hashlib.sha256(body.encode("utf-8", errors="replace"))
    for pattern in comparison.rules.patterns:
        digest.update(b"\0" + pattern.pattern.encode("utf-8"))
    return digest.hexdigest()


def observe(
    fetcher: Fetcher,
    url: str,
    validators: Validators | None,
    comparison: Comparison | None = None,
    known_body: str | None = None,
) -> Observation:
    """The network half of a check (no database), so the daemon can run it under a deadline.

    A server that ignores validators (or a fetch made without them) often sends the very bytes
    of last time: when the digest equals `known_body` the page is not parsed at all."""
    fetched = fetcher.fetch(url, validators)
    if not (fetched.ok and fetched.body):
        return Observation(fetched)
    comparison = comparison or Comparison()
    digest = body_digest(fetched.body, comparison)
    if known_body is not None and digest == known_body:
        return Observation(fetched, body_hash=digest, same_body=True)
    # the reader the recorder compares by, so a check and a re-read are read alike
    read = comparison.reader.read if comparison.reader else extract_guarded
    extracted = read(fetched.body, fetched.final_url)
    return Observation(
        fetched, extracted, not_article_reason(fetched.body, extracted, fetched.status or 0),
        body_hash=digest,
    )


def conditional_validators(
    validators: Validators, checks_since_full: int, full_fetch_every: int
) -> Validators | None:
    """The validators to send, or None for an unconditional GET: every N checks the validators are
    left out, so a server whose ETag never changes (some caches do that) cannot hide a change."""
    if checks_since_full + 1 >= full_fetch_every or not validators:
        return None
    return validators


def next_check_in(
    target: Target, fetched: Fetched, now: datetime | None = None, interval: float | None = None
) -> float:
    """Seconds until the next check: the (adaptive) interval plus jitter, sooner after a failure,
    but never before a pause the fetcher put on the host has ended."""
    if fetched.outcome not in ("error", "skipped"):
        base = target.every if interval is None else interval
        return base + (random.uniform(0, target.jitter) if target.jitter else 0.0)
    wait = min(target.every, RETRY_AFTER_ERROR)
    if fetched.paused_until:
        now = now or datetime.now(UTC)
        wait = max(wait, (parse_iso(fetched.paused_until) - now).total_seconds())
    return wait


def record(
    db: sqlite_utils.Database,
    page_id: int,
    seen: Observation,
    comparison: Comparison,
    *,
    now: str,
    next_check_at: str | None,
    unconditional: bool | None = None,
) -> CheckOutcome:
    return record_check(db, page_id, seen, now=now, comparison=comparison,
                        next_check_at=next_check_at, unconditional=unconditional)


def log_outcome(outcome: CheckOutcome, fetched: Fetched) -> None:
    suffix = f" (version {outcome.version})" if outcome.version else f": {outcome.error}" if outcome.error else ""
    log.info("%s %s%s", outcome.outcome, outcome.url, suffix, extra={
        "url": outcome.url, "outcome": outcome.outcome, "version": outcome.version,
        "status": outcome.status, "elapsed_ms": fetched.elapsed_ms, "error": outcome.error,
    })


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
    moment = now or datetime.now(UTC)
    claim = claim_page(db, page.page_id, moment, fetcher.settings.deadline + CLAIM_MARGIN)
    if claim is None:
        return _busy(page)
    try:
        outcome, fetched = _read_claimed(db, fetcher, page, moment, unconditional)
    except BaseException:
        release_page(db, page.page_id, claim)
        raise
    if outcome.page_id != page.page_id:  # recorded on the page it merged into
        release_page(db, page.page_id, claim)
    return outcome, fetched


BUSY = "being checked by another marsad process (the daemon) right now; not checked twice"


def busy_outcome(page_id: int, url: str) -> CheckOutcome:
    """Another process (the daemon) is checking the page right now: nothing is fetched or
    recorded, so its check is not doubled; the page stays as that check leaves it."""
    log.info("skipped %s: %s", url, BUSY)
    return CheckOutcome(page_id, url, "skipped", error=BUSY)


def _busy(page: PageToCheck) -> tuple[CheckOutcome, Fetched]:
    fetched = Fetched(url=page.url, final_url=page.url, outcome="skipped", error=BUSY,
                      error_class="PageBusy")
    return busy_outcome(page.page_id, page.url), fetched


def _read_claimed(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    page: PageToCheck,
    moment: datetime,
    unconditional: bool,
) -> tuple[CheckOutcome, Fetched]:
    row = db.execute(
        "SELECT etag, last_modified, checks_since_full FROM pages WHERE id = ?", [page.page_id]
    ).fetchone()
    validators = None if unconditional else conditional_validators(
        Validators(row[0], row[1]), row[2], page.full_fetch_every
    )
    # Discovery reads the page's links from this fetch, so it needs the page parsed.
    known = None if unconditional else known_body_hash(db, page.page_id)
    seen = observe(fetcher, page.url, validators, page.comparison, known)
    interval = recheck_interval(db, page.page_id, page.target, moment)
    # The next time is stored in the same transaction as the check (see record_check).
    outcome = record(
        db, page.page_id, seen, page.comparison, now=iso(moment),
        next_check_at=iso_after(next_check_in(page.target, seen.fetched, moment, interval), moment),
        unconditional=validators is None,
    )
    log_outcome(outcome, seen.fetched)
    return outcome, seen.fetched


def recheck_interval(db: sqlite_utils.Database, page_id: int, target: Target, now: datetime) -> float:
    """Seconds to the page's next check: adaptive within its target's bounds (schedules.cadence)."""
    row = db.execute(
        "SELECT versions, (SELECT fetched_at FROM versions WHERE page_id = pages.id"
        " ORDER BY version DESC LIMIT 1) FROM pages WHERE id = ?",
        [page_id],
    ).fetchone()
    versions, latest = (row[0], row[1]) if row else (0, None)
    since = (now - parse_iso(latest)).total_seconds() if latest else None
    bounds = Cadence(target.every, min(target.min_interval, target.every),
                     max(target.max_interval, target.every))
    return next_interval(bounds, since_change=since, changes=max(0, versions - 1))


def page_to_check(
    db: sqlite_utils.Database, config: Config, page_id: int, target: Target | None = None
) -> PageToCheck:
    """A `pages` row as a check: with its target's settings (the configured target its `target`
    column names, else defaults) and its seed, if it has one."""
    url, target_url, seed_name = db.execute(
        "SELECT url, target, seed FROM pages WHERE id = ?", [page_id]
    ).fetchone()
    target = target or config.target_for(target_url or url)
    seed = load_seed(config.seeds_dir / seed_name) if seed_name else None
    return PageToCheck(page_id, url, target, comparison_for(target, seed),
                       config.defaults.full_fetch_every)


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


