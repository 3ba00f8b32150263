"""Upgrades without false alarms: stored versions compared as today's reader reads them.

A *reader* is what turns a body into content: the extractor version, and one day the
fingerprint of the site rules it learned (`Reader.name` is the comparison key; two checks read
by readers of the same name are comparable as they are). Each version records its reader and
keeps the body it was read from (`bodies`, compressed like texts). When a check is read by
another reader than a stored version it is compared with, that version's body is re-read with
today's reader first, and the reading is kept in `readings` (one per version and reader), so a
page that did not change stays unchanged after an upgrade and only a real edit is a version.
History is never rewritten: a version keeps the text its own reader gave it.

A version stored before schema 10 has no body to re-read. The first check of its page after the
upgrade takes the answer it got as that version's reading (a *rebaseline*, with an event and
no version): a change made between the last check before the upgrade and that one is not seen.

`store` never parses HTML itself: the reader's `read` is handed in by `schedules`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlite_utils

from crawler.models import Extracted, Fetched
from store import identity, texts
from store.baseline import StoredVersion, stored_snapshot
from store.rules import NO_RULES, IgnoreRules, Snapshot, changed_fields, content_hash, snapshot
from store.sitelearn import site_of

log = logging.getLogger("marsad.store")


@dataclass(frozen=True)
class Reader:
    """Today's reader: its name is what the recorder compares; `read` turns a body into content
    (HTML and the URL it was answered from in, an `Extracted` out), the same function the checks
    extract with."""

    extractor_version: str
    read: Callable[[str, str | None], Extracted]
    rules: str = ""  # fingerprint of learned site rules; none yet

    @property
    def name(self) -> str:
        return f"{self.extractor_version}+{self.rules}" if self.rules else self.extractor_version


@dataclass(frozen=True)
class Reread:
    """The check's baseline was brought to today's reader: `kind` is "reread" (its stored body
    read again) or "rebaselined" (no body stored: this check's answer became its reading)."""

    kind: str
    version_id: int
    number: int
    was_read_by: str | None
    reader: str
    text_differs: bool  # whether today's reading differs from the text the version shows
    had_body: bool = (
        True  # for "rebaselined": a body was stored, but today's reader found no article in it
    )

    def detail(self) -> dict[str, object]:
        if self.kind == "reread":
            why = (
                f"the extractor changed ({self.was_read_by} → {self.reader}): version"
                f" {self.number} was re-read from its stored body and compared as today's"
                " extractor reads it"
            )
        else:
            lack = (
                "its stored body has no article for today's extractor"
                if self.had_body
                else "it has no stored body (stored before schema 10)"
            )
            why = (
                f"version {self.number} cannot be re-read: {lack}; this answer, read by"
                f" {self.reader}, is its reading from now on and no version is made"
            )
        return {
            "version": self.number,
            "was_read_by": self.was_read_by,
            "reader": self.reader,
            "text_differs": self.text_differs,
            "why": why,
        }


def as_read_by(
    db: sqlite_utils.Database,
    reader: Reader,
    baseline: StoredVersion | None,
    recent: list[StoredVersion],
    rules: IgnoreRules,
    *,
    fetched: Fetched,
    extracted: Extracted,
    snap: Snapshot,
    now: str,
) -> tuple[StoredVersion | None, list[StoredVersion], Reread | None]:
    """The baseline and recent versions as `reader` reads them, re-reading stored bodies where
    needed (and keeping those readings); a baseline without a body is rebaselined on `snap`,
    this check's content. Runs in the check's transaction."""
    if baseline is None:
        return None, recent, None
    done: dict[int, StoredVersion] = {}
    note: Reread | None = None
    for version in [baseline, *recent]:
        if version.id in done or version.read_by == reader.name:
            continue
        again = _reread(db, reader, version, rules, now)
        if again is not None:
            kind = "reread"
        elif version.id == baseline.id and fetched.body is not None:
            body = texts.store_body(db, fetched)
            meta = (extracted.method, extracted.confidence)
            again = _keep(db, reader, version, "rebaseline", body, snap, meta, rules, now)
            kind = "rebaselined"
        else:  # nothing to re-read: compared as stored, the best there is
            continue
        done[version.id] = again
        if version.id == baseline.id:
            differs = again.content_hash != version.content_hash
            note = Reread(
                kind,
                version.id,
                version.number,
                version.read_by,
                reader.name,
                differs,
                had_body=version.body_hash is not None,
            )
    return done.get(baseline.id, baseline), [done.get(v.id, v) for v in recent], note


def _reread(
    db: sqlite_utils.Database, reader: Reader, version: StoredVersion, rules: IgnoreRules, now: str
) -> StoredVersion | None:
    """The version read from its stored body by `reader`, kept; None without a body, or when
    today's reader finds no article in it (then the stored text is all there is to compare)."""
    body = _body(db, version.body_hash)
    if body is None:
        return None
    extracted = reader.read(body, version.url)
    snap = snapshot(extracted, rules) if not extracted.empty else None
    if snap is None or snap.empty:
        return None
    meta = (extracted.method, extracted.confidence)
    return _keep(db, reader, version, "reread", version.body_hash, snap, meta, rules, now)


def _body(db: sqlite_utils.Database, key: str | None) -> str | None:
    """A stored body, or None when there is none or it is damaged (then the version is treated
    as one without a body: a damaged blob must not stop its page's checks from recording)."""
    if key is None:
        return None
    try:
        return texts.load_body(db, key)
    except texts.TextError as error:
        log.error("body %s: %s", key, error)
        return None


def _keep(
    db: sqlite_utils.Database,
    reader: Reader,
    version: StoredVersion,
    how: str,
    body_hash: str | None,
    snap: Snapshot,
    meta: tuple[str | None, float | None],
    rules: IgnoreRules,
    now: str,
) -> StoredVersion:
    kinds = json.dumps([block.kind for block in snap.blocks])
    metadata = json.dumps(
        {
            "author": snap.author,
            "published": snap.published,
            "categories": list(snap.categories),
            "tags": list(snap.tags),
        },
        ensure_ascii=False,
    )
    db.execute(
        "INSERT OR REPLACE INTO readings (version_id, reader, how, body_hash, title, text_hash,"
        " blocks, metadata, method, confidence, read_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            version.id,
            reader.name,
            how,
            body_hash,
            snap.title,
            texts.store_text(db, snap.text),
            kinds,
            metadata,
            meta[0],
            meta[1],
            now,
        ],
    )
    kept = stored_snapshot(snap.title, snap.text, kinds, metadata, rules)
    return StoredVersion(
        version.id, version.number, kept, content_hash(kept), reader.name, body_hash, version.url
    )


@dataclass(frozen=True)
class Reextracted:
    """One stored version re-read from its body by today's reader (`marsad reextract`)."""

    url: str
    page_id: int
    version: int
    read_by: str | None
    differs: bool
    changed: tuple[str, ...] = ()  # the tracked fields today's reading differs in
    summary: str = ""  # how its text differs, e.g. "+12 −3 words in 2 blocks"

    def to_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "page_id": self.page_id,
            "version": self.version,
            "read_by": self.read_by,
            "differs": self.differs,
            "changed": list(self.changed),
            "summary": self.summary,
        }


def reextract(
    db: sqlite_utils.Database,
    reader: Reader | Callable[[str | None], Reader],
    page: str | None = None,
) -> Iterator[Reextracted | None]:
    """Each version with a stored body (of the page known by URL `page`, if given) re-read by
    `reader` and compared with the content it was stored with; None for each version without a
    body. `reader` may be a function of the version's site (`sitelearn.site_of` of its final
    URL), so a calibrated site is read from its container, as its checks read it. Reads only:
    nothing is written, history stays as it is."""
    from store.diff import diff_snapshots  # only the report needs it

    where, args = "", dict[str, str]()
    if page is not None:
        where = f" WHERE v.page_id IN {identity.pages_named(':page')}"
        args = {"page": page}
    rows = db.execute(
        "SELECT p.url, v.page_id, v.version, v.reader, v.body_hash, v.final_url, v.title,"
        " t.text, t.zstd, v.blocks, v.metadata FROM versions v JOIN pages p ON p.id = v.page_id"
        f" JOIN texts t ON t.hash = v.text_hash{where} ORDER BY v.page_id, v.version",
        args,
    )
    for (
        url,
        page_id,
        number,
        read_by,
        body_hash,
        final_url,
        title,
        plain,
        packed,
        kinds,
        meta,
    ) in rows:
        body = _body(db, body_hash)
        if body is None:
            yield None
            continue
        stored = stored_snapshot(title, texts.decode(plain, packed) or "", kinds, meta, NO_RULES)
        todays = reader if isinstance(reader, Reader) else reader(site_of(final_url or url))
        today = snapshot(todays.read(body, final_url), NO_RULES)
        if content_hash(today) == content_hash(stored):
            yield Reextracted(url, page_id, number, read_by, differs=False)
            continue
        diff = diff_snapshots(stored.blocks, today.blocks)
        yield Reextracted(
            url, page_id, number, read_by, True, changed_fields(stored, today), diff.summary()
        )
