"""Which URLs are one page: every spelling of an article ends on one `pages` row.

A page is found by the key of the URL it is asked for (`crawler.urls.url_key`, which folds
percent-encoding case, a trailing slash, tracking parameters, `?share=…`, `/amp/` and
`#fragments`) and, once fetched, by every spelling the check revealed: the URL fetched, each hop
of its redirect chain, the final URL, and the canonical URL and short link the article declares.
`page_aliases` maps each of these keys to its page, so the short link `?p=95655` (which no
canonicalization can fold into the permalink) is one page with the permalink once one fetch
has shown the redirect or the declared shortlink.

When a check shows that two existing pages are one article (two targets spelled differently,
both created before either was fetched), the check is recorded on one of them (the survivor)
and the other is marked `merged_into` it: its earlier rows stay where they were written, and
every later check of it lands on the survivor.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from functools import lru_cache

import sqlite_utils

from crawler.models import Extracted, Fetched
from crawler.urls import resolve, url_key
from store import sitelearn


@lru_cache(maxsize=4096)  # one check keys the same few URLs several times, a re-check again
def key_of(url: str | None) -> str | None:
    """The page key of `url`, or None when it is not an http(s) URL (nothing to key)."""
    if not url:
        return None
    try:
        return url_key(url)
    except ValueError:
        return None


def spellings(fetched: Fetched, extracted: Extracted | None) -> list[str]:
    """The URLs a good fetch showed to be this article, in the order they were met.

    Only called for a fetch that gave the article: a failed fetch (a redirect to the home page
    of a deleted post, say) proves nothing about identity.
    """
    urls: list[str | None] = [
        fetched.url,
        *(hop.url for hop in fetched.redirects),
        fetched.final_url,
    ]
    if extracted is not None:
        # scraped values: resolved against the page like a browser would, dropped when not http(s)
        urls += [
            resolve(fetched.final_url, extracted.canonical_url),
            resolve(fetched.final_url, extracted.shortlink),
        ]
    return [url for url in urls if url]


def owner(db: sqlite_utils.Database, key: str) -> int | None:
    """The page a key belongs to, following merges."""
    row = db.execute("SELECT page_id FROM page_aliases WHERE url_key = ?", [key]).fetchone()
    if row is None:
        row = db.execute("SELECT id FROM pages WHERE url_key = ?", [key]).fetchone()
    return survivor_of(db, int(row[0])) if row else None


def survivor_of(db: sqlite_utils.Database, page_id: int) -> int:
    """The page that records the checks of `page_id` (itself unless it was merged)."""
    seen = {page_id}
    while True:
        row = db.execute("SELECT merged_into FROM pages WHERE id = ?", [page_id]).fetchone()
        if row is None or row[0] is None or row[0] in seen:
            return page_id
        page_id = int(row[0])
        seen.add(page_id)


def add_aliases(db: sqlite_utils.Database, page_id: int, keys: Iterable[str], now: str) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO page_aliases (url_key, page_id, first_seen) VALUES (?, ?, ?)",
        [(key, page_id, now) for key in dict.fromkeys(keys)],
    )


def unite(db: sqlite_utils.Database, page_id: int, urls: Iterable[str], now: str) -> int:
    """Make every URL in `urls` a spelling of `page_id`'s page; returns the page that records the
    check (another one when a URL already belonged to an older page). Runs inside the check's
    transaction."""
    survivor = survivor_of(db, page_id)
    keys = list(dict.fromkeys(key for url in urls if (key := key_of(url))))
    for key in keys:
        other = owner(db, key)
        if other is not None and other != survivor:
            survivor = _merge(db, survivor, other, now)
    add_aliases(db, survivor, keys, now)
    return survivor


def _merge(db: sqlite_utils.Database, a: int, b: int, now: str) -> int:
    """Merge two pages found to be one article; returns the survivor.

    The survivor is the page with versions (its history goes on), else the older page. When both
    have versions, the merged page's history stays under it, marked merged, rather than being
    renumbered into the survivor's. The merged page's block sightings go: one article counted as
    two pages would weigh twice in what its site learns as chrome.
    """
    counts = dict(
        db.execute("SELECT id, versions FROM pages WHERE id IN (?, ?)", [a, b]).fetchall()
    )
    keep, gone = sorted((a, b), key=lambda p: (counts.get(p, 0) == 0, p))
    db.execute("UPDATE pages SET merged_into = ?, state = 'merged' WHERE id = ?", [keep, gone])
    db.execute("UPDATE page_aliases SET page_id = ? WHERE page_id = ?", [keep, gone])
    sitelearn.forget_page(db, gone, now)
    url_of = db.execute("SELECT url_key FROM pages WHERE id = ?", [gone]).fetchone()
    if url_of:
        add_aliases(db, keep, [url_of[0]], now)
    url = db.execute("SELECT url FROM pages WHERE id = ?", [gone]).fetchone()
    db.execute(
        "INSERT INTO events (page_id, at, kind, detail) VALUES (?, ?, 'merged', ?)",
        [
            keep,
            now,
            json.dumps({"page_id": gone, "url": url[0] if url else None}, ensure_ascii=False),
        ],
    )
    return keep


# ---- finding a page by a URL: the one rule --------------------------------------------------

SQL_FUNCTION = "marsad_url_key"
_LONGEST_URL = 8192  # no URL is longer; SQLite's time limit cannot stop a function mid-call


def sql_key(url: object) -> str | None:
    """`key_of` as the SQL function `marsad_url_key(url)`: NULL for what is not a URL."""
    if not isinstance(url, str) or len(url) > _LONGEST_URL:
        return None
    return key_of(url)


def register(conn: sqlite3.Connection) -> None:
    """Make `marsad_url_key(url)` callable in SQL on this connection (every connection
    `store.schema.connect` opens, and Datasette's), for `pages_named`."""
    conn.create_function(SQL_FUNCTION, 1, sql_key, deterministic=True)


def pages_named(param: str = ":url") -> str:
    """SQL for the ids of the pages the URL in `param` names, as a parenthesized subquery for
    `… WHERE page_id IN <this>`: the page whose key (or any alias' key) is the URL's key, so every
    spelling `url_key` folds finds it (decoded Arabic or either hex case, http or https, `www.`,
    a trailing slash, tracking parameters) and every spelling a check met (redirect hops, the short
    link, the canonical URL); the page whose URL, final URL, canonical URL or short link is the
    URL as given; and the pages merged into those, whose earlier rows stay under them."""
    return f"""(WITH RECURSIVE named(id) AS (
  SELECT page_id FROM page_aliases WHERE url_key = {SQL_FUNCTION}({param})
  UNION SELECT id FROM pages WHERE url_key = {SQL_FUNCTION}({param})
  UNION SELECT id FROM pages WHERE {param} IN (url, final_url, canonical_url, shortlink)
  UNION SELECT pages.id FROM pages JOIN named ON pages.merged_into = named.id
) SELECT id FROM named)"""


def page_named(param: str = ":url") -> str:
    """SQL for the one page the URL in `param` names (`pages_named`): the page that records its
    checks (not merged into another), else the oldest."""
    return (
        f"SELECT id FROM pages WHERE id IN {pages_named(param)}"
        " ORDER BY merged_into IS NOT NULL, id LIMIT 1"
    )


def find_page(db: sqlite_utils.Database, url: str) -> int | None:
    """The page `url` names (`page_named`), or None."""
    row = db.execute(page_named(), {"url": url}).fetchone()
    return int(row[0]) if row else None
