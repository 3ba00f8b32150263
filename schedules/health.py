"""The daemon's heartbeat: written every tick, read by `marsad status` and `marsad health`.

The heartbeat is written by the same job that hands out due pages, so a fresh heartbeat means
the checking loop itself is alive, not merely the process. The daemon stores how old the
heartbeat may get (`stale_after`: twice its tick, which is at most a quarter of the shortest
interval, with a floor against false alarms), so `marsad health` needs no config to judge it.
"""

from __future__ import annotations

from datetime import datetime

from store.heartbeat import DaemonState, beat, daemon_state, mark_stopped

__all__ = [
    "DaemonState",
    "beat",
    "daemon_state",
    "describe",
    "mark_stopped",
    "problem",
    "stale_after",
]

MIN_STALE_AFTER = 10.0  # seconds: a busy disk can delay one write by a few seconds


def stale_after(tick: float) -> float:
    return max(2 * tick, MIN_STALE_AFTER)


def problem(state: DaemonState | None, now: datetime, max_age: float | None = None) -> str | None:
    """Why the daemon is not healthy, in one line; None when it is."""
    if state is None:
        return "no heartbeat: the daemon has never run on this database"
    if state.stopped_at:
        return f"the daemon (pid {state.pid}) stopped at {state.stopped_at}"
    limit = max_age if max_age is not None else state.stale_after
    age = state.age(now)
    if age > limit:
        return (
            f"heartbeat is {age:.0f} s old (stale after {limit:.0f} s): pid {state.pid}"
            f" started {state.started_at} is hung or was killed"
        )
    return None


def describe(state: DaemonState | None, now: datetime) -> str:
    """One line for `marsad status`."""
    trouble = problem(state, now)
    if state is None or trouble:
        return f"daemon: not running ({trouble})"
    where = f" on {state.hostname}" if state.hostname else ""
    return (
        f"daemon: running, pid {state.pid}{where} since {state.started_at};"
        f" heartbeat {state.age(now):.0f} s ago (stale after {state.stale_after:.0f} s)"
    )
