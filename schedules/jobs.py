"""What to check and with what: the watch list's pages as `PageToCheck`s, the fetcher, the
reader. The check itself is `schedules.check.check`, the one road all checks take.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime

import sqlite_utils

import crawler.extract as extraction
from crawler.fetch import Fetcher, FetchSettings
from crawler.safety import Scope
from schedules.check import PageToCheck, check, extract_guarded
from schedules.config import Config, Target, with_targets
from store.frontier import SqliteFrontier
from store.identity import find_page
from store.readings import Reader
from store.rules import IgnoreRules
from store.seedmatch import Seed, load_seed
from store.seeds import sync_seeds
from store.sitecal import container_of
from store.sitelearn import site_of
from store.timestamps import now_iso
from store.versions import CheckOutcome, Comparison, ensure_page, page_identity

__all__ = ["PageToCheck", "check_page", "make_fetcher", "page_to_check", "prepare"]


def fetch_settings(config: Config) -> FetchSettings:
    d = config.defaults
    return FetchSettings(
        user_agent=d.user_agent,
        deadline=d.timeout,
        timeout=min(d.read_timeout, d.timeout),
        min_delay=d.min_delay,
        max_bytes=d.max_bytes,
        concurrency=d.concurrency,
        retries=d.retries,
        retry_after_max=d.retry_after_max,
        pause_after_failures=d.pause_after_failures,
        pause_for=d.pause_for,
        proxy=d.proxy,
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


def current_reader(container: str | None = None) -> Reader:
    """What reads pages today: the extractor (behind its guard) under its version, and the
    container its site was calibrated to, if any: both are the key a stored version's reading
    is compared by, so a newly calibrated site re-reads its baselines instead of "changing"."""
    if container is None:
        return Reader(extraction.EXTRACTOR_VERSION, extract_guarded)
    read = functools.partial(extract_guarded, container=container)
    return Reader(extraction.EXTRACTOR_VERSION, read, rules=f"container={container}")


class SiteReaders:
    """Today's reader of each site, as its checks read it: the extractor, from the container the
    site was calibrated to if it has one (`marsad reextract` re-reads stored bodies by it)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._readers: dict[str | None, Reader] = {}

    def __call__(self, site: str | None) -> Reader:
        reader = self._readers.get(site)
        if reader is None:
            reader = self._readers[site] = current_reader(container_of(self.db, site))
        return reader

    @property
    def calibrated(self) -> list[str]:
        """The sites met so far that are read from a container."""
        return sorted(site for site, reader in self._readers.items() if site and reader.rules)


def comparison_for(target: Target, seed: Seed | None, container: str | None = None) -> Comparison:
    return Comparison(
        seed=seed,
        rules=IgnoreRules.from_patterns(target.ignore),
        confirm=target.confirm,
        reader=current_reader(container),
    )


def prepare(db: sqlite_utils.Database, config: Config) -> list[PageToCheck]:
    """Seeds into the database and one page row per target, so both show before any fetch."""
    now = now_iso()
    seeds = sync_seeds(
        db, sorted({t.seed for t in config.targets if t.seed}), config.seeds_dir, now
    )
    pages: dict[int, PageToCheck] = {}
    for target in config.targets:
        page_id = ensure_page(db, target.url, now=now, target=target.url, seed=target.seed)
        seed = seeds.get(target.seed) if target.seed else None
        # two spellings of one article (the short link and the permalink) are checked once
        pages.setdefault(
            page_id,
            PageToCheck(
                page_id,
                target.url,
                target,
                comparison_for(target, seed, container_of(db, site_of(target.url))),
                config.defaults.full_fetch_every,
            ),
        )
    return list(pages.values())


def prepare_urls(
    db: sqlite_utils.Database, config: Config, urls: list[str]
) -> tuple[Config, list[PageToCheck]]:
    """`marsad check URL…`: the pages named, each with the settings of the target it belongs to,
    and nothing more (no discovery); with the config narrowed to those targets, so the
    fetcher's scope is theirs (their hosts and declared aliases). A URL that is a target is
    that target; one the database knows as a page of a target (a page its discovery found, the
    permalink of a target watched by its short link) takes that target's settings (ignore
    rules, confirmation, seed), since the defaults would record as changes what the target
    ignores; any other URL the defaults."""
    configured = {target.url: target for target in config.targets}
    belonging: dict[str, tuple[int, Target]] = {}
    for url in urls:
        page_id = None if url in configured else find_page(db, url)
        if page_id is not None:
            _, target_url, _ = page_identity(db, page_id)
            if target_url in configured:
                belonging[url] = (page_id, configured[target_url])
    narrowed = with_targets(config, [url for url in urls if url not in belonging])
    pages: dict[int, PageToCheck] = {page.page_id: page for page in prepare(db, narrowed)}
    for page_id, target in belonging.values():
        pages.setdefault(page_id, page_to_check(db, config, page_id, target))
    targets = [*narrowed.targets, *(target for _, target in belonging.values())]
    return (
        replace(config, targets=tuple(_alone(target) for target in targets)),
        [replace(page, target=_alone(page.target)) for page in pages.values()],
    )


def _alone(target: Target) -> Target:
    return replace(target, discovery=replace(target.discovery, enabled=False))


def check_page(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    page: PageToCheck,
    *,
    now: datetime | None = None,
    frontier: SqliteFrontier | None = None,
) -> CheckOutcome:
    """`schedules.check.check` of one page on the database itself, for a script (or a test)
    that checks a single page; `marsad check` checks in rounds (`check_round`). A run of
    checks passes one `frontier`, so what it learns between checks (when a site is next due a
    calibration) lasts the run."""
    checked = check(frontier or SqliteFrontier(db), fetcher, page, now=now)
    assert checked is not None  # only a `keep` that says no drops a result
    return checked.outcome


def page_to_check(
    db: sqlite_utils.Database, config: Config, page_id: int, target: Target | None = None
) -> PageToCheck:
    """A `pages` row as a check: with its target's settings (the configured target its `target`
    column names, else defaults) and its seed, if it has one."""
    url, target_url, seed_name = page_identity(db, page_id)
    target = target or config.target_for(target_url or url)
    seed = load_seed(config.seeds_dir / seed_name) if seed_name else None
    container = container_of(db, site_of(url))
    return PageToCheck(
        page_id,
        url,
        target,
        comparison_for(target, seed, container),
        config.defaults.full_fetch_every,
    )
