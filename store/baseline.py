"""What a check is compared against, and what its content makes of the page's history.

The baseline is the version whose content the page showed last: the latest version, or an
older one the page reverted to. A check whose content equals the baseline is unchanged; one
equal to another of the last `window` versions is a revert to it (flapping: no new version);
anything else is a new version, once it has been seen on `confirm` consecutive checks.

Stored versions are compared after re-applying the target's current ignore rules, so adding a
rule (a view counter) never makes every page change once: the stored hash records the rules of
its day, the comparison uses today's.

Likewise for the extractor: each version records the reader that read it, and a version read
by an older one is compared as today's reader reads its stored body (`store.readings`), so an
upgraded extractor never makes every page change once either.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Literal

import sqlite_utils

from crawler.models import Block, BlockKind
from store.rules import IgnoreRules, Snapshot, content_hash
from store.texts import TextError, decode

log = logging.getLogger("marsad.store")

DEFAULT_WINDOW = 3

Verdict = Literal["unchanged", "new_version", "reverted", "pending"]


@dataclass(frozen=True)
class StoredVersion:
    id: int
    number: int
    snapshot: Snapshot
    content_hash: str  # under the current rules
    read_by: str | None = None  # the reader whose reading `snapshot` is (None: unknown, pre-v10)
    body_hash: str | None = None  # a stored body it was read from, for re-reading
    url: str | None = None  # the URL the body was answered from, for its relative links


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reverted_to: StoredVersion | None = None  # for "reverted"
    pending_count: int = 0  # sightings of a change so far, for "pending"


def stored_snapshot(
    title: str | None, text: str, kinds_json: str, metadata_json: str, rules: IgnoreRules
) -> Snapshot:
    """A version's snapshot rebuilt from its row: `text` holds the blocks joined by a blank line
    (block texts never contain a newline), `blocks` their kinds."""
    texts = text.split("\n\n") if text else []
    try:
        kinds = json.loads(kinds_json)
    except ValueError:
        kinds = []
    if not isinstance(kinds, list) or len(kinds) != len(texts):
        kinds = ["paragraph"] * len(texts)  # an older row: the text is what matters
    try:
        metadata = json.loads(metadata_json or "{}")
    except ValueError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    blocks: list[Block] = [Block(_kind(k), t) for k, t in zip(kinds, texts, strict=True)]
    return Snapshot(
        title=title,
        author=metadata.get("author"),
        published=metadata.get("published"),
        categories=tuple(metadata.get("categories") or ()),
        tags=tuple(metadata.get("tags") or ()),
        blocks=rules.apply(blocks),
    )


def _kind(value: object) -> BlockKind:
    return value if value in ("heading", "paragraph", "list_item", "quote") else "paragraph"


def recent_versions(
    db: sqlite_utils.Database,
    page_id: int,
    baseline_id: int | None,
    rules: IgnoreRules,
    window: int = DEFAULT_WINDOW,
    reader: str | None = None,
) -> tuple[StoredVersion | None, list[StoredVersion]]:
    """The baseline and the last `window` versions of a page (newest first), under `rules`;
    each as `reader` read it when a reading by it is stored, else as its own reader did."""
    rows = db.execute(
        "SELECT v.id, v.version, v.title, t.text, t.zstd, v.blocks, v.metadata, v.reader,"
        " coalesce(v.body_hash, (SELECT body_hash FROM readings WHERE version_id = v.id"
        "   AND body_hash IS NOT NULL ORDER BY read_at DESC LIMIT 1)), v.final_url,"
        " v.content_hash, r.reader, r.title, rt.text, rt.zstd, r.blocks, r.metadata"
        " FROM versions v JOIN texts t ON t.hash = v.text_hash"
        " LEFT JOIN readings r ON r.version_id = v.id AND r.reader = ?"
        " LEFT JOIN texts rt ON rt.hash = r.text_hash"
        " WHERE v.page_id = ?"
        " AND (v.id IN (SELECT id FROM versions WHERE page_id = ? ORDER BY version DESC LIMIT ?)"
        "      OR v.id = ?) ORDER BY v.version DESC",
        [reader, page_id, page_id, max(window, 1), baseline_id if baseline_id is not None else -1],
    ).fetchall()
    stored = []
    for row in rows:
        version_id, number, title, plain, packed, kinds, metadata, read_by, body, url = row[:10]
        saved_hash = row[10]
        if row[11] is not None:  # today's reader has read this version already
            read_by, title, plain, packed, kinds, metadata = row[11:]
        try:
            text = decode(plain, packed) or ""
        except TextError as error:
            # One damaged text must not stop the page's checks (nor a whole `marsad check`
            # pass): it is compared by the hash stored with it, and diffed as if empty.
            log.warning("page %d version %d: %s; compared by its stored hash", page_id, number,
                        error)  # fmt: skip
            snap = stored_snapshot(title, "", kinds, metadata, rules)
            stored.append(StoredVersion(version_id, number, snap, saved_hash, read_by, body, url))
            continue
        snap = stored_snapshot(title, text, kinds, metadata, rules)
        stored.append(
            StoredVersion(version_id, number, snap, content_hash(snap), read_by, body, url)
        )
    if not stored:
        return None, []
    baseline = next((s for s in stored if s.id == baseline_id), stored[0])
    return baseline, stored[: max(window, 1)]


def decide(
    new_hash: str,
    baseline: StoredVersion | None,
    recent: list[StoredVersion],
    *,
    pending_hash: str | None = None,
    pending_count: int = 0,
    confirm: int = 1,
) -> Decision:
    """What a check's content means for the page, before anything is written."""
    if baseline is None:
        return Decision("new_version")  # a first version has nothing to flap against
    if new_hash == baseline.content_hash:
        return Decision("unchanged")
    seen = pending_count + 1 if pending_hash == new_hash else 1
    if seen < confirm:
        return Decision("pending", pending_count=seen)
    earlier = next((s for s in recent if s.content_hash == new_hash and s.id != baseline.id), None)
    if earlier is not None:
        return Decision("reverted", reverted_to=earlier)
    return Decision("new_version")
