"""A newer marsad opens a database made by an older one: upgraded in place, rows kept, in one
transaction; a failing step leaves the database as it was."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils

from crawler.models import Block, Extracted, Fetched, Observation
from store import schema
from store.readings import Reader
from store.schema import DatabaseError, connect
from store.seedmatch import load_seed
from store.versions import Comparison, ensure_page, record_check

ROOT = Path(__file__).resolve().parents[1]
SEED = load_seed(ROOT / "seeds" / "000_3b1ee1feec353f5c.txt")
SHORT_LINK = "https://www.europarabct.com/?p=95655"
PERMALINK = "https://www.europarabct.com/%D8%A3%D9%85%D9%86-%D8%AF%D9%88%D9%84%D9%8A/"
TITLE = "أمن دولي ـ لماذا زاد اهتمام الناتو"
PARAGRAPHS = SEED.paragraphs[:3]


def v1_database(path: Path) -> None:
    """A database as marsad 0.1 (schema v1) wrote it, with a page, a seed, a version, a check."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    schema._v1(db)
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO seeds VALUES ('s.txt', ?, ?, 't0')", [SHORT_LINK, "\n\n".join(PARAGRAPHS)]
    )
    db.execute(
        "INSERT INTO pages (url, url_key, final_url, canonical_url, seed, state, first_seen, versions)"
        " VALUES (?, ?, ?, ?, 's.txt', 'ok', 't0', 1)",
        [SHORT_LINK, SHORT_LINK, PERMALINK, PERMALINK],
    )
    blocks = json.dumps([{"kind": "paragraph", "text": p} for p in PARAGRAPHS], ensure_ascii=False)
    db.execute(
        "INSERT INTO versions (page_id, version, fetched_at, final_url, title, text, blocks, metadata,"
        " content_hash, changed_fields, words_added, seed_similarity)"
        " VALUES (1, 1, 't1', ?, ?, ?, ?, '{}', 'sha256-of-v1-rules', '[\"title\", \"text\"]', 120, 0.2)",
        [PERMALINK, TITLE, "\n\n".join(PARAGRAPHS), blocks],
    )
    db.execute(
        "INSERT INTO fetches (page_id, url, fetched_at, status, outcome, version_id)"
        " VALUES (1, ?, 't1', 200, 'new_version', 1)",
        [SHORT_LINK],
    )
    db.execute("INSERT INTO events (page_id, at, kind, version_id) VALUES (1, 't1', 'changed', 1)")
    conn.close()


def columns(db, table):
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}


def test_a_v1_database_is_upgraded_in_place_with_its_rows(tmp_path):
    path = tmp_path / "old.db"
    v1_database(path)
    db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert {"blocks_changed", "diff_summary", "seed_alignment", "seed_coverage"} <= columns(
        db, "versions"
    )
    assert {"near_duplicates", "page_aliases", "near_dup_signatures"} <= set(db.table_names())
    row = db.execute(
        "SELECT v.version, v.title, t.text, v.blocks, v.words_added"
        " FROM versions v JOIN version_texts t ON t.id = v.id"
    ).fetchone()
    assert row[:3] == (1, TITLE, "\n\n".join(PARAGRAPHS)) and row[4] == 120
    assert json.loads(row[3]) == ["paragraph"] * 3  # the text is no longer stored twice
    assert db.execute("SELECT count(*) FROM fetches").fetchone()[0] == 1
    assert db.execute("SELECT url_key FROM pages").fetchone()[0] == "europarabct.com/?p=95655"
    aliases = {k for (k,) in db.execute("SELECT url_key FROM page_aliases WHERE page_id = 1")}
    assert "europarabct.com/%D8%A3%D9%85%D9%86-%D8%AF%D9%88%D9%84%D9%8A" in aliases
    assert db.execute("SELECT count(*) FROM near_dup_signatures").fetchone()[0] == 1


def test_the_same_article_after_the_upgrade_is_no_new_version(tmp_path):
    # v1 hashed differently; the comparison is on the stored text under today's rules
    path = tmp_path / "old.db"
    v1_database(path)
    db = connect(path)
    page = ensure_page(db, PERMALINK, now="t2")  # found by the spelling the old page declared
    fetched = Fetched(url=PERMALINK, final_url=PERMALINK, outcome="ok", status=200, body="<html/>")
    article = Extracted(title=TITLE, blocks=tuple(Block("paragraph", p) for p in PARAGRAPHS))
    outcome = record_check(db, page, Observation(fetched, article), now="t3")
    assert (page, outcome.outcome) == (1, "unchanged")
    edited = Extracted(title=TITLE, blocks=(*article.blocks[:2], Block("paragraph", "فقرة جديدة.")))
    assert record_check(db, page, Observation(fetched, edited), now="t4").version == 2


def test_a_failing_migration_leaves_the_database_at_its_old_version(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    v1_database(path)

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error (injected)")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS) + 1)
    with pytest.raises(DatabaseError, match="injected"):
        connect(path)
    monkeypatch.undo()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables and "page_aliases" not in tables  # v2 rolled back too
    assert "diff_summary" not in {r[1] for r in conn.execute("PRAGMA table_info(versions)")}
    blocks = conn.execute("SELECT blocks FROM versions").fetchone()[0]
    assert json.loads(blocks)[0]["text"] == PARAGRAPHS[0]
    conn.close()
    assert connect(path).execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION


def test_a_database_from_a_newer_marsad_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    connect(path).execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    with pytest.raises(DatabaseError, match="newer than this marsad"):
        connect(path)


def test_a_fresh_database_has_wal_foreign_keys_and_the_query_indexes(tmp_path):
    db = connect(tmp_path / "fresh.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    plan = " ".join(
        r[3]
        for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM versions WHERE page_id = 1 ORDER BY version DESC LIMIT 1"
        )
    )
    assert "USING INDEX" in plan and "TEMP B-TREE" not in plan
    plan = " ".join(
        r[3]
        for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM fetches WHERE fetched_at >= '2026' ORDER BY fetched_at"
        )
    )
    assert "idx_fetches_at" in plan


def test_versions_from_before_stored_bodies_are_rebaselined_once_then_compared(tmp_path):
    """Schema 10 keeps bodies; an older version has none, so its page's first check after the
    upgrade takes its answer as the baseline's reading: an event, no version."""
    path = tmp_path / "old.db"
    v1_database(path)
    db = connect(path)
    assert {"bodies", "readings"} <= set(db.table_names())
    assert {"body_hash", "method", "confidence", "extractor_version", "reader"} <= columns(
        db, "versions"
    )
    article = Extracted(title=TITLE, blocks=tuple(Block("paragraph", p) for p in PARAGRAPHS[:2]))
    reader = Reader("9", lambda html, url: article)
    fetched = Fetched(
        url=PERMALINK, final_url=PERMALINK, outcome="ok", status=200, body="<html>1</html>"
    )
    first = record_check(
        db, 1, Observation(fetched, article), now="t3", comparison=Comparison(reader=reader)
    )
    again = record_check(
        db,
        1,
        Observation(replace(fetched, body="<html>2</html>"), article),
        now="t4",
        comparison=Comparison(reader=reader),
    )
    assert (first.outcome, again.outcome) == ("unchanged", "unchanged")
    [(kind, detail)] = db.execute(
        "SELECT kind, detail FROM events WHERE kind IN ('reread', 'rebaselined')"
    ).fetchall()
    assert kind == "rebaselined" and json.loads(detail)["text_differs"] is True
    assert db.execute("SELECT how, body_hash IS NOT NULL FROM readings").fetchall() == [
        ("rebaseline", 1)
    ]
    edited = Extracted(title=TITLE, blocks=(*article.blocks, Block("paragraph", "فقرة جديدة.")))
    assert (
        record_check(
            db, 1, Observation(fetched, edited), now="t5", comparison=Comparison(reader=reader)
        ).version
        == 2
    )


def test_schema_13_counts_the_sightings_a_schema_12_database_has(tmp_path):
    """The per-site counts learning reads (`store.sitelearn.learn`) start from the sightings
    already stored, so an upgraded site goes on learning where it was."""
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    db = sqlite_utils.Database(conn)
    for step in schema.MIGRATIONS[:12]:
        step(db)
    db.execute("PRAGMA user_version = 12")
    db.execute(
        "INSERT INTO pages (url, url_key, first_seen) VALUES ('a', 'a', 't0'), ('b', 'b', 't0')"
    )
    for page, key, text in (
        (1, "k1", "plug"),
        (1, "k2", "one"),
        (2, "k1", "Plug"),
        (2, "k3", "two"),
    ):
        db.execute("INSERT INTO block_sightings VALUES (?, 'site', ?, ?)", [page, key, text])
    conn.close()
    upgraded = connect(tmp_path / "old.db")
    assert upgraded.execute("SELECT * FROM site_pages").fetchall() == [("site", 2)]
    assert upgraded.execute(
        "SELECT key, pages, text FROM site_block_counts ORDER BY key"
    ).fetchall() == [
        ("k1", 2, "Plug"),
        ("k2", 1, "one"),
        ("k3", 1, "two"),
    ]


def test_schema_14_drops_the_sightings_a_merged_page_kept(tmp_path):
    """Before schema 14 a page merged into another kept its block sightings, so one article
    counted as two pages of its site; the upgrade drops them and the counts follow."""
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    db = sqlite_utils.Database(conn)
    for step in schema.MIGRATIONS[:13]:
        step(db)
    db.execute("PRAGMA user_version = 13")
    db.execute(
        "INSERT INTO pages (url, url_key, first_seen) VALUES ('a', 'a', 't0'), ('b', 'b', 't0'),"
        " ('c', 'c', 't0')"
    )
    db.execute("UPDATE pages SET merged_into = 1, state = 'merged' WHERE id = 3")
    for page, key in ((1, "k1"), (1, "k2"), (2, "k1"), (3, "k1"), (3, "k2")):
        db.execute("INSERT INTO block_sightings VALUES (?, 'site', ?, 'text')", [page, key])
    assert db.execute("SELECT pages FROM site_pages").fetchall() == [(3,)]
    conn.close()
    upgraded = connect(tmp_path / "old.db")
    assert upgraded.execute(
        "SELECT DISTINCT page_id FROM block_sightings ORDER BY 1"
    ).fetchall() == [
        (1,),
        (2,),
    ]
    assert upgraded.execute("SELECT * FROM site_pages").fetchall() == [("site", 2)]
    assert upgraded.execute("SELECT key, pages FROM site_block_counts ORDER BY key").fetchall() == [
        ("k1", 2),
        ("k2", 1),
    ]
