"""Full-text search over the Arabic match key, so a search ignores harakat and alef forms.

The index holds `match_key(text)` and `match_key(title)` for each version (rowid = versions.id)
and the query is normalized by the same function. The trigram tokenizer matches substrings, so a
bare word also finds it with the clitics Arabic writes attached to it: `اسلام` finds `الإسلام`,
`والإسلام`, `بالإسلام` without a stemmer. Words shorter than three letters cannot be looked up
with trigrams and are dropped from the query.
"""

from __future__ import annotations

import sqlite_utils

from crawler.arabic import match_key

TABLE = "versions_fts"
MIN_WORD = 3  # the trigram tokenizer cannot match anything shorter


def create_versions_fts(db: sqlite_utils.Database) -> None:
    """Create the search index and fill it from the versions already stored: migration 2's step,
    which runs while versions still hold their text in `versions.text` (migration 8 moved it)."""
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(text_key, title_key, tokenize='trigram')"
    )
    rows = db.execute("SELECT id, text, title FROM versions ORDER BY id").fetchall()
    for version_id, text, title in rows:
        index_version(db, version_id, text, title)


def index_version(
    db: sqlite_utils.Database, version_id: int, text: str | None, title: str | None
) -> None:
    """(Re)index one version; called in the transaction that inserts it."""
    db.execute(
        f"INSERT OR REPLACE INTO {TABLE} (rowid, text_key, title_key) VALUES (?, ?, ?)",
        [version_id, match_key(text or ""), match_key(title or "")],
    )


def fts_query(words: str | None) -> str:
    """An FTS5 query that finds versions holding every word: each quoted, so what people type
    (quotes, `-`, `OR`, `*`) is searched for as text, never parsed as query syntax."""
    terms = [w.replace('"', "") for w in (words or "").split()]
    terms = [w for w in terms if len(w) >= MIN_WORD]
    # '""' matches no row; FTS5 rejects an empty string outright.
    return " ".join(f'"{w}"' for w in terms) or '""'


def search(db: sqlite_utils.Database, words: str, limit: int = 50) -> list[int]:
    """Ids of the versions holding all `words`, newest first (the CLI and tests use this)."""
    query = fts_query(match_key(words))
    rows = db.execute(
        f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY rowid DESC LIMIT ?", [query, limit]
    )
    return [int(r[0]) for r in rows]
