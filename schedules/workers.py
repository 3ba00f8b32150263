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
from datetime import UTC, datetime

from crawler.fetch import Fetcher
from crawler.models import Fetched, Observation
from schedules import check as road
from schedules.check import PageToCheck
from store.frontier import Claim, Frontier

log = logging.getLogger("marsad.daemon")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class Check:
    claim: Claim
    page: PageToCheck
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

    def __init__(
        self,
        frontier: Frontier,
        fetcher: Callable[[], Fetcher],
        size: int,
        deadline: float,
        on_free: Callable[[], None],
    ) -> None:
        self.frontier = frontier
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
                log.error(
                    "%d abandoned checks are still stuck; not starting more until they end",
                    len(self._abandoned),
                )
                return 0
            return self.size - len(self._running)

    def running(self) -> list[Check]:
        with self._guard:
            return list(self._running.values())

    def start(self, claim: Claim, page: PageToCheck) -> Check:
        check = Check(claim, page)
        check.thread = threading.Thread(
            target=self._work, args=[check], daemon=True, name=f"check-{claim.page_id}"
        )
        check.timer = threading.Timer(self.deadline, self._expire, args=[check])
        check.timer.daemon = True
        with self._guard:
            self._running[claim.page_id] = check
        check.thread.start()
        check.timer.start()
        return check

    def _work(self, running: Check) -> None:
        """The one road (`schedules.check.check`) with the claim `claim_due` gave, recorded
        only if the deadline timer has not abandoned the check meanwhile."""
        recording = False

        def keep() -> bool:
            nonlocal recording
            recording = running.take("recording")
            return recording

        try:
            road.check(self.frontier, self.fetcher(), running.page, claim=running.claim,
                       keep=keep, record_bugs=True)  # fmt: skip
        except Exception:  # the claim's lease runs out and the page is checked again
            log.exception("recording the check of %s failed; it will be checked again",
                          running.claim.url)  # fmt: skip
        finally:
            if recording:
                self._finish(running, "done")

    def _expire(self, check: Check) -> None:
        if not check.take("abandoned"):
            return
        url = check.claim.url
        elapsed = time.monotonic() - check.started
        timeout = Fetched(
            url=url,
            final_url=url,
            outcome="error",
            error_class="Deadline",
            error=f"check of {url} took longer than {self.deadline:.0f} s; abandoned, will retry",
            elapsed_ms=int(elapsed * 1000),
        )
        log.warning(
            "check of %s abandoned after %.0f s",
            url,
            elapsed,
            extra={"url": url, "outcome": "error", "elapsed_ms": int(elapsed * 1000)},
        )
        try:
            road.settle(self.frontier, check.claim, check.page, Observation(timeout), now=utcnow())
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
                    log.exception(
                        "releasing %s failed; the next start releases it", check.claim.url
                    )
                log.warning(
                    "check of %s cancelled by the stop",
                    check.claim.url,
                    extra={"url": check.claim.url},
                )
            else:
                check.done.wait(5.0)  # it is writing its result: a short transaction
        return len(checks) - cancelled, cancelled
