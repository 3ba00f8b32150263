"""Recording a check: one fetch row, and a new version only when the article really changed.

Every check's writes happen in one transaction, so a crash mid-write leaves either the whole
check or nothing.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import asdict, dataclass

import sqlite_utils

from crawler.arabic import match_key
from crawler.models import Extracted, Fetched


@dataclass(frozen=True)
class CheckOutcome:
    page_id: int
    url: str
    outcome: str  # new_version, unchanged, not_modified, no_content, error, skipped
    status: int | None = None
    version: int | None = None
    words_added: int = 0
    words_removed: int = 0
    error: str | None = None


def ensure_page(
    db: sqlite_utils.Database,
    url: str,
    *,
    now: str,
    target: str | None = None,
    seed: str | None = None,
    reason: str = "target",
    depth: int = 0,
) -> int:
    """The page row for `url`, created on first sight."""
    row = db.execute("SELECT id FROM pages WHERE url = ?", [url]).fetchone()
    if row:
        if seed is not None:
            db.execute("UPDATE pages SET seed = ? WHERE id = ? AND seed IS NOT ?", [seed, row[0], seed])
        return int(row[0])
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        cursor = db.execute(
            "INSERT INTO pages (url, url_key, target, seed, reason, depth, first_seen, next_check_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [url, url, target or url, seed, reason, depth, now, now],
        )
        page_id = int(cursor.lastrowid)
        db.execute(
            "INSERT INTO events (page_id, at, kind) VALUES (?, ?, 'first_seen')", [page_id, now]
        )
    return page_id


def _words(text: str) -> list[str]:
    return text.split()


def _shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = match_key(text).split()
    return {tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}


def seed_similarity(seed_text: str, text: str) -> float:
    a, b = _shingles(seed_text), _shingles(text)
    return len(a & b) / len(a | b) if a and b else 0.0


def content_hash(extracted: Extracted) -> str:
    key = json.dumps([match_key(extracted.title or ""), match_key(extracted.text)], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def record_check(
    db: sqlite_utils.Database,
    page_id: int,
    fetched: Fetched,
    extracted: Extracted | None,
    *,
    now: str,
    seed_text: str | None = None,
    next_check_at: str | None = None,
) -> CheckOutcome:
    """Store the outcome of one check. A failure never creates a version nor resets the last one.

    `next_check_at`, when given, is written in the same transaction and the page's claim is
    released, so a crash can never leave a recorded check without its next time (or the reverse).
    """
    page = db.execute("SELECT url, versions, final_url FROM pages WHERE id = ?", [page_id]).fetchone()
    url, version_count, previous_final = page
    outcome = fetched.outcome if fetched.outcome != "ok" else "unchanged"
    error = fetched.error
    version_row = None
    if fetched.ok and (extracted is None or extracted.empty):
        outcome, error = "no_content", (extracted.reason if extracted else None) or "no article text"
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        if fetched.ok and extracted is not None and not extracted.empty:
            digest = content_hash(extracted)
            latest = db.execute(
                "SELECT id, version, content_hash, title, text FROM versions"
                " WHERE page_id = ? ORDER BY version DESC LIMIT 1",
                [page_id],
            ).fetchone()
            if latest is None or latest[2] != digest:
                old_title, old_text = (latest[3], latest[4]) if latest else ("", "")
                changed = []
                if match_key(old_title or "") != match_key(extracted.title or ""):
                    changed.append("title")
                if match_key(old_text) != match_key(extracted.text):
                    changed.append("text")
                added = removed = 0
                ops = difflib.SequenceMatcher(a=_words(old_text), b=_words(extracted.text), autojunk=False)
                for tag, i1, i2, j1, j2 in ops.get_opcodes():
                    if tag in ("replace", "delete"):
                        removed += i2 - i1
                    if tag in ("replace", "insert"):
                        added += j2 - j1
                number = (latest[1] if latest else 0) + 1
                metadata = {k: v for k, v in asdict(extracted).items() if k not in ("blocks", "links")}
                cursor = db.execute(
                    "INSERT INTO versions (page_id, version, fetched_at, final_url, title, text, blocks,"
                    " metadata, content_hash, changed_fields, words_added, words_removed,"
                    " seed_similarity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        page_id, number, now, fetched.final_url, extracted.title, extracted.text,
                        json.dumps([asdict(b) for b in extracted.blocks], ensure_ascii=False),
                        json.dumps(metadata, ensure_ascii=False), digest,
                        json.dumps(changed), added, removed,
                        seed_similarity(seed_text, extracted.text) if seed_text else None,
                    ],
                )
                version_row = (int(cursor.lastrowid), number, added, removed)
                outcome = "new_version"
                db.execute(
                    "INSERT INTO events (page_id, at, kind, version_id) VALUES (?, ?, 'changed', ?)",
                    [page_id, now, version_row[0]],
                )
        db.execute(
            "INSERT INTO fetches (page_id, url, final_url, redirects, fetched_at, status, outcome,"
            " not_modified, bytes, elapsed_ms, retries, error_class, error, version_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                page_id, fetched.url, fetched.final_url,
                json.dumps([asdict(h) for h in fetched.redirects], ensure_ascii=False),
                now, fetched.status, outcome, int(fetched.outcome == "not_modified"),
                fetched.bytes, fetched.elapsed_ms, fetched.retries, fetched.error_class, error,
                version_row[0] if version_row else None,
            ],
        )
        good = outcome in ("new_version", "unchanged", "not_modified")
        if fetched.redirects and previous_final and fetched.final_url != previous_final and good:
            db.execute(
                "INSERT INTO events (page_id, at, kind, detail) VALUES (?, ?, 'redirect_changed', ?)",
                [page_id, now, json.dumps({"from": previous_final, "to": fetched.final_url})],
            )
        assignments = ["last_checked = ?", "last_outcome = ?", "checks = checks + 1"]
        values: list[object] = [now, outcome]
        if good:
            assignments += ["state = 'ok'", "final_url = ?"]
            values.append(fetched.final_url)
            # Validators are kept only after the response was processed: a validator saved after
            # a failed extraction would make the server answer 304 to a change we never saw.
            if outcome != "not_modified":
                assignments += ["etag = ?", "last_modified = ?"]
                values += [fetched.validators.etag, fetched.validators.last_modified]
            if extracted is not None:
                assignments += ["canonical_url = coalesce(?, canonical_url)",
                                "shortlink = coalesce(?, shortlink)"]
                values += [extracted.canonical_url, extracted.shortlink]
        elif outcome == "error":
            assignments.append("state = CASE WHEN versions > 0 THEN state ELSE 'error' END")
        if version_row:
            assignments.append("versions = versions + 1")
        if next_check_at is not None:
            assignments += ["next_check_at = ?", "claimed_until = NULL"]
            values.append(next_check_at)
        db.execute(f"UPDATE pages SET {', '.join(assignments)} WHERE id = ?", [*values, page_id])
    return CheckOutcome(
        page_id=page_id, url=url, outcome=outcome, status=fetched.status,
        version=version_row[1] if version_row else None,
        words_added=version_row[2] if version_row else 0,
        words_removed=version_row[3] if version_row else 0,
        error=error,
    )
