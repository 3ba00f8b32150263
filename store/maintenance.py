"""Keeping a months-old database small and healthy, and copying it while the daemon writes.

The database should grow with versions, not with checks: fetch rows that made no version are
pruned by age (their outcome also lives on in `pages.last_checked`/`last_outcome`), and the
pages they free are reused by later inserts, so the file size levels off.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from store.schema import transaction

# rows per transaction: short write locks, so checks and Datasette never wait long
PRUNE_BATCH = 2000


def prune_fetches(
    db: sqlite_utils.Database,
    before: str,
    *,
    batch: int = PRUNE_BATCH,
    lock: AbstractContextManager[object] | None = None,
) -> int:
    """Delete fetch rows older than `before` (ISO UTC) that made no version; returns how many.

    Rows that produced a version are kept: they are the provenance of that version (status,
    redirect chain), and there is one per version. `lock` guards each batch when the connection
    is shared between threads (a `threading.Lock` can be entered again and again).
    """
    deleted = 0
    while True:
        with lock or nullcontext(), transaction(db):
            count = db.execute(
                "DELETE FROM fetches WHERE id IN (SELECT id FROM fetches"
                " WHERE fetched_at < ? AND version_id IS NULL LIMIT ?)",
                [before, batch],
            ).rowcount
        deleted += count
        if count < batch:
            return deleted


def optimize(db: sqlite_utils.Database) -> None:
    """Refresh the planner's statistics (SQLite recommends `PRAGMA optimize` periodically for
    long-lived connections) and fold the WAL back into the main file so it does not grow."""
    db.execute("PRAGMA optimize")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@dataclass(frozen=True)
class Backup:
    path: Path
    bytes: int
    integrity: str


class BackupError(Exception):
    """The backup could not be made; the message says where and why."""


def backup(source: str | Path, destination: str | Path, *, pages: int = 256) -> Backup:
    """Copy a live database with SQLite's online backup API, `pages` at a time so the daemon's
    writes go on between steps. The copy is written beside `destination` and renamed into place
    only after `PRAGMA integrity_check` passes, so a half-made backup never looks complete."""
    source, destination = Path(source), Path(destination)
    if not source.is_file():
        raise BackupError(f"backup: no database at {source}")
    if destination.resolve() == source.resolve():
        raise BackupError(f"backup: {destination} is the database itself; choose another path")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst, pages=pages)
                integrity = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup of {source} to {destination} failed: {error}") from error
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup of {source}: integrity check of the copy said {integrity!r}")
    os.replace(partial, destination)
    return Backup(path=destination, bytes=destination.stat().st_size, integrity=integrity)
