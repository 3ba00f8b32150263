"""What the command line reads of the stored history: each page's standing for `marsad status`,
and a version's text for `marsad diff`. Named reads, so `schedules/` writes no SQL of its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

# Outcomes whose reason (the latest fetch row's error) `marsad status` shows.
_EXPLAINED = ("error", "skipped", "no_content", "not_article", "gone")


@dataclass(frozen=True)
class PageStanding:
    """One watched page as `marsad status` shows it."""

    url: str
    final_url: str | None
    state: str
    last_checked: str | None
    last_outcome: str | None
    next_check_at: str | None
    versions: int
    claimed_until: str | None
    claimed_by: str | None  # the claim's holder, `pid@host` (store.processes)
    why: str | None  # the latest check's error, for an outcome that has one


@dataclass(frozen=True)
class HostTrouble:
    failures: int
    paused_until: str | None
    last_error: str | None


def standings(db: sqlite_utils.Database) -> list[PageStanding]:
    """Every page, oldest first, with the reason of its latest check when it went wrong."""
    marks = ",".join("?" * len(_EXPLAINED))
    rows = db.execute(
        "SELECT url, final_url, state, last_checked, last_outcome, next_check_at, versions,"
        f" claimed_until, claimed_by, CASE WHEN last_outcome IN ({marks})"
        " THEN (SELECT error FROM fetches WHERE page_id = pages.id ORDER BY id DESC LIMIT 1)"
        " END FROM pages ORDER BY id",
        list(_EXPLAINED),
    ).fetchall()
    return [PageStanding(*row) for row in rows]


def troubled_hosts(db: sqlite_utils.Database) -> dict[str, HostTrouble]:
    """Hosts with failures or a pause, by host name."""
    return {
        row[0]: HostTrouble(*row[1:])
        for row in db.execute(
            "SELECT host, failures, paused_until, last_error FROM hosts"
            " WHERE failures > 0 OR paused_until IS NOT NULL"
        )
    }


def search(db: sqlite_utils.Database, words: str, limit: int) -> Iterator[dict[str, Any]]:
    """The versions holding all `words`, newest first, as Datasette's `search` query lists them
    (url, page_id, version, fetched_at, title, excerpt)."""
    from store import fts
    from store.queries import SEARCH_SQL

    fts.register(db.conn)
    cursor = db.conn.execute(SEARCH_SQL + "LIMIT :limit", {"q": words, "limit": limit})
    columns = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(columns, row))


def version_count(db: sqlite_utils.Database, page_id: int) -> int:
    row = db.execute("SELECT versions FROM pages WHERE id = ?", [page_id]).fetchone()
    return int(row[0]) if row else 0


def version_text(db: sqlite_utils.Database, page_id: int, number: int) -> str | None:
    """The display text of version `number` of the page, or None when it has no such version."""
    row = db.execute(
        "SELECT marsad_text(t.text, t.zstd) FROM versions v JOIN texts t ON t.hash = v.text_hash"
        " WHERE v.page_id = ? AND v.version = ?",
        [page_id, number],
    ).fetchone()
    return row[0] if row else None
