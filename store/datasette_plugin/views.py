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

from crawler.urls import display_url
from store import identity
from store.datasette_plugin import language
from store.datasette_plugin.chart import Bar, Labels, Mark, changes_chart
from store.datasette_plugin.diffview import TextDiff, field_changes, text_diff
from store.datasette_plugin.times import time_html
from store.diff import COARSE_NOTE
from store.feed import FeedEntry, atom_feed, changed_fields, diff_excerpts, feed_sql

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
    if isinstance(detail, dict):  # e.g. a redirect's old and new target, shown readable
        return "; ".join(
            f"{k}: {display_url(v) if isinstance(v, str) else v}" for k, v in detail.items()
        )
    return json.dumps(detail, ensure_ascii=False)


# A check that ended one of these ways did not read the article: its page shows why, and when
# marsad tries again.
FAILED_OUTCOMES = ("error", "no_content", "not_article", "gone")
# The latest failed check of a page, in one line: what failed and why.
LAST_FAILURE = """
SELECT f.fetched_at, f.outcome, f.status, f.error_class, f.error FROM fetches f
WHERE f.page_id = :page ORDER BY f.fetched_at DESC, f.id DESC LIMIT 1
"""


def settings(datasette: Any) -> dict[str, Any]:
    """The plugin's settings (`plugins.marsad` in the metadata): `language`, `timezone`."""
    return datasette.plugin_config("marsad") or {}


def reader_language(datasette: Any, request: Request) -> str:
    return language.choose(
        request.args.get("lang"),
        request.cookies.get(language.COOKIE),
        settings(datasette).get("language"),
        request.headers.get("accept-language"),
    )


async def _render(
    datasette: Any, request: Request, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    lang = reader_language(datasette, request)
    zone = settings(datasette).get("timezone")
    context = {
        **language.page_context(lang),
        "when": lambda value: time_html(value, zone, lang),
        "iri": display_url,
        "lang_href": _with_lang(request, "en" if lang == "ar" else "ar"),
        **context,
    }
    html = await datasette.render_template(template, context, request=request)
    response = Response.html(html, status=status)
    if request.args.get("lang") in language.LANGUAGES:  # a reader's choice is remembered
        response.set_cookie(language.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


async def error_page(datasette: Any, request: Request, status: int, message: str) -> Response:
    db_name = next((name for name in datasette.databases if name != "_internal"), "")
    return await _render(
        datasette,
        request,
        "marsad_error.html",
        {"status": status, "message": message, "database": db_name},
        status=status,
    )


def _with_lang(request: Request, lang: str) -> str:
    args = [(k, v) for k in request.args for v in request.args.getlist(k) if k != "lang"]
    args.append(("lang", lang))
    path: str = request.path
    return path + "?" + "&".join(f"{_quote(k)}={_quote(v)}" for k, v in args)


def failure(row: dict[str, Any] | None) -> str:
    """Why a check failed, in one line: the error, or the HTTP status and outcome."""
    if not row:
        return ""
    reason = row.get("error") or ""
    if row.get("error_class") and row["error_class"] not in reason:
        reason = f"{row['error_class']}: {reason}" if reason else row["error_class"]
    if row.get("status") and str(row["status"]) not in reason:
        reason = f"HTTP {row['status']}" + (f" ({reason})" if reason else "")
    return reason or str(row.get("outcome") or "")


async def index(datasette: Any, request: Request) -> Response:
    db = await _database(datasette)
    failed = ", ".join(f"'{outcome}'" for outcome in FAILED_OUTCOMES)
    pages = await db.execute(
        "SELECT p.id, p.url, p.state, p.versions, p.last_checked, p.seed, p.last_outcome,"
        " p.next_check_at,"
        " (SELECT title FROM versions WHERE page_id = p.id ORDER BY version DESC LIMIT 1) AS title,"
        " (SELECT max(fetched_at) FROM versions WHERE page_id = p.id) AS last_changed,"
        " CASE WHEN p.last_outcome IN (" + failed + ") THEN (SELECT json_object("
        "   'outcome', f.outcome, 'status', f.status, 'error_class', f.error_class,"
        "   'error', f.error) FROM fetches f WHERE f.page_id = p.id"
        "   ORDER BY f.fetched_at DESC, f.id DESC LIMIT 1) END AS failure"
        " FROM pages p ORDER BY last_changed IS NULL, last_changed DESC, p.id"
    )
    rows = []
    for row in pages.rows:
        item = dict(row)
        item["failure"] = failure(json.loads(item["failure"])) if item["failure"] else ""
        rows.append(item)
    return await _render(
        datasette, request, "marsad_index.html", {"pages": rows, "database": db.name}
    )


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
            bars.append(
                Bar(
                    item["at"],
                    number,
                    item["words_added"] or 0,
                    item["words_removed"] or 0,
                    item["diff_href"],
                )
            )
        elif item["kind"] != "first_seen":
            marks.append(Mark(item["at"], item["kind"]))
        timeline.append(item)
    timeline.reverse()  # newest first, as people read a history
    last_failure = None
    if info.get("last_outcome") in FAILED_OUTCOMES:
        row = (await db.execute(LAST_FAILURE, {"page": page_id})).first()
        if row is not None:
            last_failure = {"at": row["fetched_at"], "why": failure(dict(row))}
            if info["last_outcome"] != "gone":  # a gone page has its own event
                timeline.insert(
                    0,
                    {
                        "at": row["fetched_at"],
                        "kind": "check_failed",
                        "detail": last_failure["why"],
                        "version": None,
                        "title": None,
                        "changed_fields": (),
                        "seed_similarity": None,
                    },
                )
    context = {
        "page": info,
        "last_failure": last_failure,
        "timeline": timeline,
        "title": next((item["title"] for item in timeline if item["title"]), None),
        "chart": changes_chart(bars, marks, _chart_labels(reader_language(datasette, request))),
        "feed_href": path(f"/-/marsad/changes.atom?url={_quote(info['url'])}"),
        "versions_href": datasette.urls.table(db.name, "versions") + f"?page_id={page_id}",
        "database": db.name,
    }
    return await _render(datasette, request, "marsad_page.html", context)


def _chart_labels(lang: str) -> Labels:
    if lang != "ar":
        return Labels()
    return Labels(
        title="الكلمات المضافة (لأعلى) والمحذوفة (لأسفل) في كل إصدار عبر الزمن",
        first="الإصدار الأول",
        version="الإصدار",
        words="كلمة",
    )


def _browser_navigation(request: Request) -> bool:
    """A browser opening the feed's address asks for HTML first and names no feed type; a feed
    reader names Atom or RSS, or takes anything (`*/*`). Chromium no longer applies the
    XSL stylesheet, so a browser is answered with the page instead. `?format=atom` forces XML."""
    if request.args.get("format") == "atom":
        return False
    accept = request.headers.get("accept", "").lower()
    return accept.startswith("text/html") and "atom" not in accept and "rss" not in accept


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
        row = (
            await db.execute(
                "SELECT v.*, marsad_text(t.text, t.zstd) AS text FROM versions v"
                " JOIN texts t ON t.hash = v.text_hash WHERE v.page_id = ? AND v.version = ?",
                [page_id, number],
            )
        ).first()
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
        "sections": text.sections(None if request.args.get("context") == "all" else 1)
        if text
        else [],
        "whole": request.args.get("context") == "all",
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

    def absolute(path: str) -> str:
        url: str = datasette.absolute_url(request, datasette.urls.path(path))
        return url

    entries = []
    for r in rows.rows:
        added, removed = diff_excerpts(r["diff"])
        entries.append(
            FeedEntry(
                version_id=r["id"],
                page_id=r["page_id"],
                version=r["version"],
                fetched_at=r["fetched_at"],
                title=r["title"],
                url=r["url"],
                words_added=r["words_added"] or 0,
                words_removed=r["words_removed"] or 0,
                changed_fields=changed_fields(r["changed_fields"]),
                seed_similarity=r["seed_similarity"],
                diff_href=absolute(
                    f"/-/marsad/diff/{r['page_id']}/{r['version'] - 1}/{r['version']}"
                ),
                excerpt=r["excerpt"] if words else None,
                added=added,
                removed=removed,
            )
        )
    query = "&".join(
        f"{name}={_quote(value)}" for name, value in (("url", url), ("q", words)) if value
    )
    about = " ".join(
        part
        for part in (
            f"to {display_url(url)}" if url else "",
            f"where «{words}» appears" if words else "",
        )
        if part
    )
    title = f"marsad — changes {about}" if about else "marsad — changes to watched pages"
    if _browser_navigation(request):  # a person opened the feed: show it as a page
        return await _render(
            datasette,
            request,
            "marsad_feed.html",
            {
                "feed_title": title,
                "entries": entries,
                "database": db.name,
                "subscribe_href": absolute(
                    "/-/marsad/changes.atom" + (f"?{query}" if query else "")
                ),
            },
        )
    xml = atom_feed(
        entries,
        feed_id="tag:marsad,2024:changes"
        + (f":{url}" if url else "")
        + (f":q={words}" if words else ""),
        title=title,
        self_href=absolute("/-/marsad/changes.atom" + (f"?{query}" if query else "")),
        alternate_href=absolute("/-/marsad/"),
        updated=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        stylesheet_href=datasette.urls.static_plugins("marsad", "feed.xsl"),
    )
    return Response(xml, content_type="application/atom+xml; charset=utf-8")
