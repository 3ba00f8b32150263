"""An Atom feed (RFC 4287) of new versions, so a reader can follow changes in any feed reader.

One entry per new version, summarized from what was stored at write time (words added and
removed, changed fields); nothing is re-diffed here. Scraped titles are escaped by ElementTree,
and characters XML cannot carry at all are dropped so a hostile page cannot break the feed.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from store import identity
from store.diff import Diff

ATOM = "http://www.w3.org/2005/Atom"
# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates and
# U+FFFE/U+FFFF; anything else in scraped text would make the whole feed unparsable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_FEED_SELECT = """
SELECT v.id, v.page_id, v.version, v.fetched_at, v.title, v.final_url, v.words_added,
       v.words_removed, v.changed_fields, v.seed_similarity, p.url, v.diff
FROM versions v JOIN pages p ON p.id = v.page_id
"""
# One page, by any URL it is known by: found first, then its versions by index (tested inside
# the time-ordered scan, a quiet page cost a walk through every version).
_ONE_PAGE = f"""
WHERE v.page_id IN {identity.pages_named(":url")}
"""
_NEWEST = """
ORDER BY v.fetched_at DESC, v.id DESC
LIMIT :limit
"""
# Versions where the words of :q appear: they hold them and the page's version before did not
# (or there was none), so a reader is told when a watched page starts mentioning something,
# not again at each later edit. The versions holding the words are looked up once (`hits`);
# across all pages the search index is read newest first (versions are numbered as they are
# recorded), so a common word stops at the limit instead of sorting all that hold it. Needs
# the functions `store.fts.register` adds.
_HITS = """
WITH hits(id) AS (
  SELECT rowid FROM versions_fts
  WHERE versions_fts MATCH marsad_fts_query(marsad_match_key(:q)))
"""
_WORDS_COLUMNS = """
SELECT v.id, v.page_id, v.version, v.fetched_at, v.title, v.final_url, v.words_added,
       v.words_removed, v.changed_fields, v.seed_similarity, p.url, v.diff,
       marsad_excerpt(marsad_text(t.text, t.zstd), :q) AS excerpt
"""
_FIRST_TO_HOLD = """
  AND NOT EXISTS (
    SELECT 1 FROM versions before
    WHERE before.page_id = v.page_id AND before.version = v.version - 1
      AND before.id IN hits)
"""
_WORDS_APPEAR = (
    _HITS
    + _WORDS_COLUMNS
    + """FROM versions_fts
JOIN versions v ON v.id = versions_fts.rowid
JOIN pages p ON p.id = v.page_id
JOIN texts t ON t.hash = v.text_hash
WHERE versions_fts MATCH marsad_fts_query(marsad_match_key(:q))"""
    + _FIRST_TO_HOLD
    + """ORDER BY versions_fts.rowid DESC
LIMIT :limit
"""
)
_WORDS_APPEAR_ON_PAGE = (
    _HITS
    + _WORDS_COLUMNS
    + """FROM versions v JOIN pages p ON p.id = v.page_id JOIN texts t ON t.hash = v.text_hash"""
    + _ONE_PAGE
    + "  AND +v.id IN hits  -- the page's versions drive; `+` keeps SQLite from driving by hits\n"
    + _FIRST_TO_HOLD
    + _NEWEST
)


def feed_sql(*, url: bool, words: bool) -> str:
    """The newest versions, of one page (`:url`) and/or where words appear (`:q`)."""
    if words:
        return _WORDS_APPEAR_ON_PAGE if url else _WORDS_APPEAR
    return _FEED_SELECT + (_ONE_PAGE if url else "") + _NEWEST


@dataclass(frozen=True)
class FeedEntry:
    version_id: int
    page_id: int
    version: int
    fetched_at: str
    title: str | None
    url: str
    words_added: int
    words_removed: int
    changed_fields: tuple[str, ...]
    seed_similarity: float | None
    diff_href: str  # absolute URL of the diff with the previous version
    excerpt: str | None = None  # the text around the words a `?q=` feed follows
    added: str = ""  # an excerpt of the words this version added (`diff_excerpts`)
    removed: str = ""  # and of the words it removed


EXCERPT_WORDS = 30  # of the words added, and of the words removed, that an entry quotes
DIFF_READ_LIMIT = 2_000_000  # a stored diff larger than this is not read for an excerpt


def diff_excerpts(raw: str | None, words: int = EXCERPT_WORDS) -> tuple[str, str]:
    """The first `words` words a version added and removed, from its stored diff (its changed
    places joined by " … "), so a reader sees what changed, not only how much."""
    if not raw or len(raw) > DIFF_READ_LIMIT:
        return "", ""
    try:
        diff = Diff.from_json(raw)
    except (ValueError, KeyError, TypeError):
        return "", ""
    added: list[str] = []
    removed: list[str] = []
    for block in diff.blocks:
        if block.op == "insert":
            added.append(block.text or "")
        elif block.op == "delete":
            removed.append(block.text or "")
        elif block.op == "change":
            added += _runs(block.words, "insert")
            removed += _runs(block.words, "delete")
    return _cut(added, words), _cut(removed, words)


def _runs(ops: tuple[tuple[str, str], ...], kind: str) -> list[str]:
    """Consecutive word operations of one kind, each as one piece of text."""
    pieces: list[str] = []
    previous = None
    for op, text in ops:
        if op == kind:
            if previous == kind:
                pieces[-1] += text
            else:
                pieces.append(text)
        previous = op
    return pieces


def _cut(pieces: list[str], words: int) -> str:
    out: list[str] = []
    for piece in pieces:
        taken = piece.split()[: words - sum(len(p.split()) for p in out)]
        if taken:
            out.append(" ".join(taken))
        if sum(len(p.split()) for p in out) >= words:
            return " … ".join(out) + " …"
    return " … ".join(out)


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def summary(entry: FeedEntry) -> str:
    """One line a reader sees in the feed: the stored diff summary of this version."""
    if entry.version == 1:
        line = f"First version: {entry.words_added} words."
    else:
        line = f"Version {entry.version}: +{entry.words_added} words, −{entry.words_removed} words."
        if entry.changed_fields:
            line += f" Changed: {', '.join(entry.changed_fields)}."
    if entry.seed_similarity is not None:
        line += f" Similarity to seed: {entry.seed_similarity:.2f}."
    if entry.added:
        line += f" Added: «{entry.added}»."
    if entry.removed:
        line += f" Removed: «{entry.removed}»."
    if entry.excerpt:
        line += f" {entry.excerpt}"
    return line


def changed_fields(raw: str | None) -> tuple[str, ...]:
    try:
        fields = json.loads(raw or "[]")
    except ValueError:
        return ()
    return tuple(str(f) for f in fields) if isinstance(fields, list) else ()


def atom_feed(
    entries: list[FeedEntry],
    *,
    feed_id: str,
    title: str,
    self_href: str,
    alternate_href: str,
    updated: str,
    stylesheet_href: str | None = None,
) -> str:
    """The feed as an XML string; `updated` is used when there are no entries. With
    `stylesheet_href`, an XSL stylesheet a browser uses to show the feed as a page (feed
    readers ignore it)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = _clean(text)
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", entries[0].fetched_at if entries else updated)
    sub(feed, "link", rel="self", href=self_href, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=alternate_href, type="text/html")
    author = sub(feed, "author")
    sub(author, "name", "marsad")
    sub(feed, "generator", "marsad")
    for entry in entries:
        element = sub(feed, "entry")
        # A tag URI (RFC 4151) names the version for good, whatever host serves the feed.
        sub(element, "id", f"tag:marsad,2024:page/{entry.page_id}/version/{entry.version}")
        sub(element, "title", f"{entry.title or entry.url} — version {entry.version}")
        sub(element, "updated", entry.fetched_at)
        sub(element, "link", rel="alternate", href=entry.diff_href, type="text/html")
        sub(element, "link", rel="related", href=_clean(entry.url))
        sub(element, "summary", summary(entry), type="text")
        for field in entry.changed_fields:
            sub(element, "category", term=_clean(field))
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    if stylesheet_href:
        head += f'<?xml-stylesheet type="text/xsl" href="{_attribute(stylesheet_href)}"?>\n'
    return head + ET.tostring(feed, encoding="unicode") + "\n"


def _attribute(value: str) -> str:
    return _clean(value).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
