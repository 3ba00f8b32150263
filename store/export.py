"""Streaming export of pages, versions, changes and fetches as CSV, JSON or NDJSON.

Rows are read from a cursor and written one at a time, so memory does not grow with the table.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO

import sqlite_utils

QUERIES = {
    "pages": (
        "SELECT url, final_url, canonical_url, first_seen, last_checked, state, versions"
        " FROM pages WHERE (:since IS NULL OR coalesce(last_checked, first_seen) >= :since)"
        " ORDER BY id"
    ),
    "versions": (
        "SELECT p.url, v.final_url, v.version, v.fetched_at, v.title, v.text, v.content_hash,"
        " v.seed_similarity, v.words_added, v.words_removed, v.changed_fields"
        " FROM versions v JOIN pages p ON p.id = v.page_id"
        " WHERE (:since IS NULL OR v.fetched_at >= :since) ORDER BY v.fetched_at, v.id"
    ),
    "changes": (
        "SELECT p.url, e.at, e.kind, v.version, v.title, v.words_added, v.words_removed, e.detail"
        " FROM events e JOIN pages p ON p.id = e.page_id LEFT JOIN versions v ON v.id = e.version_id"
        " WHERE (:since IS NULL OR e.at >= :since) ORDER BY e.at, e.id"
    ),
    "fetches": (
        "SELECT url, final_url, fetched_at, status, outcome, error, error_class, elapsed_ms, bytes,"
        " redirects FROM fetches WHERE (:since IS NULL OR fetched_at >= :since)"
        " ORDER BY fetched_at, id"
    ),
}
FORMATS = ("csv", "json", "ndjson")


def rows(db: sqlite_utils.Database, what: str, since: str | None = None) -> Iterator[dict]:
    cursor = db.conn.execute(QUERIES[what], {"since": since})
    columns = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(columns, row))


def write(db: sqlite_utils.Database, what: str, fmt: str, out: IO[str], since: str | None = None) -> int:
    """Write every row of `what` to `out`; returns the number of rows."""
    count = 0
    if fmt == "csv":
        cursor = db.conn.execute(QUERIES[what], {"since": since})
        writer = csv.writer(out)
        writer.writerow([d[0] for d in cursor.description])
        for row in cursor:
            writer.writerow(row)
            count += 1
    elif fmt == "ndjson":
        for row in rows(db, what, since):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "json":
        out.write("[")
        for row in rows(db, what, since):
            out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return count
