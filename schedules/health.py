"""The daemon's heartbeat: written every tick, read by `marsad status` and `marsad health`.

The heartbeat is written by the same job that hands out due pages, so a fresh heartbeat means
the checking loop itself is alive, not merely the process. The daemon stores how old the
heartbeat may get (`stale_after`: twice its tick, which is at most a quarter of the shortest
interval, with a floor against false alarms), so `marsad health` needs no config to judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from store.frontier import iso, parse_iso

MIN_STALE_AFTER = 10.0  # seconds: a busy disk can delay one write by a few seconds


@dataclass(frozen=True)
class DaemonState:
    pid: int
    hostname: str | None
    started_at: str
    heartbeat_at: str
    stale_after: float
    stopped_at: str | None

    def age(self, now: datetime) -> float:
        return (now - parse_iso(self.heartbeat_at)).total_seconds()


def stale_after(tick: float) -> float:
    return max(2 * tick, MIN_STALE_AFTER)


def beat(db: sqlite_utils.Database, *, pid: int, hostname: str, started_at: str, now: datetime,
         stale_after: float) -> None:
    with db.conn:
        db.execute(
            "INSERT INTO daemon (id, pid, hostname, started_at, heartbeat_at, stale_after, stopped_at)"
            " VALUES (1, ?, ?, ?, ?, ?, NULL) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid,"
            " hostname = excluded.hostname, started_at = excluded.started_at,"
            " heartbeat_at = excluded.heartbeat_at, stale_after = excluded.stale_after, stopped_at = NULL",
            [pid, hostname, started_at, iso(now), stale_after],
        )


def mark_stopped(db: sqlite_utils.Database, now: datetime) -> None:
    with db.conn:
        db.execute("UPDATE daemon SET stopped_at = ? WHERE id = 1", [iso(now)])


def daemon_state(db: sqlite_utils.Database) -> DaemonState | None:
    row = db.execute(
        "SELECT pid, hostname, started_at, heartbeat_at, stale_after, stopped_at FROM daemon WHERE id = 1"
    ).fetchone()
    return DaemonState(*row) if row else None


def problem(state: DaemonState | None, now: datetime, max_age: float | None = None) -> str | None:
    """Why the daemon is not healthy, in one line; None when it is."""
    if state is None:
        return "no heartbeat: the daemon has never run on this database"
    if state.stopped_at:
        return f"the daemon (pid {state.pid}) stopped at {state.stopped_at}"
    limit = max_age if max_age is not None else state.stale_after
    age = state.age(now)
    if age > limit:
        return (f"heartbeat is {age:.0f} s old (stale after {limit:.0f} s): pid {state.pid}"
                f" started {state.started_at} is hung or was killed")
    return None


def describe(state: DaemonState | None, now: datetime) -> str:
    """One line for `marsad status`."""
    trouble = problem(state, now)
    if state is None or trouble:
        return f"daemon: not running ({trouble})"
    where = f" on {state.hostname}" if state.hostname else ""
    return (f"daemon: running, pid {state.pid}{where} since {state.started_at};"
            f" heartbeat {state.age(now):.0f} s ago (stale after {state.stale_after:.0f} s)")
