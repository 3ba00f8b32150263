"""Recording a check: one fetch row, and a new version only when the article really changed.

What counts as a change is `store.rules` (one snapshot for the hash, the mask and the diff,
after the target's ignore rules) and `store.baseline` (reverts, confirmation). Everything one
check writes (its fetch row, a version with its diff, seed alignment and near-duplicate links,
its events, the page's new state) happens in one transaction, so a crash leaves the whole check
or nothing.

A version's `text` is plain display text, the blocks joined by a blank line, so Datasette shows
and searches it; `blocks` holds only what the text does not: the list of block kinds.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

import sqlite_utils

from crawler.models import Observation
from store import checkrows, identity, outbox, sitelearn
from store.baseline import DEFAULT_WINDOW, Decision, decide, recent_versions
from store.newversion import PreparedDiff, WrittenVersion, prepare_diff, seed_for, write_version
from store.readings import Reader, Reread, as_read_by
from store.rules import NO_RULES, IgnoreRules, Snapshot, content_hash, snapshot
from store.schema import transaction
from store.seedmatch import Seed


@dataclass(frozen=True)
class Comparison:
    """How a target's checks are compared: its seed, its ignore rules, how many checks a change
    must be seen on before it becomes a version, the reader its pages are read with (None:
    stored versions are compared as they are, never re-read) and how many recent versions a
    return to one of them counts as a revert."""

    seed: Seed | None = None
    rules: IgnoreRules = NO_RULES
    confirm: int = 1
    reader: Reader | None = None
    window: int = DEFAULT_WINDOW


AS_STORED = Comparison()  # no seed, no rules, every change at once, stored versions as they are


@dataclass(frozen=True)
class CheckOutcome:
    page_id: int  # the page the check was recorded on (after merging spellings)
    url: str
    # new_version, unchanged, reverted, pending, not_modified, no_content, not_article, gone,
    # error, skipped
    outcome: str
    status: int | None = None
    version: int | None = None
    words_added: int = 0
    words_removed: int = 0
    error: str | None = None
    reverted_to: int | None = None  # the version number a revert went back to


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
    """The page row for `url`, created on first sight; any known spelling finds its page."""
    key = identity.key_of(url) or url
    with transaction(db):
        row = db.execute("SELECT id FROM pages WHERE url = ?", [url]).fetchone()
        page_id = identity.survivor_of(db, int(row[0])) if row else identity.owner(db, key)
        if page_id is None:
            cursor = db.execute(
                "INSERT INTO pages (url, url_key, target, seed, reason, depth, first_seen,"
                " next_check_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [url, key, target or url, seed, reason, depth, now, now],
            )
            page_id = int(cursor.lastrowid or 0)
            db.execute(
                "INSERT INTO events (page_id, at, kind) VALUES (?, ?, 'first_seen')", [page_id, now]
            )
        elif seed is not None:
            db.execute(
                "UPDATE pages SET seed = ? WHERE id = ? AND seed IS NOT ?", [seed, page_id, seed]
            )
        identity.add_aliases(db, page_id, [key], now)
    return page_id


def page_identity(db: sqlite_utils.Database, page_id: int) -> tuple[str, str | None, str | None]:
    """A page's URL, the configured target it belongs to and its seed's name."""
    url, target, seed = db.execute(
        "SELECT url, target, seed FROM pages WHERE id = ?", [page_id]
    ).fetchone()
    return url, target, seed


def record_check(
    db: sqlite_utils.Database,
    page_id: int,
    seen: Observation,
    *,
    now: str,
    comparison: Comparison = AS_STORED,
    next_check_at: str | None = None,
    unconditional: bool | None = None,
) -> CheckOutcome:
    """Store the outcome of one check: what it saw (`seen`), compared as `comparison` says.

    A failed fetch, an empty extraction or a page that is not the article (`seen.not_article`,
    the reason `crawler.notarticle` gave) is never a version and never moves the baseline. A 404
    or 410 marks the page gone; the next good answer marks it restored. New versions are aligned
    with `comparison.seed`, else the page's seed row. `unconditional` says whether the fetch went
    without validators, which restarts the count towards the next such fetch. `seen.same_body`
    says the caller found the body's digest equal to the page's `known_body_hash`, so the page
    was not extracted: its content is the baseline's. Stored versions another reader read are
    compared as `comparison.reader` reads their bodies (`store.readings`).
    """
    # The diff is the one slow step of writing a version: computed first, outside the write
    # lock, against the baseline as it is now (the transaction checks it still is).
    if _is_article(seen):  # read with the site's learned chrome as it is now; see _record
        site_rules = comparison.rules.with_boilerplate(
            sitelearn.learned(db, sitelearn.site_of(seen.fetched.final_url))
        )
        comparison = replace(comparison, rules=site_rules)
    snap = _snapshot(seen, comparison.rules)
    prepared = (
        prepare_diff(db, page_id, snap, content_hash(snap), comparison.rules)
        if snap is not None and not snap.empty and not seen.same_body
        else None
    )
    with transaction(db):
        outcome = _record(
            db,
            page_id,
            seen,
            snap=snap,
            prepared=prepared,
            now=now,
            comparison=comparison,
            next_check_at=next_check_at,
            unconditional=unconditional,
        )
        # The messages this check causes, in its transaction: never lost, never doubled.
        outbox.enqueue_for(db, outcome, now=now)
        return outcome


def _is_article(seen: Observation) -> bool:
    extracted = seen.extracted
    return (
        seen.fetched.ok and extracted is not None and not extracted.empty and not seen.not_article
    )


def _snapshot(seen: Observation, rules: IgnoreRules) -> Snapshot | None:
    if not _is_article(seen) or seen.extracted is None:
        return None
    return snapshot(seen.extracted, rules)


def _record(
    db: sqlite_utils.Database,
    page_id: int,
    seen: Observation,
    *,
    snap: Snapshot | None,
    prepared: PreparedDiff | None,
    now: str,
    comparison: Comparison,
    next_check_at: str | None,
    unconditional: bool | None = None,
) -> CheckOutcome:
    fetched, extracted, reader = seen.fetched, seen.extracted, comparison.reader
    article = _is_article(seen)
    site = sitelearn.site_of(fetched.final_url) if article else None
    if site and extracted is not None:
        # What this page shows teaches the site's chrome, which then counts no more than an
        # ignore rule; learning may have moved since the snapshot was taken outside the lock.
        learned = sitelearn.note(db, identity.survivor_of(db, page_id), site, extracted.blocks, now)
        if learned is None:  # the page showed the same blocks: learning did not move here
            learned = sitelearn.learned(db, site)
        if learned != comparison.rules.boilerplate:
            comparison = replace(comparison, rules=comparison.rules.with_boilerplate(learned))
            snap = snapshot(extracted, comparison.rules)
    if snap is not None and snap.empty:  # every block was ignored: nothing left to compare
        snap = None
    if snap is not None:
        page_id = identity.unite(db, page_id, identity.spellings(fetched, extracted), now)
    else:
        page_id = identity.survivor_of(db, page_id)
    page = db.execute(
        "SELECT url, final_url, state, baseline_version_id, pending_hash, pending_count"
        " FROM pages WHERE id = ?",
        [page_id],
    ).fetchone()
    url, previous_final, state, baseline_id, pending_hash, pending_count = page

    outcome, error, status = checkrows.failure(fetched, extracted, seen.not_article, snap)
    new_hash = content_hash(snap) if snap is not None else None
    if seen.same_body and fetched.ok and known_body_hash(db, page_id) == seen.body_hash:
        # The very bytes whose content is the baseline: unchanged, without a parse.
        outcome, error = "unchanged", None
        new_hash = db.execute(
            "SELECT content_hash FROM versions WHERE id = ?", [baseline_id]
        ).fetchone()[0]
    written: WrittenVersion | None = None
    decision: Decision | None = None
    reread: Reread | None = None
    if snap is not None and new_hash is not None and extracted is not None:
        rules = comparison.rules
        name = reader.name if reader else None
        baseline, recent = recent_versions(db, page_id, baseline_id, rules, comparison.window, name)
        if reader is not None:
            baseline, recent, reread = as_read_by(
                db,
                reader,
                baseline,
                recent,
                rules,
                fetched=fetched,
                extracted=extracted,
                snap=snap,
                now=now,
            )
        decision = decide(
            new_hash,
            baseline,
            recent,
            pending_hash=pending_hash,
            pending_count=pending_count,
            confirm=max(1, comparison.confirm),
        )
        outcome = decision.verdict
        if decision.verdict == "new_version":
            written = write_version(
                db,
                page_id,
                fetched,
                extracted,
                snap,
                new_hash,
                baseline,
                now,
                seed_for(db, page_id, comparison.seed),
                reader,
                prepared,
            )
        checkrows.move_baseline(db, page_id, decision, written, new_hash, now)

    db.execute(
        "INSERT INTO fetches (page_id, url, final_url, redirects, fetched_at, status, outcome,"
        " not_modified, bytes, elapsed_ms, retries, error_class, error, version_id, modified,"
        " content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            page_id,
            fetched.url,
            fetched.final_url,
            json.dumps([asdict(h) for h in fetched.redirects], ensure_ascii=False),
            now,
            fetched.status,
            outcome,
            int(fetched.outcome == "not_modified"),
            fetched.bytes,
            fetched.elapsed_ms,
            fetched.retries,
            fetched.error_class,
            error,
            written.id if written else None,
            extracted.modified if extracted is not None and article else None,
            new_hash,
        ],
    )
    checkrows.write_events(
        db, page_id, now, outcome, state, written, fetched, previous_final, status, reread
    )
    checkrows.update_page(
        db, page_id, now, outcome, fetched, extracted, written, next_check_at, unconditional
    )
    if seen.body_hash is not None and outcome in ("new_version", "unchanged", "reverted"):
        db.execute("UPDATE pages SET body_hash = ? WHERE id = ?", [seen.body_hash, page_id])
    return CheckOutcome(
        page_id=page_id,
        url=url,
        outcome=outcome,
        status=fetched.status,
        version=written.number if written else None,
        words_added=written.words_added if written else 0,
        words_removed=written.words_removed if written else 0,
        error=error,
        reverted_to=decision.reverted_to.number if decision and decision.reverted_to else None,
    )


def known_body_hash(db: sqlite_utils.Database, page_id: int) -> str | None:
    """The body digest a check may be matched against: only while the page is answering with its
    baseline (not gone, no change awaiting confirmation), since the same bytes then mean the same
    content; otherwise the page must be read."""
    row = db.execute(
        "SELECT body_hash FROM pages WHERE id = ? AND state = 'ok' AND pending_hash IS NULL"
        " AND baseline_version_id IS NOT NULL",
        [page_id],
    ).fetchone()
    return row[0] if row else None
