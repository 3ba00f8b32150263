"""The daemon's heartbeat row (`daemon`): written every tick, read by `marsad status` and
`marsad health` (`schedules.health` judges it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from store.schema import transaction
from store.timestamps import iso, parse_iso


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


def beat(
    db: sqlite_utils.Database,
    *,
    pid: int,
    hostname: str,
    started_at: str,
    now: datetime,
    stale_after: float,
) -> None:
    with transaction(db):
        db.execute(
            "INSERT INTO daemon (id, pid, hostname, started_at, heartbeat_at, stale_after, stopped_at)"
            " VALUES (1, ?, ?, ?, ?, ?, NULL) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid,"
            " hostname = excluded.hostname, started_at = excluded.started_at,"
            " heartbeat_at = excluded.heartbeat_at, stale_after = excluded.stale_after, stopped_at = NULL",
            [pid, hostname, started_at, iso(now), stale_after],
        )


def mark_stopped(db: sqlite_utils.Database, now: datetime) -> None:
    with transaction(db):
        db.execute("UPDATE daemon SET stopped_at = ? WHERE id = 1", [iso(now)])


def daemon_state(db: sqlite_utils.Database) -> DaemonState | None:
    row = db.execute(
        "SELECT pid, hostname, started_at, heartbeat_at, stale_after, stopped_at FROM daemon WHERE id = 1"
    ).fetchone()
    return DaemonState(*row) if row else None
