"""The one road of a check: claim, fetch, extract, decide, record.

The daemon's workers, `marsad check` and discovery reading an article all take it (`check`,
or `check_round` for many pages in a row). It has a network half (`observe`: fetch and extract,
no database) and a recording half (`settle`: `Frontier.record`, `store.versions.record_check`,
in the transaction `Frontier.round` opens for a round of one check or more), so the daemon can
run the first under a deadline and still record every check exactly once: its workers hand in
the claim they were given and a `keep` that says whether the result may still be recorded.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crawler.calibrate import AGREE
from crawler.extract import extract
from crawler.fetch import Fetcher
from crawler.guard import parse_risk
from crawler.models import Extracted, Fetched, Observation, Validators
from crawler.notarticle import not_article_reason
from schedules.cadence import Cadence, next_interval
from schedules.calibration import calibrate
from schedules.config import Target
from schedules.logs import check_line
from store.frontier import Claim, Frontier
from store.sitelearn import site_of
from store.timestamps import parse_iso
from store.versions import CheckOutcome, Comparison

log = logging.getLogger("marsad.check")

RETRY_AFTER_ERROR = 300.0  # seconds: a failed check is retried sooner than the normal interval
CLAIM_MARGIN = 60.0  # seconds a claim outlives the fetch deadline, for parsing and the write
_READ_OUTCOMES = ("new_version", "unchanged", "reverted", "pending")
ROUND_SIZE = 20  # checks `check_round` records in one transaction
ROUND_SECONDS = 1.0  # ... or fewer, once this long has passed since the round's first fetch
ROUND_BYTES = 8_000_000  # ... or once it holds this many characters of fetched pages
BUSY = "being checked by another marsad process (the daemon) right now; not checked twice"


@dataclass(frozen=True)
class PageToCheck:
    page_id: int
    url: str
    target: Target
    comparison: Comparison
    full_fetch_every: int = 24


@dataclass(frozen=True)
class Checked:
    """One check's result and what it saw (discovery reads the page's links from `seen`)."""

    outcome: CheckOutcome
    seen: Observation


def check(
    frontier: Frontier,
    fetcher: Fetcher,
    page: PageToCheck,
    *,
    now: datetime | None = None,
    claim: Claim | None = None,
    unconditional: bool = False,
    keep: Callable[[], bool] | None = None,
    record_bugs: bool = False,
) -> Checked | None:
    """Check `page` once. Without `claim` the page is claimed here (busy elsewhere: `skipped`,
    nothing fetched or recorded) and the claim is given back if the check fails; the daemon's
    workers pass the claim `claim_due` gave them. `unconditional` fetches without validators and
    always parses (discovery needs the links). `keep()` is asked after the network half; False
    drops the result unrecorded (the daemon abandoned the check) and returns None. With
    `record_bugs` (the daemon) an unexpected error while fetching or reading is recorded as the
    check's error, so a bug costs one check; otherwise it rises to the caller."""
    looked = _look(frontier, fetcher, page, now=now, claim=claim, unconditional=unconditional,
                   keep=keep, record_bugs=record_bugs)  # fmt: skip
    if looked is None or isinstance(looked, Checked):
        return looked
    return _record_round(frontier, fetcher, [looked])[0]


def check_round(
    frontier: Frontier,
    fetcher: Fetcher,
    pages: Iterable[PageToCheck],
    *,
    now: datetime | None = None,
    size: int = ROUND_SIZE,
    seconds: float = ROUND_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Checked]:
    """Check `pages` one after another (`marsad check`) in rounds: the next `size` pages are
    claimed in one statement (for `size` fetch deadlines); a round fetches them until all are
    fetched, `seconds` have passed since its first fetch or it holds ROUND_BYTES of pages, then
    reads what it fetched, then records it in one transaction, each check a savepoint in it.

    Why: fetching, reading and recording each run back to back for a round, which costs a
    first fetch about a third less CPU than taking each page through all three in turn and
    committing it alone (the same code and data stay in the processor's caches; one commit;
    the indexes of the round's new versions written together). What it costs: a check is
    recorded (and shown) up to a round later, and a crash loses the round's checks, which are
    then made again (the claims of a killed `marsad check` name a holder that is gone, so the
    next check or the daemon takes its pages at once). A check whose fetching or reading fails is given back
    and the error rises, after the checks fetched before it are read and recorded."""
    remaining = iter(pages)
    moment = now or datetime.now(UTC)
    unfetched: dict[int, Claim] = {}  # claimed for this round, not fetched yet
    fetched: list[tuple[PageToCheck, Claim, Fetched, bool]] = []  # fetched, not read yet
    looked: list[_Looked] = []  # read, not recorded yet
    try:
        while chunk := list(itertools.islice(remaining, size)):
            moment = now or datetime.now(UTC)
            lease = fetcher.settings.deadline * len(chunk) + CLAIM_MARGIN
            ids = [page.page_id for page in chunk]
            unfetched = {c.page_id: c for c in frontier.claim_pages(ids, moment, lease)}
            for page in chunk:
                if page.page_id not in unfetched:  # busy elsewhere (or listed twice)
                    yield Checked(
                        busy_outcome(page.page_id, page.url), Observation(_busy(page.url))
                    )
            queue = [page for page in chunk if page.page_id in unfetched]
            while queue:
                started, held = clock(), 0
                while queue and clock() - started < seconds and held < ROUND_BYTES:
                    page = queue.pop(0)
                    claim = unfetched.pop(page.page_id)
                    validators = conditional_validators(
                        claim.validators, claim.checks_since_full, page.full_fetch_every
                    )
                    try:
                        answer = fetcher.fetch(page.url, validators)
                    except BaseException:
                        frontier.give_back(claim)
                        raise
                    fetched.append((page, claim, answer, validators is None))
                    held += len(answer.body or "")
                while fetched:
                    page, claim, answer, unconditional = fetched[0]
                    try:
                        seen = read_fetched(answer, page.comparison, claim.known_body)
                    except BaseException:
                        frontier.give_back(claim)
                        fetched.pop(0)
                        raise
                    fetched.pop(0)
                    looked.append(_Looked(page, claim, True, seen, moment, now, unconditional))
                round_, looked = looked, []
                yield from _record_round(frontier, fetcher, round_)
    finally:  # an error, or the caller stopped early: what was fetched is recorded, not lost
        for claim in unfetched.values():
            frontier.give_back(claim)
        while fetched:
            page, claim, answer, unconditional = fetched.pop(0)
            try:
                seen = read_fetched(answer, page.comparison, claim.known_body)
            except Exception:  # the error that stopped the round is the one to report
                log.exception("reading %s failed; it will be checked again", page.url)
                frontier.give_back(claim)
                continue
            looked.append(_Looked(page, claim, True, seen, moment, now, unconditional))
        if looked:
            _record_round(frontier, fetcher, looked)


@dataclass(frozen=True)
class _Looked:
    """A page claimed, fetched and read: its check waits to be recorded with its round."""

    page: PageToCheck
    claim: Claim
    own: bool  # claimed by this check (given back if it fails or lands on another page)
    seen: Observation
    moment: datetime
    now: datetime | None
    unconditional: bool


def _look(
    frontier: Frontier,
    fetcher: Fetcher,
    page: PageToCheck,
    *,
    now: datetime | None = None,
    claim: Claim | None = None,
    unconditional: bool = False,
    keep: Callable[[], bool] | None = None,
    record_bugs: bool = False,
) -> _Looked | Checked | None:
    """The network half of `check`: claim, fetch, read. A busy page is a `Checked` already; a
    result `keep()` refuses is None."""
    moment = now or datetime.now(UTC)
    own = claim is None
    if claim is None:
        claim = frontier.claim(page.page_id, moment, fetcher.settings.deadline + CLAIM_MARGIN)
        if claim is None:
            return Checked(busy_outcome(page.page_id, page.url), Observation(_busy(page.url)))
    try:
        validators = None if unconditional else conditional_validators(
            claim.validators, claim.checks_since_full, page.full_fetch_every
        )  # fmt: skip
        known = None if unconditional else claim.known_body
        if record_bugs:
            seen = _observe_safely(fetcher, page, validators, known)
        else:
            seen = observe(fetcher, page.url, validators, page.comparison, known)
    except BaseException:
        if own:
            frontier.give_back(claim)
        raise
    if keep is not None and not keep():
        log.info("late result for %s dropped: the check was abandoned", page.url,
                 extra={"url": page.url})  # fmt: skip
        return None
    return _Looked(page, claim, own, seen, moment, now, validators is None)


def _settle(frontier: Frontier, looked: _Looked) -> CheckOutcome:
    return settle(frontier, looked.claim, looked.page, looked.seen, now=looked.now,
                  unconditional=looked.unconditional)  # fmt: skip


def _record_round(frontier: Frontier, fetcher: Fetcher, round_: list[_Looked]) -> list[Checked]:
    """The recording half of `check`, for a round of checks in one transaction; then each
    check's log line and calibration (network, outside the transaction)."""
    try:
        with frontier.round():
            outcomes = [_settle(frontier, looked) for looked in round_]
    except BaseException:
        for looked in round_:
            if looked.own:
                frontier.give_back(looked.claim)
        raise
    checked = []
    for looked, outcome in zip(round_, outcomes, strict=True):
        if looked.own and outcome.page_id != looked.page.page_id:  # merged into another page
            frontier.give_back(looked.claim)
        log_outcome(outcome, looked.seen.fetched)
        if (
            outcome.outcome in _READ_OUTCOMES
            and looked.seen.extracted is not None
            and looked.page.target.discovery.rest_api  # `rest_api = false`: no API request
        ):
            _calibrate(frontier, fetcher, outcome, looked.seen, looked.moment)
        checked.append(Checked(outcome, looked.seen))
    return checked


def _calibrate(
    frontier: Frontier, fetcher: Fetcher, outcome: CheckOutcome, seen: Observation, moment: datetime
) -> None:
    """A few times a day per site, a check of a WordPress post also reads the post's own text
    from the REST API: the agreement is kept with the check, and a disagreeing site learns the
    container that holds its posts (`schedules.calibration`). Never fails the check."""
    site = site_of(seen.fetched.final_url)
    if not site or seen.extracted is None:
        return
    try:
        if not frontier.calibration_due(site, moment):
            return
        found = calibrate(fetcher, seen.fetched, seen.extracted)
        if found is None:
            return
        keep = found.container if found.agreement < AGREE else None
        frontier.calibrated(outcome.page_id, site, moment, found.agreement, keep, found.matched,
                            found.post_url)  # fmt: skip
        if keep:
            log.info("calibration: %s reads its posts from %s from now on (agreement %.2f → %.2f)",
                     site, keep, found.agreement, found.matched or 0.0)  # fmt: skip
    except Exception:
        log.exception("calibration of %s failed; the check stands", seen.fetched.final_url)


def settle(
    frontier: Frontier,
    claim: Claim,
    page: PageToCheck,
    seen: Observation,
    *,
    now: datetime | None = None,
    unconditional: bool | None = None,
) -> CheckOutcome:
    """The recording half: the check and the page's next time, in one transaction."""
    moment = now or datetime.now(UTC)
    if seen.fetched.outcome in ("error", "skipped"):
        interval = None  # next_check_in waits the retry time, not the interval
    else:
        interval = recheck_interval((claim.versions, claim.latest_fetched), page.target, moment)
    wait = next_check_in(page.target, seen.fetched, moment, interval)
    return frontier.record(
        claim, seen, now=moment, comparison=page.comparison,
        next_check_at=moment + timedelta(seconds=wait), unconditional=unconditional,
    )  # fmt: skip


def _observe_safely(
    fetcher: Fetcher, page: PageToCheck, validators: Validators | None, known: str | None
) -> Observation:
    """A bug in fetching or reading one page costs that check (an error), never the caller."""
    try:
        return observe(fetcher, page.url, validators, page.comparison, known)
    except Exception as error:
        log.exception("check of %s failed unexpectedly; will retry", page.url)
        return Observation(Fetched(url=page.url, final_url=page.url, outcome="error",
                                   error_class=type(error).__name__,
                                   error=f"unexpected error checking {page.url}: {error}"))  # fmt: skip


def extract_guarded(html: str, url: str | None, container: str | None = None) -> Extracted:
    """Extraction that a hostile page cannot stall: a cheap pre-scan refuses pathological nesting.
    `container` is the element the site's posts were calibrated to (`store.sitecal`)."""
    risk = parse_risk(html)
    if risk:
        return Extracted(reason=f"not parsed: {risk}")
    return extract(html, url, container=container) if container else extract(html, url)


def body_digest(fetched: Fetched, comparison: Comparison) -> str:
    """Identical bytes read by the same reader under identical ignore rules give identical
    content; a change of the rules or of the reader (an upgraded extractor, a calibrated
    container) must read the page again, so they are part of the digest."""
    # the body's own hash stands for its bytes: the body is hashed once per check
    digest = hashlib.sha256((fetched.body_sha256 or "").encode("ascii"))
    for pattern in comparison.rules.patterns:
        digest.update(b"\0" + pattern.pattern.encode("utf-8"))
    if comparison.reader is not None:
        digest.update(b"\1" + comparison.reader.name.encode("utf-8"))
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
    return read_fetched(fetcher.fetch(url, validators), comparison, known_body)


def read_fetched(
    fetched: Fetched, comparison: Comparison | None = None, known_body: str | None = None
) -> Observation:
    """What a fetch shows, read (no network, no database): `observe` after its fetch."""
    if not (fetched.ok and fetched.body):
        return Observation(fetched)
    comparison = comparison or Comparison()
    digest = body_digest(fetched, comparison)
    if known_body is not None and digest == known_body:
        return Observation(fetched, body_hash=digest, same_body=True)
    # the reader the recorder compares by, so a check and a re-read are read alike
    read = comparison.reader.read if comparison.reader else extract_guarded
    extracted = read(fetched.body, fetched.final_url)
    return Observation(
        fetched,
        extracted,
        not_article_reason(fetched.body, extracted, fetched.status or 0, fetched.body_utf8),
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


def recheck_interval(history: tuple[int, str | None], target: Target, now: datetime) -> float:
    """Seconds to the page's next check, adaptive within its target's bounds (schedules.cadence),
    from its history: how many versions it has and when the latest was fetched."""
    versions, latest = history
    since = (now - parse_iso(latest)).total_seconds() if latest else None
    bounds = Cadence(target.every, min(target.min_interval, target.every),
                     max(target.max_interval, target.every))  # fmt: skip
    return next_interval(bounds, since_change=since, changes=max(0, versions - 1))


def log_outcome(outcome: CheckOutcome, fetched: Fetched) -> None:
    if not log.isEnabledFor(logging.INFO):  # `marsad check` with its progress bar: not shown
        return
    line = check_line(outcome.outcome, outcome.url, outcome.error, outcome.version)
    log.info("%s", line, extra={
        "url": outcome.url, "outcome": outcome.outcome, "version": outcome.version,
        "status": outcome.status, "elapsed_ms": fetched.elapsed_ms, "error": outcome.error,
    })  # fmt: skip


def busy_outcome(page_id: int, url: str) -> CheckOutcome:
    """Another process (the daemon) is checking the page right now: nothing is fetched or
    recorded, so its check is not doubled; the page stays as that check leaves it."""
    log.info("%s", check_line("skipped", url, BUSY))
    return CheckOutcome(page_id, url, "skipped", error=BUSY)


def _busy(url: str) -> Fetched:
    return Fetched(url=url, final_url=url, outcome="skipped", error=BUSY, error_class="PageBusy")
