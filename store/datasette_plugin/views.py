"""The plugin's pages: watched pages, one page's timeline, a diff of two versions, the feed.

Every value that came from a scraped page reaches HTML only through Jinja's autoescaping or
markupsafe, and reaches the feed only through ElementTree.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from datasette.database import Database
from datasette.utils.asgi import NotFound, Request, Response

from store import identity
from store.datasette_plugin.chart import Bar, Mark, changes_chart
from store.datasette_plugin.diffview import TextDiff, field_changes, text_diff
from store.diff import COARSE_NOTE
from store.feed import FeedEntry, atom_feed, changed_fields, feed_sql

FEED_LIMIT = 100
DIFF_SECONDS = 10.0  # a diff page gives up on the text diff after this long


async def _database(datasette: Any) -> Database:
    """The first attached database that holds marsad's tables."""
    for name, db in datasette.databases.items():
        if name != "_internal" and await db.table_exists("versions"):
            return db
    raise NotFound("no marsad database is attached: start Datasette with `marsad serve`")


async def _page(db: Database, page_id: int) -> dict[str, Any]:
    row = (await db.execute("SELECT * FROM pages WHERE id = ?", [page_id])).first()
    if row is None:
        raise NotFound(f"no watched page has id {page_id}; /-/marsad/ lists them")
    return dict(row)


def _detail(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        detail = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {v}" for k, v in detail.items())
    return json.dumps(detail, ensure_ascii=False)


async def _render(datasette: Any, request: Request, template: str, context: dict[str, Any],
                  status: int = 200) -> Response:
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


async def index(datasette: Any, request: Request) -> Response:
    db = await _database(datasette)
    pages = await db.execute(
        "SELECT p.id, p.url, p.state, p.versions, p.last_checked, p.seed,"
        " (SELECT title FROM versions WHERE page_id = p.id ORDER BY version DESC LIMIT 1) AS title,"
        " (SELECT max(fetched_at) FROM versions WHERE page_id = p.id) AS last_changed"
        " FROM pages p ORDER BY last_changed IS NULL, last_changed DESC, p.id"
    )
    return await _render(datasette, request, "marsad_index.html",
                         {"pages": [dict(r) for r in pages.rows], "database": db.name})


async def page_by_url(datasette: Any, request: Request) -> Response:
    url = request.args.get("url")
    db = await _database(datasette)
    row = (await db.execute(identity.page_named(":url"), {"url": url or ""})).first()
    if row is None:
        raise NotFound(f"{url or 'no URL given'} is not a watched page; /-/marsad/ lists them")
    return Response.redirect(datasette.urls.path(f"/-/marsad/page/{row[0]}"))


async def page(datasette: Any, request: Request) -> Response:
    db = await _database(datasette)
    page_id = _page_id(request.url_vars["page_id"])
    info = await _page(db, page_id)
    rows = await db.execute(
        """
        SELECT e.at, e.kind, e.detail, v.version, v.title, v.words_added, v.words_removed,
               v.changed_fields, v.seed_similarity
        FROM events e LEFT JOIN versions v ON v.id = e.version_id WHERE e.page_id = :page
        UNION ALL
        SELECT v.fetched_at, 'changed', NULL, v.version, v.title, v.words_added, v.words_removed,
               v.changed_fields, v.seed_similarity
        FROM versions v WHERE v.page_id = :page
          AND NOT EXISTS (SELECT 1 FROM events WHERE version_id = v.id)
        ORDER BY 1, 4
        """,
        {"page": page_id},
    )
    path = datasette.urls.path
    latest = info["versions"]
    timeline, bars, marks = [], [], []
    for row in rows.rows:
        item = dict(row)
        item["detail"] = _detail(item["detail"])
        item["changed_fields"] = changed_fields(item["changed_fields"])
        number = item["version"]
        if number:
            item["diff_href"] = path(f"/-/marsad/diff/{page_id}/{number - 1}/{number}")
            if number < latest:
                item["latest_href"] = path(f"/-/marsad/diff/{page_id}/{number}/{latest}")
            bars.append(Bar(item["at"], number, item["words_added"] or 0, item["words_removed"] or 0,
                            item["diff_href"]))
        elif item["kind"] != "first_seen":
            marks.append(Mark(item["at"], item["kind"]))
        timeline.append(item)
    timeline.reverse()  # newest first, as people read a history
    context = {
        "page": info,
        "timeline": timeline,
        "title": next((item["title"] for item in timeline if item["title"]), None),
        "chart": changes_chart(bars, marks),
        "feed_href": path(f"/-/marsad/changes.atom?url={_quote(info['url'])}"),
        "versions_href": datasette.urls.table(db.name, "versions") + f"?page_id={page_id}",
        "database": db.name,
    }
    return await _render(datasette, request, "marsad_page.html", context)


def _quote(value: str) -> str:
    return quote(value, safe="")


def _metadata(row: dict[str, Any] | None) -> dict[str, Any]:
    try:
        metadata = json.loads((row or {}).get("metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


SQLITE_MAX_INT = 2**63 - 1  # a larger number cannot be bound to a query ("Python int too large")


def _page_id(raw: str) -> int:
    """The page id of a URL: one SQLite cannot hold names no page (404, not a 500)."""
    # the route's pattern (\d+) lets only digits through; past 4,300 of them int() refuses
    if len(raw) > 19 or int(raw) > SQLITE_MAX_INT:
        raise NotFound(f"no watched page has id {raw[:30]}…; /-/marsad/ lists them")
    return int(raw)


def _number(raw: str | None, what: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        number = int(raw)
    except ValueError:
        raise NotFound(f"{what} must be a version number, got {raw[:30]!r}") from None
    if abs(number) > SQLITE_MAX_INT:
        raise NotFound(f"{what} {raw[:30]} is no version number")
    return number


async def diff(datasette: Any, request: Request) -> Response:
    db = await _database(datasette)
    page_id = _page_id(request.url_vars["page_id"])
    info = await _page(db, page_id)
    new = _number(request.url_vars.get("new") or request.args.get("to"), "to") or info["versions"]
    old = _number(request.url_vars.get("old") or request.args.get("from"), "from")
    old = max(new - 1, 0) if old is None else old
    rows = {}
    for number in {old, new} - {0}:
        row = (await db.execute(
            "SELECT v.*, marsad_text(t.text, t.zstd) AS text FROM versions v"
            " JOIN texts t ON t.hash = v.text_hash WHERE v.page_id = ? AND v.version = ?",
            [page_id, number])).first()
        if row is None:
            raise NotFound(f"page {page_id} has no version {number} (it has {info['versions']})")
        rows[number] = dict(row)
    before, after = rows.get(old), rows.get(new)
    text = await _text_diff(before["text"] if before else "", after["text"] if after else "")
    direction = "ltr" if _metadata(after).get("direction") == "ltr" else "rtl"
    view = "side" if request.args.get("view") == "side" else "inline"
    path = datasette.urls.path
    context = {
        "page": info,
        "old": old,
        "new": new,
        "before": before,
        "after": after,
        "view": view,
        "direction": direction,
        "diff": text,
        "coarse_note": COARSE_NOTE,
        "fields": field_changes(before, after or {}),
        "numbers": list(range(info["versions"] + 1)),
        "page_href": path(f"/-/marsad/page/{page_id}"),
        "here": path(f"/-/marsad/diff/{page_id}/{old}/{new}"),
        "database": db.name,
    }
    return await _render(datasette, request, "marsad_diff.html", context)


async def _text_diff(old: str, new: str) -> TextDiff | None:
    """The word diff of two texts in a worker thread, so the event loop (every other page)
    never waits for it; None when it takes over `DIFF_SECONDS` (the thread's work is bounded,
    `store.diff`, so it ends soon after on its own)."""
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wait_for(
            loop.run_in_executor(None, text_diff, old, new), timeout=DIFF_SECONDS
        )
    except TimeoutError:
        return None


async def changes_feed(datasette: Any, request: Request) -> Response:
    db = await _database(datasette)
    url = request.args.get("url") or None
    words = (request.args.get("q") or "").strip() or None
    sql = feed_sql(url=url is not None, words=words is not None)
    rows = await db.execute(sql, {"url": url, "q": words, "limit": FEED_LIMIT})
    absolute = lambda path: datasette.absolute_url(request, datasette.urls.path(path))
    entries = [
        FeedEntry(
            version_id=r["id"], page_id=r["page_id"], version=r["version"],
            fetched_at=r["fetched_at"], title=r["title"], url=r["url"],
            words_added=r["words_added"] or 0, words_removed=r["words_removed"] or 0,
            changed_fields=changed_fields(r["changed_fields"]),
            seed_similarity=r["seed_similarity"],
            diff_href=absolute(f"/-/marsad/diff/{r['page_id']}/{r['version'] - 1}/{r['version']}"),
            excerpt=r["excerpt"] if words else None,
        )
        for r in rows.rows
    ]
    query = "&".join(
        f"{name}={_quote(value)}" for name, value in (("url", url), ("q", words)) if value
    )
    about = " ".join(
        part for part in (f"to {url}" if url else "", f"where «{words}» appears" if words else "")
        if part
    )
    xml = atom_feed(
        entries,
        feed_id="tag:marsad,2024:changes"
        + (f":{url}" if url else "")
        + (f":q={words}" if words else ""),
        title=f"marsad — changes {about}" if about else "marsad — changes to watched pages",
        self_href=absolute("/-/marsad/changes.atom" + (f"?{query}" if query else "")),
        alternate_href=absolute("/-/marsad/"),
        updated=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    return Response(xml, content_type="application/atom+xml; charset=utf-8")
