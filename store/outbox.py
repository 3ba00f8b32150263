"""The notification outbox: what a check must tell, written in the check's own transaction.

`enqueue_for` is called by `store.versions.record_check` inside the transaction that records
the check, so a message exists exactly when the version or event it tells of exists: a crash
loses neither and invents neither. Each row's `key` names what it tells and to which channel
(`event:<id>:<channel>`, `failing:<page>:<since>:<channel>`), unique, so nothing is written
twice. The daemon's sender (`schedules.notify`) delivers due rows and marks them here.

Which channels hear of what is the watch list's rules, copied into `notify_routes` when the
watch list is read (`sync_routes`), so deciding needs nothing but the database. Channels are
known here by name only; their URLs and secrets never reach the database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlite_utils

from store import watchwords
from store.diff import Diff
from store.schema import transaction
from store.timestamps import iso, parse_iso

if TYPE_CHECKING:
    from store.versions import CheckOutcome

PAYLOAD_VERSION = 1
EVENTS = ("changed", "gone", "restored", "reverted", "redirect_changed", "failing")
FAILING_OUTCOMES = ("error", "no_content", "not_article")
GOOD_OUTCOMES = ("new_version", "unchanged", "not_modified", "reverted", "pending")
DEFAULT_ROUTE = "*"  # the target of the rules written in [defaults]
EXCERPT_CHARS = 280


@dataclass(frozen=True)
class Route:
    """One channel's rule for one target (or for every target without its own: `*`)."""

    target: str
    channel: str
    events: tuple[str, ...] = EVENTS
    min_words: int = 0
    watch_words: tuple[str, ...] = ()
    failing_for: float | None = 86400.0
    digest: float | None = None


def sync_routes(db: sqlite_utils.Database, routes: Iterable[Route]) -> None:
    """The watch list's rules, replacing those of the last reading (one transaction)."""
    with transaction(db):
        db.execute("DELETE FROM notify_routes")
        for r in routes:
            db.execute(
                "INSERT OR REPLACE INTO notify_routes (target, channel, events, min_words,"
                " watch_words, failing_for, digest) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    r.target,
                    r.channel,
                    json.dumps(list(r.events)),
                    r.min_words,
                    json.dumps(list(r.watch_words), ensure_ascii=False),
                    r.failing_for,
                    r.digest,
                ],
            )


def routes_for(db: sqlite_utils.Database, target: str | None) -> list[Route]:
    """The rules for a page of `target`: the target's own, else those of [defaults]."""
    rows = db.execute(
        "SELECT target, channel, events, min_words, watch_words, failing_for, digest"
        " FROM notify_routes WHERE target = ?"
        " OR (target = ? AND NOT EXISTS (SELECT 1 FROM notify_routes WHERE target = ?))"
        " ORDER BY channel",
        [target or "", DEFAULT_ROUTE, target or ""],
    ).fetchall()
    return [
        Route(r[0], r[1], tuple(json.loads(r[2])), r[3], tuple(json.loads(r[4])), r[5], r[6])
        for r in rows
    ]


def enqueue_for(db: sqlite_utils.Database, outcome: CheckOutcome, *, now: str) -> int:
    """Write the notifications one recorded check causes; called inside its transaction.
    Returns how many rows were written."""
    page = db.execute(
        "SELECT target, url, final_url, first_seen FROM pages WHERE id = ?", [outcome.page_id]
    ).fetchone()
    if page is None:
        return 0
    routes = routes_for(db, page[0])
    if not routes:
        return 0
    failing = any("failing" in r.events and r.failing_for for r in routes)
    told = _told(db, outcome, page, now, failing=failing)
    written = 0
    for kind, key, event_id, version_id, facts, words in told:
        for route in routes:
            if kind not in route.events or not _wanted(route, kind, facts, words, now):
                continue
            message = dict(facts)
            if kind == "changed" and route.watch_words:
                found = watchwords.find(route.watch_words, *words)
                message["watch_words"] = {
                    "appeared": list(found.appeared),
                    "disappeared": list(found.disappeared),
                }
            cursor = db.execute(
                "INSERT OR IGNORE INTO notifications (key, channel, kind, page_id, event_id,"
                " version_id, payload, created_at, due_at) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    f"{key}:{route.channel}",
                    route.channel,
                    kind,
                    outcome.page_id,
                    event_id,
                    version_id,
                    json.dumps(message, ensure_ascii=False),
                    now,
                    digest_due(now, route.digest),
                ],
            )
            written += cursor.rowcount
    return written


def digest_due(now: str, period: float | None) -> str:
    """When a row is first sent: at once, or at the end of its channel's digest period (periods
    aligned on the epoch, so an hourly digest goes out on the hour)."""
    if not period:
        return now
    moment = parse_iso(now)
    seconds = moment.timestamp()
    end = math.floor(seconds / period) * period + period
    return iso(moment + timedelta(seconds=end - seconds))


Told = tuple[str, str, int | None, int | None, dict[str, Any], tuple[list[str], list[str]]]


def _told(
    db: sqlite_utils.Database,
    outcome: CheckOutcome,
    page: tuple[Any, ...],
    now: str,
    *,
    failing: bool = True,
) -> list[Told]:
    """What this check has to tell: the events it wrote, and a failure that has lasted."""
    target, url, final_url, first_seen = page
    base = {
        "format": PAYLOAD_VERSION,
        "at": now,
        "page": {
            "id": outcome.page_id,
            "url": url,
            "final_url": final_url or url,
            "target": target,
        },
    }
    found: list[Told] = []
    events = db.execute(
        "SELECT id, kind, version_id, detail FROM events WHERE page_id = ? AND at = ?"
        " AND kind IN ('changed', 'gone', 'restored', 'reverted', 'redirect_changed') ORDER BY id",
        [outcome.page_id, now],
    ).fetchall()
    for event_id, kind, version_id, raw in events:
        facts: dict[str, Any] = {**base, "event": kind, "detail": json.loads(raw) if raw else None}
        words: tuple[list[str], list[str]] = ([], [])
        if version_id is not None:
            version, words = _version_facts(db, version_id)
            if kind == "changed" and version.get("base_version") is None:
                continue  # a page's first version is its first sight, not a change
            facts.update(version)
        else:
            facts["title"] = _latest_title(db, outcome.page_id)
        if kind == "reverted" and facts["detail"]:
            facts["version"] = facts["detail"].get("to_version")
            facts.pop("base_version", None)
        found.append((kind, f"event:{event_id}", event_id, version_id, facts, words))
    if failing and outcome.outcome in FAILING_OUTCOMES:
        since = (
            db.execute(
                "SELECT max(fetched_at) FROM fetches WHERE page_id = ? AND outcome IN"
                " ('new_version', 'unchanged', 'not_modified', 'reverted', 'pending')",
                [outcome.page_id],
            ).fetchone()[0]
            or first_seen
        )
        facts = {
            **base,
            "event": "failing",
            "since": since,
            "outcome": outcome.outcome,
            "status": outcome.status,
            "error": outcome.error,
            "title": _latest_title(db, outcome.page_id),
        }
        found.append(("failing", f"failing:{outcome.page_id}:{since}", None, None, facts, ([], [])))
    return found


def _wanted(
    route: Route, kind: str, facts: dict[str, Any], words: tuple[list[str], list[str]], now: str
) -> bool:
    if kind == "failing":
        if route.failing_for is None:
            return False
        lasted = (parse_iso(now) - parse_iso(facts["since"])).total_seconds()
        return lasted >= route.failing_for
    if kind != "changed":
        return True
    if route.watch_words:
        return bool(watchwords.find(route.watch_words, *words))
    text_words = int(facts.get("words_added", 0)) + int(facts.get("words_removed", 0))
    fields = facts.get("changed_fields") or []
    return text_words >= route.min_words or any(f != "text" for f in fields)


def _version_facts(
    db: sqlite_utils.Database, version_id: int
) -> tuple[dict[str, Any], tuple[list[str], list[str]]]:
    row = db.execute(
        "SELECT version, base_version, title, words_added, words_removed, changed_fields,"
        " diff, diff_summary FROM versions WHERE id = ?",
        [version_id],
    ).fetchone()
    number, base, title, added_n, removed_n, fields, raw_diff, summary = row
    added: list[str] = []
    removed: list[str] = []
    if raw_diff:
        try:
            added, removed = watchwords.added_and_removed(Diff.from_json(raw_diff))
        except (ValueError, KeyError):  # a diff of another format: counts only
            pass
    facts = {
        "version": number,
        "base_version": base,
        "title": title,
        "words_added": added_n,
        "words_removed": removed_n,
        "changed_fields": json.loads(fields) if fields else [],
        "summary": summary,
        "added": _excerpt(added),
        "removed": _excerpt(removed),
    }
    return facts, (added, removed)


def _excerpt(pieces: list[str]) -> str:
    text = " … ".join(" ".join(p.split()) for p in pieces)
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text[:EXCERPT_CHARS].rsplit(" ", 1)[0]
    return cut + " …"


def _latest_title(db: sqlite_utils.Database, page_id: int) -> str | None:
    row = db.execute(
        "SELECT title FROM versions WHERE page_id = ? ORDER BY version DESC LIMIT 1", [page_id]
    ).fetchone()
    return row[0] if row else None
