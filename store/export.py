"""Streaming export of pages, versions, changes and fetches as CSV, JSON or NDJSON.

Rows are read from a cursor and written one at a time, so memory does not grow with the table.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from typing import IO, Any

import sqlite_utils

from crawler.urls import display_url
from store import identity

# The page filter accepts any URL a page is known by (`store.identity.pages_named`). The page is
# found first and its rows read by index; tested inside the time-ordered scan, SQLite walked
# every row of the table (the same fix as `page_history`, store/queries.py).
_PAGE_IDS = identity.pages_named(":page")
# Each export: its SQL, with {page} where the page filter goes, and the column it filters.
QUERIES = {
    "pages": (
        (
            "SELECT p.url, p.final_url, p.canonical_url, p.first_seen, p.last_checked, p.state,"
            " p.versions FROM pages p"
            " WHERE (:since IS NULL OR coalesce(p.last_checked, p.first_seen) >= :since){page}"
            " ORDER BY p.id"
        ),
        "p.id",
    ),
    "versions": (
        (
            "SELECT p.url, v.final_url, v.version, v.fetched_at, v.title,"
            " marsad_text(t.text, t.zstd) AS text, v.content_hash,"
            " v.seed_similarity, v.words_added, v.words_removed, v.changed_fields"
            " FROM versions v JOIN pages p ON p.id = v.page_id JOIN texts t ON t.hash = v.text_hash"
            " WHERE (:since IS NULL OR v.fetched_at >= :since){page} ORDER BY v.fetched_at, v.id"
        ),
        "v.page_id",
    ),
    "changes": (
        (
            "SELECT p.url, e.at, e.kind, v.version, v.title, v.words_added, v.words_removed, e.detail"
            " FROM events e JOIN pages p ON p.id = e.page_id LEFT JOIN versions v ON v.id = e.version_id"
            " WHERE (:since IS NULL OR e.at >= :since){page} ORDER BY e.at, e.id"
        ),
        "e.page_id",
    ),
    "fetches": (
        (
            "SELECT f.url, f.final_url, f.fetched_at, f.status, f.outcome, f.error, f.error_class,"
            " f.elapsed_ms, f.bytes, f.redirects FROM fetches f LEFT JOIN pages p ON p.id = f.page_id"
            " WHERE (:since IS NULL OR f.fetched_at >= :since){page} ORDER BY f.fetched_at, f.id"
        ),
        "f.page_id",
    ),
}
FORMATS = ("csv", "json", "ndjson")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection");
# tab and carriage return are on OWASP's list too, as some spreadsheets skip them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # lets Excel know the CSV is UTF-8; without it Arabic opens as mojibake


def spreadsheet_cell(value: Any) -> Any:
    """A scraped string a spreadsheet would run as a formula gets a leading `'`, so it is text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def spreadsheet_text(cell: str) -> str:
    """`spreadsheet_cell` for a CSV cell whose type is lost (Datasette's web CSV): a cell that
    is a plain number (`-5`, `+1.5e3`) stays a number, every other formula start is made text."""
    if cell.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _cursor(db: sqlite_utils.Database, what: str, since: str | None, page: str | None):  # type: ignore[no-untyped-def]
    sql, page_column = QUERIES[what]
    where_page = f" AND {page_column} IN {_PAGE_IDS}" if page is not None else ""
    return db.conn.execute(sql.format(page=where_page), {"since": since, "page": page})


# URL columns a person reads: written decoded (Arabic letters, not %D8%…), with the stored,
# encoded form beside them in `<column>_encoded` for machines and links.
URL_COLUMNS = ("url", "final_url", "canonical_url")


def _records(
    db: sqlite_utils.Database, what: str, since: str | None, page: str | None
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    cursor = _cursor(db, what, since, page)
    names = [d[0] for d in cursor.description]
    at = [i for i, name in enumerate(names) if name in URL_COLUMNS]
    columns = names + [f"{names[i]}_encoded" for i in at]

    def shaped() -> Iterator[tuple[Any, ...]]:
        for row in cursor:
            readable = list(row)
            for i in at:
                if isinstance(row[i], str):
                    readable[i] = display_url(row[i])
            yield (*readable, *(row[i] for i in at))

    return columns, shaped()


def rows(
    db: sqlite_utils.Database, what: str, since: str | None = None, page: str | None = None
) -> Iterator[dict[str, Any]]:
    columns, records = _records(db, what, since, page)
    for row in records:
        yield dict(zip(columns, row))


def write(
    db: sqlite_utils.Database,
    what: str,
    fmt: str,
    out: IO[str],
    since: str | None = None,
    *,
    page: str | None = None,
    spreadsheet: bool = False,
) -> int:
    """Write every row of `what` to `out`; returns the number of rows.

    `page` keeps one page's rows (any URL it is known by); `spreadsheet` makes CSV safe and
    readable in Excel and LibreOffice: a UTF-8 BOM first and formula-like cells neutralized.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    count = 0
    if fmt == "csv":
        columns, records = _records(db, what, since, page)
        if spreadsheet:
            out.write(BOM)
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in records:
            writer.writerow([spreadsheet_cell(v) for v in row] if spreadsheet else row)
            count += 1
    elif fmt == "ndjson":
        for item in rows(db, what, since, page):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    else:
        out.write("[")
        for item in rows(db, what, since, page):
            out.write(("," if count else "") + "\n" + json.dumps(item, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    return count


def page_exists(db: sqlite_utils.Database, url: str) -> bool:
    return identity.find_page(db, url) is not None
