"""Writing a new version: everything about it is computed once, here, at write time.

The change mask, the diff against the baseline (stored as JSON with its counts and a one-line
summary), the seed similarity and paragraph alignment, and the indexes the version joins
(near-duplicate signature and links; full-text search is added in `_index_new_version`). Runs
inside the check's transaction, so a version never exists without all of these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from crawler.arabic import match_key
from crawler.models import Extracted, Fetched
from store import fts, neardup, texts
from store.baseline import StoredVersion, recent_versions
from store.diff import Diff, diff_snapshots
from store.identity import survivor_of
from store.rules import IgnoreRules, Snapshot, changed_fields
from store.schema import before_commit
from store.seedmatch import Seed, align, parse_seed, seed_similarity

if TYPE_CHECKING:
    from store.readings import Reader


@dataclass(frozen=True)
class PreparedDiff:
    """A diff computed before the check's write lock, against the baseline read then; used
    only if the transaction finds that same baseline and content."""

    baseline_id: int
    baseline_hash: str  # the baseline as read then: a re-read by a newer extractor differs
    content_hash: str
    diff: Diff


def prepare_diff(
    db: sqlite_utils.Database, page_id: int, snap: Snapshot, digest: str, rules: IgnoreRules
) -> PreparedDiff | None:
    """The diff a new version of `page_id` showing `snap` would store, computed outside the
    write lock so other writers do not wait for it; None when the content equals the baseline
    (nothing to write) or there is no baseline yet."""
    row = db.execute(
        "SELECT v.id, v.content_hash FROM pages p JOIN versions v ON v.id = p.baseline_version_id"
        " WHERE p.id = ?",
        [survivor_of(db, page_id)],
    ).fetchone()
    if row is None or row[1] == digest:  # the usual check: unchanged, no diff needed
        return None
    baseline, _recent = recent_versions(db, survivor_of(db, page_id), row[0], rules, window=1)
    if baseline is None or baseline.id != row[0] or baseline.content_hash == digest:
        return None
    return PreparedDiff(
        baseline.id,
        baseline.content_hash,
        digest,
        diff_snapshots(baseline.snapshot.blocks, snap.blocks),
    )


@dataclass(frozen=True)
class WrittenVersion:
    id: int
    number: int
    words_added: int
    words_removed: int


def write_version(
    db: sqlite_utils.Database,
    page_id: int,
    fetched: Fetched,
    extracted: Extracted | None,
    snap: Snapshot,
    digest: str,
    baseline: StoredVersion | None,
    now: str,
    seed: Seed | None,
    reader: Reader | None = None,
    prepared: PreparedDiff | None = None,
) -> WrittenVersion:
    """Insert a version with everything computed once, at write time: mask, diff, seed
    alignment, near-duplicate links; and the body it was read from, with the headers that
    matter and what read it, so a later extractor can re-read it (`store.readings`). A diff
    `prepared` against this baseline is used as is."""
    latest = db.execute("SELECT max(version) FROM versions WHERE page_id = ?", [page_id]).fetchone()
    number = int(latest[0] or 0) + 1
    old = baseline.snapshot if baseline else None
    if (
        prepared
        and baseline
        and (prepared.baseline_id, prepared.baseline_hash, prepared.content_hash)
        == (baseline.id, baseline.content_hash, digest)
    ):
        diff = prepared.diff
    else:
        diff = diff_snapshots(old.blocks if old else (), snap.blocks)
    paragraphs = [block.text for block in snap.blocks]
    alignment = align(seed.paragraphs, paragraphs) if seed else None
    metadata = {
        "author": snap.author,
        "published": snap.published,
        "modified": extracted.modified if extracted else None,
        "categories": list(snap.categories),
        "tags": list(snap.tags),
        "canonical_url": extracted.canonical_url if extracted else None,
        "shortlink": extracted.shortlink if extracted else None,
        "lang": extracted.lang if extracted else None,
        "direction": extracted.direction if extracted else None,
        "image": extracted.image if extracted else None,
    }
    cursor = db.execute(
        "INSERT INTO versions (page_id, version, fetched_at, final_url, title, text_hash, blocks,"
        " metadata, content_hash, changed_fields, diff, words_added, words_removed, blocks_added,"
        " blocks_removed, blocks_changed, diff_summary, base_version, seed_similarity,"
        " seed_alignment, seed_coverage, body_hash, content_type, encoding, etag, last_modified,"
        " method, confidence, extractor_version, reader)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            page_id,
            number,
            now,
            fetched.final_url,
            snap.title,
            texts.store_text(db, snap.text),
            json.dumps([block.kind for block in snap.blocks]),
            json.dumps(metadata, ensure_ascii=False),
            digest,
            json.dumps(list(changed_fields(old, snap))),
            # a first version has nothing to differ from: its diff would only repeat its text
            diff.to_json() if old else None,
            diff.words_added,
            diff.words_removed,
            diff.blocks_added,
            diff.blocks_removed,
            diff.blocks_changed,
            diff.summary() if old else f"first version: {diff.words_added} words",
            baseline.number if baseline else None,
            seed_similarity(seed.text, snap.text) if seed else None,
            alignment.to_json() if alignment else None,
            round(alignment.coverage, 4) if alignment else None,
            texts.store_body(db, fetched),
            fetched.content_type,
            fetched.encoding,
            fetched.validators.etag,
            fetched.validators.last_modified,
            extracted.method if extracted else None,
            extracted.confidence if extracted else None,
            reader.extractor_version if reader else None,
            reader.name if reader else None,
        ],
    )
    version_id = int(cursor.lastrowid or 0)
    _index_new_version(db, version_id, page_id, snap, now)
    return WrittenVersion(version_id, number, diff.words_added, diff.words_removed)


def _index_new_version(
    db: sqlite_utils.Database, version_id: int, page_id: int, snap: Snapshot, now: str
) -> None:
    """The indexes a new version joins, in the check's transaction: at its end, so a round of
    checks recorded together indexes its new versions together (`schema.before_commit`)."""

    def index() -> None:
        text_key = match_key(snap.text)
        fts.index_version(db, version_id, text_key, snap.title)
        sig = neardup.signature(text_key)
        neardup.index_version(db, version_id, page_id, sig)
        neardup.link_near_duplicates(db, version_id, page_id, sig, found_at=_as_datetime(now))

    before_commit(db, index)


def _as_datetime(now: str) -> datetime | None:
    try:
        return datetime.fromisoformat(now)
    except ValueError:
        return None


def seed_for(db: sqlite_utils.Database, page_id: int, seed: Seed | None) -> Seed | None:
    """The seed new versions of the page are aligned with: the one given, or the page's row
    in `seeds` (so a check run without the config still aligns)."""
    if seed is not None:
        return seed
    row = db.execute(
        "SELECT s.name, s.text FROM pages p JOIN seeds s ON s.name = p.seed WHERE p.id = ?",
        [page_id],
    ).fetchone()
    return parse_seed(row[0], row[1]) if row else None
