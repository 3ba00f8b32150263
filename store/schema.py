"""The database schema and its migrations.

`PRAGMA user_version` is the schema version; each migration runs in one transaction so that a
newer marsad upgrades an older database in place or leaves it untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from store import fts


class DatabaseError(Exception):
    """The database cannot be used; the message says which file and what to do."""


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,          -- the URL the page is watched by
            url_key TEXT NOT NULL UNIQUE,      -- canonical form: one row per article
            final_url TEXT,                    -- after redirects, at the last check
            canonical_url TEXT,
            shortlink TEXT,
            target TEXT,                       -- configured target URL this page belongs to
            seed TEXT REFERENCES seeds(name),
            reason TEXT NOT NULL DEFAULT 'target',   -- why watched: target, linked, category, ...
            discovered_from INTEGER REFERENCES pages(id),
            depth INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'new', -- new, ok, error, gone
            first_seen TEXT NOT NULL,
            last_checked TEXT,
            last_outcome TEXT,
            next_check_at TEXT,
            checks INTEGER NOT NULL DEFAULT 0,
            versions INTEGER NOT NULL DEFAULT 0,
            etag TEXT,
            last_modified TEXT,
            checks_since_full INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute(
        """
        CREATE TABLE seeds (
            name TEXT PRIMARY KEY,             -- file name in seeds/
            url TEXT,                          -- the short link its last line names
            text TEXT NOT NULL,
            loaded_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id),
            version INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            final_url TEXT,
            title TEXT,
            text TEXT NOT NULL,
            blocks TEXT NOT NULL,              -- JSON [{kind, text}]
            metadata TEXT NOT NULL,            -- JSON: author, dates, categories, tags, ...
            content_hash TEXT NOT NULL,
            changed_fields TEXT NOT NULL,      -- JSON list, e.g. ["text", "title"]
            diff TEXT,                         -- JSON, computed once at write time
            words_added INTEGER NOT NULL DEFAULT 0,
            words_removed INTEGER NOT NULL DEFAULT 0,
            seed_similarity REAL,
            UNIQUE (page_id, version)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            page_id INTEGER REFERENCES pages(id),
            url TEXT NOT NULL,
            final_url TEXT,
            redirects TEXT,                    -- JSON [{url, status, location}]
            fetched_at TEXT NOT NULL,
            status INTEGER,
            outcome TEXT NOT NULL,             -- new_version, unchanged, not_modified, error, skipped, ...
            not_modified INTEGER NOT NULL DEFAULT 0,
            bytes INTEGER,
            elapsed_ms INTEGER,
            retries INTEGER NOT NULL DEFAULT 0,
            error_class TEXT,
            error TEXT,
            version_id INTEGER REFERENCES versions(id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,                -- first_seen, changed, gone, restored, redirect_changed
            version_id INTEGER REFERENCES versions(id),
            detail TEXT                        -- JSON
        )
        """
    )
    for sql in (
        "CREATE INDEX idx_versions_page ON versions(page_id, version)",
        "CREATE INDEX idx_versions_fetched ON versions(fetched_at)",
        "CREATE INDEX idx_fetches_page ON fetches(page_id, fetched_at)",
        "CREATE INDEX idx_fetches_at ON fetches(fetched_at)",
        "CREATE INDEX idx_events_page ON events(page_id, at)",
        "CREATE INDEX idx_pages_next ON pages(next_check_at)",
    ):
        db.execute(sql)


def _v2_search(db: sqlite_utils.Database) -> None:
    fts.create_versions_fts(db)


def _v3_discovery(db: sqlite_utils.Database) -> None:
    """The discovery frontier: the sources read to find related pages (article pages, archives,
    feeds, sitemaps, robots.txt, the REST API) with their validators and schedule. Discovered
    articles themselves are ordinary `pages` rows (reason, depth, discovered_from, target)."""
    db.execute(
        """
        CREATE TABLE discovery_sources (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL,              -- configured target URL it serves
            url TEXT NOT NULL,
            url_key TEXT NOT NULL,
            kind TEXT NOT NULL,                -- article, robots, sitemap, feed, archive, rest_post, rest_changes
            reason TEXT NOT NULL,              -- what pages found here are watched for: category, tag, feed, ...
            depth INTEGER NOT NULL DEFAULT 0,  -- depth of the pages found here
            priority INTEGER NOT NULL DEFAULT 5, -- read order within a pass, lowest first
            page_id INTEGER REFERENCES pages(id),            -- for kind article: the page read
            discovered_from INTEGER REFERENCES pages(id),    -- the article that named this source
            first_seen TEXT NOT NULL,
            last_fetched TEXT,
            last_outcome TEXT,                 -- read, not_modified, error, skipped
            last_status INTEGER,
            last_error TEXT,
            next_fetch_at TEXT,
            etag TEXT,
            last_modified TEXT,
            read_version INTEGER NOT NULL DEFAULT 0, -- kind article: the page's versions when read
            detail TEXT,                       -- JSON: REST term ids, watermarks
            UNIQUE (target, url_key)
        )
        """
    )
    db.execute("ALTER TABLE fetches ADD COLUMN source_id INTEGER REFERENCES discovery_sources(id)")
    db.execute("ALTER TABLE pages ADD COLUMN discovered_via INTEGER REFERENCES discovery_sources(id)")
    for sql in (
        "CREATE INDEX idx_sources_due ON discovery_sources(target, next_fetch_at)",
        "CREATE INDEX idx_fetches_source ON fetches(source_id, fetched_at)",
        "CREATE INDEX idx_pages_target ON pages(target, next_check_at)",
    ):
        db.execute(sql)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2_search, _v3_discovery]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at `path`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
        migrate(db)
    except (sqlite3.DatabaseError, OSError) as error:
        raise DatabaseError(
            f"database {path}: {error}; check the path or move the file aside to start afresh"
        ) from error
    return db


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema up to `SCHEMA_VERSION`, one transaction per step. Returns the version."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"schema version {current} is newer than this marsad knows ({SCHEMA_VERSION}); upgrade marsad"
        )
    for number in range(current, SCHEMA_VERSION):
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            MIGRATIONS[number](db)
            db.execute(f"PRAGMA user_version = {number + 1}")
    return SCHEMA_VERSION
