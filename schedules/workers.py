"""Checks in flight: each in its own thread, under a hard deadline, recorded exactly once.

A Python thread cannot be killed, so a check that overruns its deadline is *abandoned*: the
deadline timer records a timeout for the page (and its retry time) and frees the slot; if the
stuck fetch ever returns, its result is dropped. A small state machine under a lock decides
who records — the worker (`running → recording`) or the timer (`running → abandoned`) — so a
page is never recorded twice and a recording in progress is never cut short.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crawler.models import Fetched, Observation
from schedules.config import Target
from schedules.jobs import (
    RETRY_AFTER_ERROR,
    conditional_validators,
    log_outcome,
    next_check_in,
    observe,
)
from store.frontier import Claim, Frontier
from store.versions import Comparison

log = logging.getLogger("marsad.daemon")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class Check:
    claim: Claim
    target: Target
    comparison: Comparison
    full_fetch_every: int = 24
    started: float = field(default_factory=time.monotonic)
    state: str = "running"  # running → recording → done, or running → abandoned
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    timer: threading.Timer | None = None

    def take(self, new_state: str) -> bool:
        """Move from running to `new_state`; False if someone else already did."""
        with self.lock:
            if self.state != "running":
                return False
            self.state = new_state
            return True


class Workers:
    """At most `size` checks run at once; abandoned threads still alive count against a second
    budget of the same size, so hung fetches cannot pile up threads without limit."""

    def __init__(self, frontier: Frontier, fetcher: Callable[[], object], size: int,
                 deadline: float, on_free: Callable[[], None],
                 interval: Callable[[int, Target, datetime], float] | None = None) -> None:
        self.frontier = frontier
        # seconds to a page's next check after a good one (adaptive: see schedules.cadence)
        self.interval = interval or (lambda page_id, target, now: target.every)
        self.fetcher = fetcher  # the current Fetcher (it may be replaced by a reload)
        self.size = size
        self.deadline = deadline
        self.on_free = on_free
        self._guard = threading.Lock()
        self._running: dict[int, Check] = {}
        self._abandoned: list[threading.Thread] = []

    def free_slots(self) -> int:
        with self._guard:
            self._abandoned = [t for t in self._abandoned if t.is_alive()]
            if len(self._abandoned) >= self.size:
                log.error("%d abandoned checks are still stuck; not starting more until they end",
                          len(self._abandoned))
                return 0
            return self.size - len(self._running)

    def running(self) -> list[Check]:
        with self._guard:
            return list(self._running.values())

    def start(self, claim: Claim, target: Target, comparison: Comparison,
              full_fetch_every: int = 24) -> Check:
        check = Check(claim, target, comparison, full_fetch_every)
        check.thread = threading.Thread(target=self._work, args=[check], daemon=True,
                                        name=f"check-{claim.page_id}")
        check.timer = threading.Timer(self.deadline, self._expire, args=[check])
        check.timer.daemon = True
        with self._guard:
            self._running[claim.page_id] = check
        check.thread.start()
        check.timer.start()
        return check

    def _work(self, check: Check) -> None:
        url = check.claim.url
        validators = conditional_validators(
            check.claim.validators, check.claim.checks_since_full, check.full_fetch_every
        )
        try:
            seen = observe(self.fetcher(), url, validators, check.comparison,  # type: ignore[arg-type]
                           check.claim.known_body)
        except Exception as error:  # a bug costs one check, never the daemon
            log.exception("check of %s failed unexpectedly; will retry", url)
            seen = Observation(Fetched(url=url, final_url=url, outcome="error",
                                       error_class=type(error).__name__,
                                       error=f"unexpected error checking {url}: {error}"))
        if not check.take("recording"):
            log.info("late result for %s dropped: the check was abandoned", url, extra={"url": url})
            return
        try:
            self._record(check, seen, unconditional=validators is None)
        finally:
            self._finish(check, "done")

    def _record(self, check: Check, seen: Observation, unconditional: bool) -> None:
        now = utcnow()
        fetched = seen.fetched
        try:
            interval = self.interval(check.claim.page_id, check.target, now)
            outcome = self.frontier.record(
                check.claim, seen, now=now, comparison=check.comparison,
                unconditional=unconditional,
                next_check_at=now + timedelta(
                    seconds=next_check_in(check.target, fetched, now, interval)
                ),
            )
        except Exception:  # the claim's lease runs out and the page is checked again
            log.exception("recording the check of %s failed; it will be checked again", check.claim.url)
            return
        log_outcome(outcome, fetched)

    def _expire(self, check: Check) -> None:
        if not check.take("abandoned"):
            return
        url = check.claim.url
        elapsed = time.monotonic() - check.started
        timeout = Fetched(url=url, final_url=url, outcome="error", error_class="Deadline",
                          error=f"check of {url} took longer than {self.deadline:.0f} s; abandoned,"
                                " will retry", elapsed_ms=int(elapsed * 1000))
        log.warning("check of %s abandoned after %.0f s", url, elapsed,
                    extra={"url": url, "outcome": "error", "elapsed_ms": int(elapsed * 1000)})
        now = utcnow()
        try:
            self.frontier.record(check.claim, Observation(timeout), now=now,
                                 comparison=check.comparison,
                                 next_check_at=now + timedelta(seconds=min(check.target.every,
                                                                           RETRY_AFTER_ERROR)))
        except Exception:
            log.exception("recording the timeout of %s failed", url)
        finally:
            self._finish(check, "abandoned")

    def _finish(self, check: Check, final: str) -> None:
        with check.lock:
            check.state = final
        if check.timer is not None:
            check.timer.cancel()
        with self._guard:
            self._running.pop(check.claim.page_id, None)
            if final == "abandoned" and check.thread is not None and check.thread.is_alive():
                self._abandoned.append(check.thread)
        check.done.set()
        self.on_free()

    def drain(self, bound: float) -> tuple[int, int]:
        """Let running checks finish within `bound` seconds; cancel the rest (their claims are
        released, so they are due again at the next start). Returns (finished, cancelled)."""
        end = time.monotonic() + bound
        checks = self.running()
        for check in checks:
            check.done.wait(max(0.0, end - time.monotonic()))
        cancelled = 0
        for check in checks:
            if check.take("abandoned"):
                cancelled += 1
                if check.timer is not None:
                    check.timer.cancel()
                try:
                    self.frontier.release(check.claim.page_id)
                except Exception:
                    log.exception("releasing %s failed; the next start releases it", check.claim.url)
                log.warning("check of %s cancelled by the stop", check.claim.url,
                            extra={"url": check.claim.url})
            else:
                check.done.wait(5.0)  # it is writing its result: a short transaction
        return len(checks) - cancelled, cancelled
