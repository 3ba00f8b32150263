"""The migration steps, one function per schema version, only ever appended.

A step never calls today's code: what its data steps need (URL keys, match keys, signatures,
text storage, the word index) is frozen beside it in `frozen_urls`, `frozen_arabic` and
`frozen_index`, so an old migration means what it meant when it was released, however
`crawler.urls`, `crawler.arabic`, `store.neardup`, `store.texts` or `store.fts` change later.
A later change that must reach stored rows gets its own step.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlite_utils

from store.migrations.frozen_arabic import match_key
from store.migrations.frozen_index import rebuild_word_search, store_text
from store.migrations.frozen_urls import url_key


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
    """The search index was created here (trigram); `_v9_word_search` builds its successor."""


def _v3_versions(db: sqlite_utils.Database) -> None:
    """Versions, diffs and deduplication (issue 5).

    Written out in full rather than calling today's helpers for the DDL, so this step does the
    same thing whatever later code looks like; its data steps (URL keys, near-duplicate
    signatures) use the frozen copies in this package, for the same reason.
    """
    for sql in (
        # pages: what we compare against, a change awaiting confirmation, one page per article
        "ALTER TABLE pages ADD COLUMN baseline_version_id INTEGER REFERENCES versions(id)",
        "ALTER TABLE pages ADD COLUMN pending_hash TEXT",
        "ALTER TABLE pages ADD COLUMN pending_count INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE pages ADD COLUMN merged_into INTEGER REFERENCES pages(id)",
        # versions: the stored diff's counts and summary, what it is against, the seed alignment
        "ALTER TABLE versions ADD COLUMN blocks_added INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE versions ADD COLUMN blocks_removed INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE versions ADD COLUMN blocks_changed INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE versions ADD COLUMN diff_summary TEXT",
        "ALTER TABLE versions ADD COLUMN base_version INTEGER",
        "ALTER TABLE versions ADD COLUMN seed_alignment TEXT",
        "ALTER TABLE versions ADD COLUMN seed_coverage REAL",
        # fetches: what each check saw, so an unchanged check still records a new `modified`
        "ALTER TABLE fetches ADD COLUMN modified TEXT",
        "ALTER TABLE fetches ADD COLUMN content_hash TEXT",
        """CREATE TABLE page_aliases (
            url_key TEXT PRIMARY KEY,          -- crawler.urls.url_key of a spelling seen
            page_id INTEGER NOT NULL REFERENCES pages(id),
            first_seen TEXT
        )""",
        "CREATE INDEX idx_page_aliases_page ON page_aliases(page_id)",
        # store.neardup's index (see its docstring for why WITHOUT ROWID and these keys)
        """CREATE TABLE near_dup_signatures (
            version_id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL,
            sig BLOB NOT NULL
        )""",
        """CREATE TABLE near_dup_bands (
            band INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            version_id INTEGER NOT NULL,
            page_id INTEGER NOT NULL,
            PRIMARY KEY (band, bucket, version_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE near_duplicates (
            version_a INTEGER NOT NULL,
            version_b INTEGER NOT NULL,
            page_a INTEGER NOT NULL,
            page_b INTEGER NOT NULL,
            similarity REAL NOT NULL,
            found_at TEXT NOT NULL,
            PRIMARY KEY (version_a, version_b)
        )""",
        "CREATE INDEX idx_near_duplicates_b ON near_duplicates(version_b)",
        "CREATE INDEX idx_near_duplicates_pages ON near_duplicates(page_a, page_b)",
        "CREATE INDEX idx_near_duplicates_page_b ON near_duplicates(page_b)",
        # UNIQUE (page_id, version) already indexes the latest version and a page's history
        "DROP INDEX IF EXISTS idx_versions_page",
        # Datasette's "rows linking here" and the check that every version has its fetch
        "CREATE INDEX idx_fetches_version ON fetches(version_id)",
        "CREATE INDEX idx_events_version ON events(version_id)",
    ):
        db.execute(sql)
    _v2_blocks_as_kinds(db)
    _v2_url_keys(db)
    _v2_signatures(db)


def _v2_blocks_as_kinds(db: sqlite_utils.Database) -> None:
    """v1 kept each block's text twice (in `text` and in `blocks`); keep only the kinds."""
    rows = db.execute("SELECT id, blocks FROM versions").fetchall()
    for version_id, raw in rows:
        try:
            blocks = json.loads(raw)
        except ValueError:
            continue
        if isinstance(blocks, list) and all(isinstance(b, dict) for b in blocks):
            kinds = [str(b.get("kind", "paragraph")) for b in blocks]
            db.execute(
                "UPDATE versions SET blocks = ? WHERE id = ?", [json.dumps(kinds), version_id]
            )


def _v2_url_keys(db: sqlite_utils.Database) -> None:
    """v1 stored the URL itself as the key; key every page and every spelling it declared."""
    pages = db.execute("SELECT id, url, final_url, canonical_url, shortlink FROM pages ORDER BY id")
    for page_id, *urls in pages.fetchall():
        keys = [_key_or_none(u) for u in urls if u]
        own = keys[0] if keys else None
        if own and not db.execute("SELECT 1 FROM pages WHERE url_key = ?", [own]).fetchone():
            db.execute("UPDATE pages SET url_key = ? WHERE id = ?", [own, page_id])
        for key in filter(None, keys):
            db.execute(
                "INSERT OR IGNORE INTO page_aliases (url_key, page_id) VALUES (?, ?)",
                [key, page_id],
            )


def _v2_signatures(db: sqlite_utils.Database) -> None:
    """Index the versions already stored, so a new version finds its duplicates among them."""
    # numpy and datasketch: only when needed
    from store.migrations.frozen_index import index_version, signature

    for version_id, page_id, text in db.execute(
        "SELECT id, page_id, text FROM versions"
    ).fetchall():
        index_version(db, version_id, page_id, signature(match_key(text)))


def _key_or_none(url: str) -> str | None:
    try:
        return url_key(url)
    except ValueError:  # not an http(s) URL: it keys nothing
        return None


def _v4_daemon(db: sqlite_utils.Database) -> None:
    """The daemon's own state: its heartbeat, hosts' back-off, and claims on pages being checked."""
    db.execute(
        """
        CREATE TABLE daemon (
            id INTEGER PRIMARY KEY CHECK (id = 1),   -- one daemon per database
            pid INTEGER NOT NULL,
            hostname TEXT,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL,
            stale_after REAL NOT NULL,         -- seconds after which the heartbeat means "dead"
            stopped_at TEXT                    -- set on a clean stop; NULL while running
        )
        """
    )
    db.execute(
        """
        CREATE TABLE hosts (
            host TEXT PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            paused_until TEXT,                 -- ISO 8601 UTC, or NULL when not paused
            last_error TEXT,
            updated_at TEXT NOT NULL
        )
        """
    )
    # A claimed page is being checked until this time; a crash leaves a claim that the next
    # start clears (one daemon per database), so the page is checked once more, not twice.
    db.execute("ALTER TABLE pages ADD COLUMN claimed_until TEXT")


def _v5_discovery(db: sqlite_utils.Database) -> None:
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
    db.execute(
        "ALTER TABLE pages ADD COLUMN discovered_via INTEGER REFERENCES discovery_sources(id)"
    )
    for sql in (
        "CREATE INDEX idx_sources_due ON discovery_sources(target, next_fetch_at)",
        "CREATE INDEX idx_fetches_source ON fetches(source_id, fetched_at)",
        "CREATE INDEX idx_pages_target ON pages(target, next_check_at)",
    ):
        db.execute(sql)


def _v6_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for what Datasette users open most: the latest changes read events newest first
    (a scan of every event without it: 150 ms at 100,000 versions, 3 ms with it)."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_events_at ON events(at, id)")


def _v7_body_hash(db: sqlite_utils.Database) -> None:
    """The digest of the last body whose content is the page's baseline: the same bytes again
    (under the same ignore rules) are "unchanged" without parsing them."""
    db.execute("ALTER TABLE pages ADD COLUMN body_hash TEXT")


def _v8_texts(db: sqlite_utils.Database) -> None:
    """Texts stored once per distinct content, compressed with zstd above a size
    (`store.texts`): versions point at them by hash instead of each holding its own copy."""
    db.execute(
        """
        CREATE TABLE texts (
            hash TEXT PRIMARY KEY,             -- SHA-256 of the UTF-8 display text
            size INTEGER NOT NULL,             -- bytes of the UTF-8 display text
            text TEXT,                         -- the text, when it is stored plain
            zstd BLOB,                         -- the text as a zstd frame, when it is not
            CHECK ((text IS NULL) <> (zstd IS NULL))
        )
        """
    )
    db.execute("ALTER TABLE versions ADD COLUMN text_hash TEXT REFERENCES texts(hash)")
    for version_id, text in db.execute("SELECT id, text FROM versions").fetchall():
        key = store_text(db, text or "")
        db.execute("UPDATE versions SET text_hash = ? WHERE id = ?", [key, version_id])
    db.execute("ALTER TABLE versions DROP COLUMN text")
    db.execute("CREATE INDEX idx_versions_text ON versions(text_hash)")
    # Each version with its text in plain form, for Datasette, exports and ad-hoc SQL; needs
    # the marsad_text function, which every marsad connection and the Datasette plugin register.
    db.execute(
        """
        CREATE VIEW version_texts AS
        SELECT v.id, v.page_id, p.url, v.version, v.fetched_at, v.title,
               marsad_text(t.text, t.zstd) AS text, t.size, v.text_hash, v.content_hash
        FROM versions v JOIN texts t ON t.hash = v.text_hash JOIN pages p ON p.id = v.page_id
        """
    )


def _v9_word_search(db: sqlite_utils.Database) -> None:
    """Search by words with their clitics seen through, instead of trigrams (`store.fts`):
    the trigram index took 620 ms for two common words at 1,000,000 versions and kept a second
    copy of every text."""
    rebuild_word_search(db)


def _v10_bodies(db: sqlite_utils.Database) -> None:
    """Upgrades without false alarms (issue 14, section 4): the body of every answer that became
    a version, stored once per content and compressed like texts, with the headers that matter
    and the reader (extractor version) that read it; `readings` holds a version re-read by a
    newer reader, so a changed extractor compares like with like. DDL only: the versions stored
    before have no body, and their first check after the upgrade re-baselines them."""
    for sql in (
        """CREATE TABLE bodies (
            hash TEXT PRIMARY KEY,             -- SHA-256 of the UTF-8 document
            size INTEGER NOT NULL,             -- bytes of the UTF-8 document
            text TEXT,                         -- the document, when stored plain
            zstd BLOB,                         -- the document as a zstd frame, when it is not
            CHECK ((text IS NULL) <> (zstd IS NULL))
        )""",
        "ALTER TABLE versions ADD COLUMN body_hash TEXT REFERENCES bodies(hash)",
        "ALTER TABLE versions ADD COLUMN content_type TEXT",
        "ALTER TABLE versions ADD COLUMN encoding TEXT",
        "ALTER TABLE versions ADD COLUMN etag TEXT",
        "ALTER TABLE versions ADD COLUMN last_modified TEXT",
        "ALTER TABLE versions ADD COLUMN method TEXT",
        "ALTER TABLE versions ADD COLUMN confidence REAL",
        "ALTER TABLE versions ADD COLUMN extractor_version TEXT",
        "ALTER TABLE versions ADD COLUMN reader TEXT",
        "CREATE INDEX idx_versions_body ON versions(body_hash)",
        """CREATE TABLE readings (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            reader TEXT NOT NULL,              -- the reader whose reading this is
            how TEXT NOT NULL,                 -- reread (its own body) or rebaseline (no body)
            body_hash TEXT REFERENCES bodies(hash),  -- the document read
            title TEXT,
            text_hash TEXT NOT NULL REFERENCES texts(hash),
            blocks TEXT NOT NULL,              -- JSON list of block kinds, as in versions
            metadata TEXT NOT NULL,            -- JSON, as in versions
            method TEXT,
            confidence REAL,
            read_at TEXT NOT NULL,
            PRIMARY KEY (version_id, reader)
        )""",
        "CREATE INDEX idx_readings_body ON readings(body_hash)",
        "CREATE INDEX idx_readings_text ON readings(text_hash)",
    ):
        db.execute(sql)


def _v11_site_rules(db: sqlite_utils.Database) -> None:
    """Learning the site (issue 14, section 3): the match keys of each page's blocks as last
    extracted, and the blocks learned as a site's chrome from them (`store.sitelearn`); the
    container a WordPress site's posts are calibrated to, and each check's agreement with the
    post's own text. DDL only: learning starts with the next check of each page."""
    for sql in (
        """CREATE TABLE block_sightings (
            page_id INTEGER NOT NULL REFERENCES pages(id),
            site TEXT NOT NULL,                -- host[:port] of the page's final URL
            key TEXT NOT NULL,                 -- hash of the block's match key
            text TEXT NOT NULL,                -- the block's text (its start), to show people
            PRIMARY KEY (page_id, key)
        )""",
        "CREATE INDEX idx_block_sightings_site ON block_sightings(site, key)",
        """CREATE TABLE site_boilerplate (
            site TEXT NOT NULL,
            key TEXT NOT NULL,
            text TEXT NOT NULL,                -- what was learned
            pages INTEGER NOT NULL,            -- pages of the site it was seen on
            site_pages INTEGER NOT NULL,       -- pages of the site seen at all
            learned_at TEXT NOT NULL,
            PRIMARY KEY (site, key)
        )""",
        """CREATE TABLE site_containers (
            site TEXT PRIMARY KEY,
            container TEXT NOT NULL,           -- signature of the element holding the posts
            agreement_before REAL,             -- the scorer's token F1 with the post's own text
            agreement_after REAL,              -- the container's token F1 with it
            post_url TEXT,                     -- the post it was calibrated on
            learned_at TEXT NOT NULL
        )""",
        # how far a check's extraction agreed with WordPress' own text of the post (0..1)
        "ALTER TABLE fetches ADD COLUMN agreement REAL",
    ):
        db.execute(sql)


def _v12_notifications(db: sqlite_utils.Database) -> None:
    """Notifications (issue 15): the watch list's rules per target, kept here so a check decides
    in its own transaction what it must tell whom, and the outbox of messages that decision
    wrote, with their delivery state. Channels appear by name only: their URLs and secrets stay
    in the watch list and the environment. Self-contained DDL: renumbering it is trivial."""
    for sql in (
        """CREATE TABLE notify_routes (
            target TEXT NOT NULL,              -- configured target URL, or '*' for [defaults]
            channel TEXT NOT NULL,             -- a channel's name in [notify.channels]
            events TEXT NOT NULL,              -- JSON list: changed, gone, restored, ...
            min_words INTEGER NOT NULL DEFAULT 0,
            watch_words TEXT NOT NULL DEFAULT '[]',  -- JSON list, as written
            failing_for REAL,                  -- seconds; NULL: failing is not told
            digest REAL,                       -- seconds between digests; NULL: one message each
            PRIMARY KEY (target, channel)
        )""",
        """CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,            -- the delivery id receivers see
            key TEXT NOT NULL UNIQUE,          -- what it tells and to whom: never written twice
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,                -- changed, gone, restored, reverted, redirect_changed, failing
            page_id INTEGER REFERENCES pages(id),
            event_id INTEGER REFERENCES events(id),
            version_id INTEGER REFERENCES versions(id),
            payload TEXT NOT NULL,             -- JSON: what the message says
            created_at TEXT NOT NULL,
            due_at TEXT NOT NULL,              -- next attempt (a digest's end for digest channels)
            state TEXT NOT NULL DEFAULT 'queued',  -- queued, failed (will retry), delivered, given_up
            attempts INTEGER NOT NULL DEFAULT 0,
            last_attempt_at TEXT,
            delivered_at TEXT,
            error TEXT,                        -- the last failure's cause, never a secret
            claimed_by INTEGER,                -- pid of the process sending it right now
            claimed_until TEXT                 -- its claim ends then (or when that process dies)
        )""",
        "CREATE INDEX idx_notifications_due ON notifications(state, due_at)",
        "CREATE INDEX idx_notifications_channel ON notifications(channel, id)",
        "CREATE INDEX idx_notifications_page ON notifications(page_id)",
        "CREATE INDEX idx_notifications_event ON notifications(event_id)",
        "CREATE INDEX idx_notifications_version ON notifications(version_id)",
        # the sender's every pass asks whether any row is claimed: no scan of the delivered ones
        "CREATE INDEX idx_notifications_claimed ON notifications(claimed_by) WHERE claimed_by IS NOT NULL",
    ):
        db.execute(sql)


def _v13_cheap_checks(db: sqlite_utils.Database) -> None:
    """A check's cost no longer grows with the database (issue 17). Learning a site without
    reading all of it: how many pages of each site have sightings and on how many each block was
    seen, kept by triggers on `block_sightings` (with the least of its texts, the one
    `site_boilerplate` shows), so a check re-learns its site from the few blocks near the
    thresholds instead of counting every page's blocks again; the counts are filled from the
    sightings already there. And the calibrated fetches indexed apart, so asking whether a site
    is due a calibration (`store.sitecal.not_due_before`) reads the day's few calibrated checks, not every
    check of the day. Self-contained DDL and SQL."""
    for sql in (
        "CREATE INDEX idx_fetches_calibrated ON fetches(fetched_at) WHERE agreement IS NOT NULL",
        """CREATE TABLE site_pages (
            site TEXT PRIMARY KEY,
            pages INTEGER NOT NULL              -- pages of the site with sightings
        )""",
        """CREATE TABLE site_block_counts (
            site TEXT NOT NULL,
            key TEXT NOT NULL,
            pages INTEGER NOT NULL,            -- pages of the site the block was seen on
            text TEXT NOT NULL,                -- the least of its sightings' texts
            PRIMARY KEY (site, key)
        )""",
        "CREATE INDEX idx_site_block_counts_pages ON site_block_counts(site, pages)",
        """CREATE TRIGGER block_sighting_added AFTER INSERT ON block_sightings BEGIN
            INSERT INTO site_block_counts (site, key, pages, text)
                VALUES (NEW.site, NEW.key, 1, NEW.text)
                ON CONFLICT (site, key) DO UPDATE SET pages = pages + 1,
                    text = min(text, excluded.text);
            INSERT INTO site_pages (site, pages) SELECT NEW.site, 0
                WHERE NOT EXISTS (SELECT 1 FROM site_pages WHERE site = NEW.site);
            -- `+site`: the page's few rows by its primary key, not the site's many by site
            UPDATE site_pages SET pages = pages + 1 WHERE site = NEW.site AND NOT EXISTS (
                SELECT 1 FROM block_sightings WHERE page_id = NEW.page_id AND +site = NEW.site
                AND key != NEW.key);
        END""",
        """CREATE TRIGGER block_sighting_removed AFTER DELETE ON block_sightings BEGIN
            UPDATE site_block_counts SET pages = pages - 1,
                text = CASE WHEN text = OLD.text THEN coalesce((SELECT min(text)
                    FROM block_sightings WHERE site = OLD.site AND key = OLD.key), text)
                    ELSE text END
                WHERE site = OLD.site AND key = OLD.key;
            DELETE FROM site_block_counts WHERE site = OLD.site AND key = OLD.key AND pages <= 0;
            UPDATE site_pages SET pages = pages - 1 WHERE site = OLD.site AND NOT EXISTS (
                SELECT 1 FROM block_sightings WHERE page_id = OLD.page_id AND +site = OLD.site);
        END""",
        """INSERT INTO site_block_counts (site, key, pages, text)
            SELECT site, key, count(*), min(text) FROM block_sightings GROUP BY site, key""",
        """INSERT INTO site_pages (site, pages)
            SELECT site, count(DISTINCT page_id) FROM block_sightings GROUP BY site""",
    ):
        db.execute(sql)


def _v14_merged_sightings(db: sqlite_utils.Database) -> None:
    """A page merged into another (the same article under a second URL) no longer counts for
    its site's learning: the sightings merged pages kept are dropped (schema 13's triggers
    lower the counts); learning catches up at the next change on each site. Self-contained SQL."""
    db.execute(
        "DELETE FROM block_sightings WHERE page_id IN"
        " (SELECT id FROM pages WHERE merged_into IS NOT NULL)"
    )


def _v15_claimants(db: sqlite_utils.Database) -> None:
    """Who holds a page's claim (`pid@host`), so a claim whose process is gone ends before its
    lease: a `marsad check` killed with SIGKILL held a round's pages for up to 21 minutes, and a
    starting daemon released every claim, a running `marsad check`'s too. Self-contained SQL."""
    db.execute("ALTER TABLE pages ADD COLUMN claimed_by TEXT")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1,
    _v2_search,
    _v3_versions,
    _v4_daemon,
    _v5_discovery,
    _v6_indexes,
    _v7_body_hash,
    _v8_texts,
    _v9_word_search,
    _v10_bodies,
    _v11_site_rules,
    _v12_notifications,
    _v13_cheap_checks,
    _v14_merged_sightings,
    _v15_claimants,
]
SCHEMA_VERSION = len(MIGRATIONS)
