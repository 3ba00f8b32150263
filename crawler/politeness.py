"""Per-host manners: one request in flight, a delay between requests, backoff, pauses.

Every wait goes through the injected `sleep` and `clock`, so tests drive a fake clock and assert
the delays exactly. The clock is wall time (epoch seconds) because pauses and Retry-After dates
are wall times that `marsad status` shows and the daemon persists across restarts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class HostState:
    """What `marsad status` shows about a host and the daemon saves between runs.

    `paused_until` is epoch seconds (UTC); `paused_until_iso` gives it for people.
    """

    host: str
    failures: int = 0
    paused_until: float | None = None
    last_error: str | None = None

    @property
    def paused_until_iso(self) -> str | None:
        if self.paused_until is None:
            return None
        moment = datetime.fromtimestamp(self.paused_until, tz=UTC)
        return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class _Host:
    lock: threading.Lock
    state: HostState
    next_at: float = 0.0  # earliest start of the next request
    crawl_delay: float = 0.0


class Politeness:
    """The schedule of every host, shared by all threads of one `Fetcher`."""

    def __init__(
        self,
        *,
        min_delay: float,
        jitter: float,
        concurrency: int,
        crawl_delay_max: float,
        backoff_base: float,
        backoff_max: float,
        pause_after: int,
        pause_for: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        random: Callable[[], float],
    ) -> None:
        self.min_delay, self.jitter, self.crawl_delay_max = min_delay, jitter, crawl_delay_max
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.pause_after, self.pause_for = pause_after, pause_for
        self.clock, self.sleep, self.random = clock, sleep, random
        self._global = threading.BoundedSemaphore(max(1, concurrency))
        self._hosts: dict[str, _Host] = {}
        self._guard = threading.Lock()

    def _host(self, host: str) -> _Host:
        with self._guard:
            if host not in self._hosts:
                self._hosts[host] = _Host(threading.Lock(), HostState(host))
            return self._hosts[host]

    def delay(self, host: str) -> float:
        """The gap kept after each request to `host`, before jitter: max(min delay, Crawl-delay)."""
        return max(self.min_delay, self._host(host).crawl_delay)

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        """Apply a robots.txt Crawl-delay, also to the gap already running (the robots.txt
        request itself was spaced by the old delay)."""
        before = self.delay(host)
        entry = self._host(host)
        entry.crawl_delay = min(max(0.0, seconds or 0.0), self.crawl_delay_max)
        if entry.next_at and self.delay(host) > before:
            entry.next_at += self.delay(host) - before

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold the right to send one request to `host`: waits for the host's turn (its lock and
        its next allowed time), then for a global slot. The next turn starts a jittered delay
        after this request ends."""
        entry = self._host(host)
        with entry.lock:
            wait = entry.next_at - self.clock()
            if wait > 0:
                self.sleep(wait)
            with self._global:
                try:
                    yield
                finally:
                    gap = self.delay(host) * (1 + self.jitter * self.random())
                    entry.next_at = max(entry.next_at, self.clock() + gap)

    def defer(self, host: str, seconds: float) -> None:
        """Push the host's next turn at least `seconds` from now (Retry-After, backoff)."""
        entry = self._host(host)
        entry.next_at = max(entry.next_at, self.clock() + seconds)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter for the `attempt`-th retry (0-based)."""
        base = min(self.backoff_max, self.backoff_base * 2**attempt)
        return float(min(self.backoff_max, base * (1 + self.jitter * self.random())))

    def paused_until(self, host: str) -> float | None:
        until = self._host(host).state.paused_until
        return until if until is not None and until > self.clock() else None

    def pause(self, host: str, seconds: float, reason: str) -> None:
        entry = self._host(host)
        until = self.clock() + seconds
        current = entry.state.paused_until or 0.0
        entry.state = replace(entry.state, paused_until=max(until, current), last_error=reason)
        entry.next_at = max(entry.next_at, until)

    def failed(self, host: str, reason: str) -> None:
        """Count one failed check; the `pause_after`-th in a row pauses the host."""
        entry = self._host(host)
        failures = entry.state.failures + 1
        entry.state = replace(entry.state, failures=failures, last_error=reason)
        if failures >= self.pause_after:
            self.pause(host, self.pause_for, reason)

    def succeeded(self, host: str) -> None:
        entry = self._host(host)
        state = entry.state
        if state.failures or state.paused_until is not None or state.last_error is not None:
            entry.state = replace(state, failures=0, paused_until=None, last_error=None)

    def states(self) -> dict[str, HostState]:
        with self._guard:
            return {host: entry.state for host, entry in self._hosts.items()}

    def restore(self, states: dict[str, HostState] | list[HostState]) -> None:
        for state in states.values() if isinstance(states, dict) else states:
            entry = self._host(state.host)
            entry.state = state
            if state.paused_until:
                entry.next_at = max(entry.next_at, state.paused_until)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    None when absent or unreadable; never negative."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)
