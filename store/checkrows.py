"""The rows a check writes besides a version: the page's new state, its baseline, its events,
and the outcome of a check that gave nothing to compare. `store.versions` decides; these write
what it decided, inside its transaction.
"""

from __future__ import annotations

import json

import sqlite_utils

from crawler.models import Extracted, Fetched
from store.baseline import Decision
from store.newversion import WrittenVersion
from store.readings import Reread
from store.rules import Snapshot

GONE_STATUSES = (404, 410)
# Outcomes after which the page is answering with its article: state ok, validators kept.
GOOD = ("new_version", "unchanged", "not_modified", "reverted", "pending")


def failure(
    fetched: Fetched, extracted: Extracted | None, not_article: str | None, snap: Snapshot | None
) -> tuple[str, str | None, int | None]:
    """The outcome of a check that gave no content to compare: (outcome, error, status)."""
    if fetched.outcome != "ok":
        if fetched.outcome == "error" and fetched.status in GONE_STATUSES:
            return "gone", fetched.error, fetched.status
        return fetched.outcome, fetched.error, fetched.status
    if fetched.body is None:
        return "error", fetched.error or "no body in the answer", fetched.status
    if not_article:
        return "not_article", not_article, fetched.status
    if extracted is None or extracted.empty:
        reason = (extracted.reason if extracted else None) or "no article text"
        return "no_content", reason, fetched.status
    if snap is None:
        return "no_content", "every block of the article matched an ignore rule", fetched.status
    return "unchanged", None, fetched.status  # replaced by the decision


def move_baseline(
    db: sqlite_utils.Database,
    page_id: int,
    decision: Decision,
    written: WrittenVersion | None,
    new_hash: str,
    now: str,
) -> None:
    if decision.verdict == "pending":
        db.execute(
            "UPDATE pages SET pending_hash = ?, pending_count = ? WHERE id = ?",
            [new_hash, decision.pending_count, page_id],
        )
        return
    baseline = written.id if written else decision.reverted_to.id if decision.reverted_to else None
    if baseline is not None:
        db.execute("UPDATE pages SET baseline_version_id = ? WHERE id = ?", [baseline, page_id])
    if decision.reverted_to is not None:
        reverted = decision.reverted_to
        db.execute(
            "INSERT INTO events (page_id, at, kind, version_id, detail) VALUES (?, ?, 'reverted', ?, ?)",
            [page_id, now, reverted.id, json.dumps({"to_version": reverted.number})],
        )
    db.execute("UPDATE pages SET pending_hash = NULL, pending_count = 0 WHERE id = ?", [page_id])


def write_events(
    db: sqlite_utils.Database,
    page_id: int,
    now: str,
    outcome: str,
    state: str,
    written: WrittenVersion | None,
    fetched: Fetched,
    previous_final: str | None,
    status: int | None,
    reread: Reread | None = None,
) -> None:
    def event(kind: str, version_id: int | None = None, detail: object = None) -> None:
        db.execute(
            "INSERT INTO events (page_id, at, kind, version_id, detail) VALUES (?, ?, ?, ?, ?)",
            [
                page_id,
                now,
                kind,
                version_id,
                json.dumps(detail, ensure_ascii=False) if detail is not None else None,
            ],
        )

    if outcome == "gone" and state != "gone":
        event("gone", detail={"status": status})
    if outcome in GOOD and state == "gone":
        event("restored", written.id if written else None, {"status": fetched.status})
    if written:
        event("changed", written.id)
    if (
        outcome in GOOD
        and fetched.redirects
        and previous_final
        and fetched.final_url != previous_final
    ):
        event("redirect_changed", detail={"from": previous_final, "to": fetched.final_url})
    if reread is not None:  # once per page and reader: the reading is kept
        # the version is named in the detail, not linked: the timeline and chart would take the
        # event for that version's change
        event(reread.kind, detail=reread.detail())


def update_page(
    db: sqlite_utils.Database,
    page_id: int,
    now: str,
    outcome: str,
    fetched: Fetched,
    extracted: Extracted | None,
    written: WrittenVersion | None,
    next_check_at: str | None,
    unconditional: bool | None = None,
) -> None:
    assignments = ["last_checked = ?", "last_outcome = ?", "checks = checks + 1"]
    values: list[object] = [now, outcome]
    if unconditional is not None:  # a fetch without validators restarts the count towards the next
        assignments.append("checks_since_full = CASE WHEN ? THEN 0 ELSE checks_since_full + 1 END")
        values.append(unconditional)
    if outcome in GOOD:
        assignments += ["state = 'ok'", "final_url = ?"]
        values.append(fetched.final_url)
        # Validators are kept only once the response was processed and its content became the
        # baseline: one saved after a failed extraction, or while a change awaits confirmation,
        # would make the server answer 304 to a change we never recorded.
        if outcome not in ("not_modified", "pending"):
            assignments += ["etag = ?", "last_modified = ?"]
            values += [fetched.validators.etag, fetched.validators.last_modified]
        if extracted is not None:
            assignments += [
                "canonical_url = coalesce(?, canonical_url)",
                "shortlink = coalesce(?, shortlink)",
            ]
            values += [extracted.canonical_url, extracted.shortlink]
    elif outcome == "gone":
        assignments.append("state = 'gone'")
    elif outcome == "error":
        assignments.append(
            "state = CASE WHEN versions > 0 OR state = 'gone' THEN state ELSE 'error' END"
        )
    if written:
        assignments.append("versions = versions + 1")
    if next_check_at is not None:  # the daemon's claim ends with the check that it covered
        assignments.append("next_check_at = ?, claimed_until = NULL")
        values.append(next_check_at)
    db.execute(f"UPDATE pages SET {', '.join(assignments)} WHERE id = ?", [*values, page_id])
