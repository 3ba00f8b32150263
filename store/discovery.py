"""The discovery frontier in SQLite: the sources read to find related pages, and the discovered
pages themselves as ordinary `pages` rows.

Nothing here holds the set of known URLs in memory: every "have we seen it?" is a lookup on the
unique `url_key` index, so a site of 10,000 or 1,000,000 posts costs the same memory. Callers
group the writes of one source read in one `store.schema.transaction`, so a crash leaves either the whole read (its
fetch row, the source's new validators and schedule, the pages it found) or none of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from crawler.models import Fetched, Validators

_SOURCE_COLUMNS = (
    "id, target, url, kind, reason, depth, priority, page_id, discovered_from, etag,"
    " last_modified, last_fetched, read_version, detail"
)


@dataclass(frozen=True)
class Source:
    """A page read only to find others: an article's HTML, an archive, a feed, a sitemap,
    robots.txt or a REST API query."""

    id: int
    target: str
    url: str
    kind: str
    reason: str
    depth: int
    priority: int
    page_id: int | None
    discovered_from: int | None
    validators: Validators
    last_fetched: str | None
    read_version: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KnownPage:
    id: int
    last_checked: str | None
    next_check_at: str | None


def count_sources(db: sqlite_utils.Database, target: str) -> int:
    row = db.execute("SELECT count(*) FROM discovery_sources WHERE target = ?", [target]).fetchone()
    return int(row[0])


def has_source(db: sqlite_utils.Database, target: str, key: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM discovery_sources WHERE target = ? AND url_key = ?", [target, key]
        ).fetchone()
        is not None
    )


def add_source(
    db: sqlite_utils.Database,
    *,
    target: str,
    url: str,
    key: str,
    kind: str,
    reason: str,
    depth: int,
    priority: int,
    now: str,
    page_id: int | None = None,
    discovered_from: int | None = None,
) -> tuple[int, bool]:
    """The source's id, registering it on first sight (due at once), and whether it was new."""
    added = db.execute(
        "INSERT OR IGNORE INTO discovery_sources (target, url, url_key, kind, reason, depth,"
        " priority, page_id, discovered_from, first_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [target, url, key, kind, reason, depth, priority, page_id, discovered_from, now],
    ).rowcount
    row = db.execute(
        "SELECT id FROM discovery_sources WHERE target = ? AND url_key = ?", [target, key]
    ).fetchone()
    return int(row[0]), added > 0


def postpone_source(
    db: sqlite_utils.Database, source_id: int, *, next_fetch_at: str, skipped: str | None = None
) -> None:
    """A source not read this time: due again at `next_fetch_at`; with `skipped`, recorded as
    skipped for that reason (a kind from a newer marsad is only postponed)."""
    if skipped is None:
        db.execute(
            "UPDATE discovery_sources SET next_fetch_at = ? WHERE id = ?",
            [next_fetch_at, source_id],
        )
        return
    db.execute(
        "UPDATE discovery_sources SET next_fetch_at = ?, last_outcome = 'skipped', last_error = ?"
        " WHERE id = ?",
        [next_fetch_at, skipped, source_id],
    )


def links_stale(db: sqlite_utils.Database, target: str, page_id: int) -> bool:
    """Whether an article's links are to be read afresh (fetched without validators): never
    read for `target`, or the page has versions since they were read."""
    row = db.execute(
        "SELECT s.last_fetched IS NULL OR s.read_version < p.versions FROM pages p"
        " LEFT JOIN discovery_sources s ON s.page_id = p.id AND s.target = ? AND s.kind = 'article'"
        " WHERE p.id = ?",
        [target, page_id],
    ).fetchone()
    return bool(row[0]) if row else True


def page_names(db: sqlite_utils.Database, page_id: int) -> list[str]:
    """Every URL the page is known by in its row: watched, final, canonical, short link."""
    row = db.execute(
        "SELECT url, final_url, canonical_url, shortlink FROM pages WHERE id = ?", [page_id]
    ).fetchone()
    return [name for name in row or () if name]


def due_now(db: sqlite_utils.Database, page_id: int, now: str) -> None:
    """The page is to be checked in this pass (`marsad check` always checks its target)."""
    db.execute("UPDATE pages SET next_check_at = ? WHERE id = ?", [now, page_id])


def article_standing(db: sqlite_utils.Database, page_id: int) -> tuple[int, int, str | None]:
    """An article page's depth, number of versions and next check time."""
    depth, versions, next_at = db.execute(
        "SELECT depth, versions, next_check_at FROM pages WHERE id = ?", [page_id]
    ).fetchone()
    return int(depth), int(versions), next_at


def next_due_source(
    db: sqlite_utils.Database, target: str, now: str, *, kinds_except: Iterable[str] = ("article",)
) -> Source | None:
    """The first source of `target` due at `now`, in priority order. One row at a time: sources
    found while reading are picked up by the next call."""
    skip = tuple(kinds_except)
    marks = ",".join("?" * len(skip)) or "''"
    row = db.execute(
        f"SELECT {_SOURCE_COLUMNS} FROM discovery_sources WHERE target = ?"
        f" AND kind NOT IN ({marks}) AND (next_fetch_at IS NULL OR next_fetch_at <= ?)"
        " ORDER BY priority, id LIMIT 1",
        [target, *skip, now],
    ).fetchone()
    return _source(row) if row else None


def next_article_to_read(
    db: sqlite_utils.Database, target: str, max_depth: int, now: str
) -> Source | None:
    """An article page (the target, or one found at a depth below `max_depth`) whose links are
    to be read: never read, changed since they were read, or due for its check."""
    row = db.execute(
        f"SELECT {', '.join('s.' + c.strip() for c in _SOURCE_COLUMNS.split(','))}"
        " FROM discovery_sources s JOIN pages p ON p.id = s.page_id"
        " WHERE s.target = ? AND s.kind = 'article' AND (p.depth < ? OR p.reason = 'target')"
        " AND (s.last_fetched IS NULL OR s.read_version < p.versions"
        "      OR p.next_check_at IS NULL OR p.next_check_at <= ?)"
        " AND (p.claimed_until IS NULL OR p.claimed_until <= ?)"  # the daemon is checking it
        " ORDER BY p.depth, p.id LIMIT 1",
        [target, max_depth, now, now],
    ).fetchone()
    return _source(row) if row else None


def record_source_fetch(
    db: sqlite_utils.Database,
    source: Source,
    fetched: Fetched,
    *,
    now: str,
    next_fetch_at: str,
    outcome: str,
    error: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """A fetch row for the source (page_id NULL, source_id set) and its new state. Validators
    are kept only from a good answer, as for pages."""
    error = error or fetched.error
    db.execute(
        "INSERT INTO fetches (page_id, source_id, url, final_url, redirects, fetched_at, status,"
        " outcome, not_modified, bytes, elapsed_ms, retries, error_class, error)"
        " VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            source.id, fetched.url, fetched.final_url,
            json.dumps([asdict(h) for h in fetched.redirects], ensure_ascii=False),
            now, fetched.status, outcome, int(fetched.outcome == "not_modified"),
            fetched.bytes, fetched.elapsed_ms, fetched.retries, fetched.error_class, error,
        ],
    )  # fmt: skip
    sets = ["last_fetched = ?", "last_outcome = ?", "last_status = ?", "last_error = ?",
            "next_fetch_at = ?"]  # fmt: skip
    values: list[object] = [now, outcome, fetched.status, error, next_fetch_at]
    if fetched.outcome == "ok" and outcome == "read":
        sets += ["etag = ?", "last_modified = ?"]
        values += [fetched.validators.etag, fetched.validators.last_modified]
    if detail is not None:
        sets.append("detail = ?")
        values.append(json.dumps(detail, ensure_ascii=False))
    db.execute(f"UPDATE discovery_sources SET {', '.join(sets)} WHERE id = ?", [*values, source.id])


def record_source_state(
    db: sqlite_utils.Database,
    source: Source,
    *,
    now: str,
    next_fetch_at: str,
    outcome: str,
    status: int | None,
    error: str | None,
) -> None:
    """A source read without a request of its own (robots.txt, from the fetcher's cache)."""
    db.execute(
        "UPDATE discovery_sources SET last_fetched = ?, last_outcome = ?, last_status = ?,"
        " last_error = ?, next_fetch_at = ? WHERE id = ?",
        [now, outcome, status, error, next_fetch_at, source.id],
    )


def mark_read(
    db: sqlite_utils.Database,
    source_id: int,
    *,
    now: str,
    outcome: str,
    next_fetch_at: str | None,
    error: str | None = None,
) -> None:
    """An article source after its page was checked: its links are read as of this version."""
    db.execute(
        "UPDATE discovery_sources SET last_fetched = ?, last_outcome = ?, next_fetch_at = ?,"
        " last_error = ?,"
        " read_version = (SELECT versions FROM pages WHERE pages.id = discovery_sources.page_id)"
        " WHERE id = ?",
        [now, outcome, next_fetch_at, error, source_id],
    )


def mark_not_parsed(db: sqlite_utils.Database, source_id: int, why: str) -> None:
    """A source whose answer was fetched but not parsed (`crawler.guard.parse_risk`)."""
    db.execute(
        "UPDATE discovery_sources SET last_outcome = 'skipped', last_error = ? WHERE id = ?",
        [why, source_id],
    )


def set_detail_if_unset(db: sqlite_utils.Database, source_id: int, detail: dict[str, Any]) -> None:
    db.execute(
        "UPDATE discovery_sources SET detail = ? WHERE id = ? AND detail IS NULL",
        [json.dumps(detail, ensure_ascii=False), source_id],
    )


def source_detail(db: sqlite_utils.Database, target: str, kind: str) -> dict[str, Any]:
    """The merged `detail` of the target's sources of one kind (e.g. the REST term ids)."""
    merged: dict[str, Any] = {}
    for (text,) in db.execute(
        "SELECT detail FROM discovery_sources WHERE target = ? AND kind = ? AND detail IS NOT NULL"
        " ORDER BY id",
        [target, kind],
    ):
        merged.update(json.loads(text))
    return merged


def find_page(db: sqlite_utils.Database, key: str) -> KnownPage | None:
    row = db.execute(
        "SELECT id, last_checked, next_check_at FROM pages WHERE url_key = ?", [key]
    ).fetchone()
    return KnownPage(*row) if row else None


def enqueue_page(
    db: sqlite_utils.Database,
    *,
    url: str,
    key: str,
    target: str,
    reason: str,
    depth: int,
    discovered_from: int | None,
    via: int | None,
    now: str,
) -> int | None:
    """A discovered article as a `pages` row, due at once; None when its key is already known
    (the unique index decides, not a set in memory)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO pages (url, url_key, target, reason, depth, discovered_from,"
        " discovered_via, first_seen, next_check_at) VALUES (?,?,?,?,?,?,?,?,?)",
        [url, key, target, reason, depth, discovered_from, via, now, now],
    )
    if cursor.rowcount != 1 or cursor.lastrowid is None:
        return None
    page_id = int(cursor.lastrowid)
    db.execute("INSERT INTO events (page_id, at, kind) VALUES (?, ?, 'first_seen')", [page_id, now])
    return page_id


def check_now(db: sqlite_utils.Database, page_id: int, *, changed_at: str, now: str) -> bool:
    """Move a page's next check to `now` when a source says it changed (`changed_at`) after our
    last check, and it is not due already. Returns whether it moved."""
    cursor = db.execute(
        "UPDATE pages SET next_check_at = ? WHERE id = ? AND last_checked IS NOT NULL"
        " AND last_checked < ? AND (next_check_at IS NULL OR next_check_at > ?)",
        [now, page_id, changed_at, now],
    )
    return cursor.rowcount == 1


def make_due(
    db: sqlite_utils.Database, target: str, reasons: Iterable[str], *, changed_at: str, now: str
) -> int:
    """Make the target's sources of `reasons` (e.g. its category and tag archives and feeds) due
    now when they were last read before `changed_at`: a site-wide feed or sitemap showed a new
    post, which those sources will say whether it belongs to the target's categories."""
    wanted = tuple(reasons)
    marks = ",".join("?" * len(wanted))
    cursor = db.execute(
        f"UPDATE discovery_sources SET next_fetch_at = ? WHERE target = ? AND kind != 'article'"
        f" AND reason IN ({marks}) AND last_fetched IS NOT NULL AND last_fetched < ?"
        " AND next_fetch_at > ?",
        [now, target, *wanted, changed_at, now],
    )
    return cursor.rowcount


def count_discovered(db: sqlite_utils.Database, target: str) -> int:
    """Pages discovered for `target` (the target itself not counted): the `max_pages` budget."""
    row = db.execute(
        "SELECT count(*) FROM pages WHERE target = ? AND reason != 'target'", [target]
    ).fetchone()
    return int(row[0])


def due_discovered(db: sqlite_utils.Database, target: str, now: str, limit: int) -> list[int]:
    """The ids of the discovered pages of `target` due at `now`, the earliest due first, at
    most `limit` (a round's worth)."""
    rows = db.execute(
        "SELECT id FROM pages WHERE target = ? AND reason != 'target'"
        " AND (next_check_at IS NULL OR next_check_at <= ?)"
        " AND (claimed_until IS NULL OR claimed_until <= ?)"  # the daemon is checking it
        " ORDER BY next_check_at, id LIMIT ?",
        [target, now, now, limit],
    ).fetchall()
    return [int(row[0]) for row in rows]


def _source(row: tuple[Any, ...]) -> Source:
    (id_, target, url, kind, reason, depth, priority, page_id, discovered_from, etag,
     last_modified, last_fetched, read_version, detail) = row  # fmt: skip
    return Source(
        id=id_, target=target, url=url, kind=kind, reason=reason, depth=depth,
        priority=priority, page_id=page_id, discovered_from=discovered_from,
        validators=Validators(etag, last_modified), last_fetched=last_fetched,
        read_version=read_version, detail=json.loads(detail) if detail else {},
    )  # fmt: skip
