"""The search page: versions holding all the words typed, grouped by page, the matched words
highlighted in each excerpt.

It searches as the `search` canned query does (`store.fts`: harakat, alef forms and attached
clitics ignored; a word of three letters or more matches the words it begins) and shows, per
page, the latest version holding the words, how many of its versions do, and what that version
added and removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crawler.arabic import match_key
from store import fts
from store.feed import diff_excerpts

RESULT_PAGES = 100
# Pages with versions holding the words, newest latest-holder first. The versions holding them
# are looked up once (`hits`) and grouped per page.
SEARCH_BY_PAGE = """
WITH hits(id) AS (
  SELECT rowid FROM versions_fts
  WHERE versions_fts MATCH marsad_fts_query(marsad_match_key(:q))),
per_page AS (
  SELECT v.page_id, max(v.version) AS latest, count(*) AS holding
  FROM versions v WHERE v.id IN hits GROUP BY v.page_id)
SELECT pp.page_id, pp.latest, pp.holding, p.url, p.versions, v.title, v.fetched_at, v.diff,
       marsad_excerpt(marsad_text(t.text, t.zstd), :q) AS excerpt
FROM per_page pp
JOIN pages p ON p.id = pp.page_id
JOIN versions v ON v.page_id = pp.page_id AND v.version = pp.latest
JOIN texts t ON t.hash = v.text_hash
ORDER BY v.fetched_at DESC, v.id DESC
LIMIT :limit
"""
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Piece:
    text: str
    matched: bool


def terms(q: str) -> list[str]:
    return _WORD.findall(match_key(q[: fts.SQL_QUERY_LIMIT]))[: fts.EXCERPT_TERMS]


def matches(key: str, wanted: list[str]) -> bool:
    """A word of the text (its match key) matches a search word by the index's rule: the word,
    or the word without its clitics, is the search word or (from three letters) begins with it."""
    forms = fts.indexed(key).split()
    return any(
        form == term or (len(term) >= fts.PREFIX_FROM and form.startswith(term))
        for term in wanted
        for form in forms
    )


def highlighted(excerpt: str, q: str) -> list[Piece]:
    """The excerpt as pieces, the words the search matched marked."""
    wanted = terms(q)
    pieces: list[Piece] = []
    for word in excerpt.split(" "):
        # keyed first: harakat are not word characters, and would cut a word into letters
        hit = bool(wanted) and any(matches(w, wanted) for w in _WORD.findall(match_key(word)))
        pieces.append(Piece(word, hit))
    return pieces


def results(rows: list[Any], q: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = dict(row)
        item["pieces"] = highlighted(item.pop("excerpt") or "", q)
        item["added"], item["removed"] = diff_excerpts(item.pop("diff"))
        out.append(item)
    return out


async def search(datasette: Any, request: Any) -> Any:
    from store.datasette_plugin.views import _database, _render  # the pages' shared rendering

    db = await _database(datasette)
    q = (request.args.get("q") or "").strip()[: fts.SQL_QUERY_LIMIT]
    found: list[dict[str, Any]] = []
    if q:
        rows = await db.execute(SEARCH_BY_PAGE, {"q": q, "limit": RESULT_PAGES})
        found = results(rows.rows, q)
    return await _render(
        datasette, request, "marsad_search.html", {"q": q, "results": found, "database": db.name}
    )
