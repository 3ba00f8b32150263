"""Small measuring tools shared by the benchmarks: repeated timings, medians, percentiles, memory."""

from __future__ import annotations

import gc
import io
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` (0–1) percentile by linear interpolation between closest ranks (numpy's
    default), so a p95 of 20 samples is not simply the maximum."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall seconds of one call, with the garbage collector settled first so a collection left
    over from the previous run is not charged to this one."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def repeat(fn: Callable[[], Any], runs: int) -> list[float]:
    """Wall seconds of `runs` calls."""
    return [timed(fn)[0] for _ in range(runs)]


def cpu_seconds() -> float:
    """User + system CPU of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB, macOS in bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class CountingSink(io.TextIOBase):
    """A text stream that only counts what is written: export speed without the disk's."""

    def __init__(self) -> None:
        self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def goal(text: str, measured: str, met: bool | None) -> dict[str, Any]:
    """One row of a benchmark's goals table; `met` None when the figure could not be measured."""
    return {"goal": text, "measured": measured, "met": met}
