"""Delivery state of the outbox (`store.outbox`): which rows are due, and what became of them.

A row is `queued`, then `delivered`, or `failed` (its cause kept, retried at `due_at` with
exponential back-off) until `given_up` after the configured number of attempts. A delivered
row is never taken again, so a restart never re-sends it. Only a sender killed between the
receiver's answer and the commit that follows sends a row again: receivers can tell by the
delivery id (docs/notifications.md).

Rows being sent are claimed (`claimed_by` the sender's pid, until `claimed_until`), so two
processes (the daemon and a `marsad check` beside it) never send one row both; a claim ends
with its attempt, when it expires, or as soon as its process is found dead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from store.processes import pid_alive
from store.schema import transaction

DUE_STATES = ("queued", "failed")
_DUE = (
    "state IN ('queued', 'failed') AND due_at <= :now"
    " AND (claimed_until IS NULL OR claimed_until <= :now)"
)


@dataclass(frozen=True)
class Queued:
    id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class ChannelState:
    channel: str
    waiting: int  # queued or failed, not yet delivered
    failed: int  # of those, failed at least once
    given_up: int
    delivered: int
    last_at: str | None
    last_state: str | None
    last_error: str | None

    @property
    def failing(self) -> bool:
        return self.last_state in ("failed", "given_up")


def due_channels(db: sqlite_utils.Database, now: str) -> list[str]:
    rows = db.execute(
        f"SELECT DISTINCT channel FROM notifications WHERE {_DUE} ORDER BY channel", {"now": now}
    ).fetchall()
    return [r[0] for r in rows]


def take_due(
    db: sqlite_utils.Database, channel: str, now: str, claim_until: str, limit: int = 100
) -> list[Queued]:
    """The channel's due rows, oldest first, claimed for this process until `claim_until`."""
    with transaction(db):
        release_dead_claims(db)
        rows = db.execute(
            "SELECT id, channel, kind, payload, attempts FROM notifications"
            f" WHERE channel = :channel AND {_DUE} ORDER BY id LIMIT :limit",
            {"channel": channel, "now": now, "limit": limit},
        ).fetchall()
        for row in rows:
            db.execute(
                "UPDATE notifications SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                [os.getpid(), claim_until, row[0]],
            )
    return [Queued(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]


def release_dead_claims(db: sqlite_utils.Database) -> None:
    """Claims of a process that is gone (killed while sending) end now, not at their expiry."""
    holders = db.execute(
        "SELECT DISTINCT claimed_by FROM notifications WHERE claimed_by IS NOT NULL"
    ).fetchall()
    for (pid,) in holders:
        if pid != os.getpid() and not pid_alive(pid):
            db.execute(
                "UPDATE notifications SET claimed_by = NULL, claimed_until = NULL"
                " WHERE claimed_by = ?",
                [pid],
            )


def mark_delivered(db: sqlite_utils.Database, ids: Sequence[int], now: str) -> None:
    with transaction(db):
        for row_id in ids:
            db.execute(
                "UPDATE notifications SET state = 'delivered', attempts = attempts + 1,"
                " last_attempt_at = ?, delivered_at = ?, error = NULL, claimed_by = NULL,"
                " claimed_until = NULL"
                " WHERE id = ? AND state != 'delivered'",
                [now, now, row_id],
            )


def mark_failed(
    db: sqlite_utils.Database,
    ids: Sequence[int],
    now: str,
    error: str,
    *,
    retry_at: dict[int, str],
    give_up: set[int],
) -> None:
    """A failed attempt: each row retried at `retry_at[id]`, or given up (ids in `give_up`)."""
    with transaction(db):
        for row_id in ids:
            db.execute(
                "UPDATE notifications SET state = ?, attempts = attempts + 1,"
                " last_attempt_at = ?, error = ?, due_at = coalesce(?, due_at),"
                " claimed_by = NULL, claimed_until = NULL"
                " WHERE id = ? AND state != 'delivered'",
                [
                    "given_up" if row_id in give_up else "failed",
                    now,
                    error,
                    retry_at.get(row_id),
                    row_id,
                ],
            )


def channel_states(db: sqlite_utils.Database) -> dict[str, ChannelState]:
    """Each channel's counts and the latest attempt's result."""
    states: dict[str, ChannelState] = {}
    rows = db.execute(
        "SELECT channel, sum(state IN ('queued', 'failed')), sum(state = 'failed'),"
        " sum(state = 'given_up'), sum(state = 'delivered'), max(last_attempt_at)"
        " FROM notifications GROUP BY channel ORDER BY channel"
    ).fetchall()
    for channel, waiting, failed, given_up, delivered, last_at in rows:
        last = (
            db.execute(
                "SELECT state, error FROM notifications WHERE channel = ? AND last_attempt_at = ?"
                " ORDER BY id DESC LIMIT 1",
                [channel, last_at],
            ).fetchone()
            if last_at
            else None
        )
        states[channel] = ChannelState(
            channel,
            waiting or 0,
            failed or 0,
            given_up or 0,
            delivered or 0,
            last_at,
            last[0] if last else None,
            last[1] if last else None,
        )
    return states


def hold_channel(db: sqlite_utils.Database, channel: str, until: str) -> None:
    """A channel that just failed: its other due rows wait until `until` too (no attempt is
    counted), so a channel that is down costs one attempt per back-off, not one per row."""
    with transaction(db):
        db.execute(
            "UPDATE notifications SET due_at = ? WHERE channel = ? AND state IN ('queued', 'failed')"
            " AND due_at < ?",
            [until, channel, until],
        )


def claimed(db: sqlite_utils.Database) -> bool:
    """Whether any row is claimed (a read, so the sender's idle passes write nothing)."""
    return (
        db.execute("SELECT 1 FROM notifications WHERE claimed_by IS NOT NULL LIMIT 1").fetchone()
        is not None
    )


def waiting(db: sqlite_utils.Database) -> int:
    """How many notifications are still to be sent (queued, or failed and due a retry): what a
    one-shot check reports as left for the daemon or the next check."""
    marks = ", ".join("?" * len(DUE_STATES))
    row = db.execute(
        f"SELECT count(*) FROM notifications WHERE state IN ({marks})", DUE_STATES
    ).fetchone()
    return int(row[0])
