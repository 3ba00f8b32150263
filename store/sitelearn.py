"""What a monitor learns that a one-page extractor cannot: the blocks a site repeats on most of
its pages (a newsletter plug, an author box, a "read also" heading, a disclaimer) are that
site's chrome, whatever markup they hide in.

Each check with an article notes the match keys of its blocks (`block_sightings`, one row per
page and block; only the rows that changed are written, and a page showing what it showed last
time writes nothing and learns nothing new). Triggers keep per-site counts of the sightings
(`site_pages`, `site_block_counts`, schema 13), so learning reads the few blocks near the
thresholds, never every page of the site. A block seen on at least `LEARN_SHARE` of a host's
pages, with at least `MIN_PAGES` pages seen, is learned (`site_boilerplate`, shown in Datasette
with how many pages it was seen on); it is forgotten when it falls under `FORGET_SHARE`, so a
host near the line does not flip at every check. Learned blocks are left out of the comparison
like the target's ignore patterns, on both sides (`store.rules.IgnoreRules.boilerplate`), so a
block being learned never makes a page change. A learned rule never takes the article itself:
it matches whole blocks only (a sentence that opens every article inside its first paragraph
is a different block on every page), and it is not applied to a text it would take half of.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

import sqlite_utils

from crawler.arabic import match_key
from crawler.models import Block

MIN_PAGES = 5
LEARN_SHARE = 0.6
FORGET_SHARE = 0.4
_SAMPLE = 300  # characters of a block's text kept to show what was learned


# a check keys each block three times: comparison, re-comparison, sightings
@lru_cache(maxsize=2048)
def block_key(text: str) -> str:
    """The key a block is recognised by across pages: its match key (harakat, alef forms and
    spacing folded), hashed to keep the table small."""
    return hashlib.sha1(match_key(text).encode("utf-8")).hexdigest()[:20]


@lru_cache(maxsize=1024)  # asked several times a check, for the same few URLs
def site_of(url: str | None) -> str | None:
    """The host a page's learned rules belong to: host and explicit port, lower case."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def note(
    db: sqlite_utils.Database, page_id: int, site: str, blocks: Iterable[Block], now: str
) -> frozenset[str] | None:
    """Make the page's sightings the blocks of this check's extraction and, when they changed,
    learn again for its site (and for the site its sightings were on, if it moved). Runs inside
    the caller's transaction. Returns the site's learned keys when it learned, None when the
    page showed what it showed last time: learning is then where the last check left it.

    Only the sightings that differ are written; triggers keep the per-site counts
    (`site_pages`, `site_block_counts`) that `learn` reads."""
    rows: dict[str, str] = {}
    for block in blocks:
        if any(ch.isalnum() for ch in block.text):
            rows.setdefault(block_key(block.text), block.text[:_SAMPLE])
    before = {
        key: (was_site, text)
        for key, was_site, text in db.execute(
            "SELECT key, site, text FROM block_sightings WHERE page_id = ?", [page_id]
        )
    }
    gone = [key for key, seen in before.items() if seen != (site, rows.get(key))]
    added = [(page_id, site, key, text) for key, text in rows.items()
             if before.get(key) != (site, text)]  # fmt: skip
    if not gone and not added:
        return None
    if gone:
        db.conn.executemany(
            "DELETE FROM block_sightings WHERE page_id = ? AND key = ?",
            [(page_id, k) for k in gone],
        )
    if added:
        db.conn.executemany(
            "INSERT INTO block_sightings (page_id, site, key, text) VALUES (?, ?, ?, ?)", added
        )
    for moved_from in {before[key][0] for key in gone} - {site}:
        learn(db, moved_from, now)
    return learn(db, site, now)


def forget_page(db: sqlite_utils.Database, page_id: int, now: str) -> None:
    """Drop a page's sightings and learn again for the sites they were on: a page merged into
    another (`store.identity`) is the same article, and counting it twice would let it stand
    for two pages of its site. Runs inside the caller's transaction."""
    sites = [site for (site,) in db.execute(
        "SELECT DISTINCT site FROM block_sightings WHERE page_id = ?", [page_id]
    )]  # fmt: skip
    if not sites:
        return
    db.execute("DELETE FROM block_sightings WHERE page_id = ?", [page_id])
    for site in sites:
        learn(db, site, now)


def learn(db: sqlite_utils.Database, site: str, now: str) -> frozenset[str]:
    """Bring `site_boilerplate` up to date with the site's sightings (hysteresis: learned at
    LEARN_SHARE of its pages, forgotten under FORGET_SHARE); returns the learned keys. Reads the
    counts the sightings' triggers keep, only for the blocks at or over the forgetting line."""
    row = db.execute("SELECT pages FROM site_pages WHERE site = ?", [site]).fetchone()
    pages = row[0] if row else 0
    if pages < MIN_PAGES:
        db.execute("DELETE FROM site_boilerplate WHERE site = ?", [site])
        return frozenset()
    learn_at = max(MIN_PAGES, math.ceil(LEARN_SHARE * pages))
    keep_at = max(MIN_PAGES, math.ceil(FORGET_SHARE * pages))
    counts = db.execute(
        "SELECT key, pages, text FROM site_block_counts WHERE site = ? AND pages >= ?",
        [site, keep_at],
    ).fetchall()
    known = learned(db, site)
    keep = frozenset(key for key, seen, _ in counts if seen >= learn_at or key in known)
    if known - keep:
        db.execute(
            "DELETE FROM site_boilerplate WHERE site = ? AND key NOT IN (SELECT value FROM"
            " json_each(?))",
            [site, _json_list(keep)],
        )
    for key, seen, text in counts:
        if key not in keep:
            continue
        db.execute(
            "INSERT INTO site_boilerplate (site, key, text, pages, site_pages, learned_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site, key) DO UPDATE SET"
            " pages = excluded.pages, site_pages = excluded.site_pages, text = excluded.text",
            [site, key, text, seen, pages, now],
        )
    return keep


def learned(db: sqlite_utils.Database, site: str | None) -> frozenset[str]:
    """The block keys learned as chrome on `site`."""
    if not site:
        return frozenset()
    return frozenset(
        row[0] for row in db.execute("SELECT key FROM site_boilerplate WHERE site = ?", [site])
    )


def _json_list(values: Iterable[str]) -> str:
    import json

    return json.dumps(sorted(values))
