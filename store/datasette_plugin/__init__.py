"""marsad's Datasette plugin (entry point `store.datasette_plugin`).

It registers the SQL functions the canned queries need, the canned queries themselves, the
timeline, diff and feed pages, cell rendering that lays Arabic text out right to left, and
formula cells of Datasette's own CSV made text (`safecsv`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import markupsafe
from datasette import hookimpl

from crawler.urls import display_url
from store import fts, identity, texts
from store.datasette_plugin import searchview, views
from store.datasette_plugin.safecsv import safe_csv
from store.datasette_plugin.times import STORED_TIME, time_html
from store.queries import CANNED_QUERIES

PLUGIN = "marsad"  # the distribution name: Datasette serves our static/ under this name
# Arabic letters and presentation forms: a cell holding any of them is laid out by its first
# strong character (dir="auto"), so Arabic runs right to left and a Latin URL stays left to right.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# A SHA-256 in hex: shown by its first characters (the whole in a tooltip), so a hash column
# does not squeeze the text beside it to one word a line.
_HASH = re.compile("^[0-9a-f]{64}$")


def _host(url: str | None) -> str | None:
    # a URL is never longer than this; SQLite's time limit cannot stop a function mid-call
    return urlsplit(fts.bounded(url, 8192)).hostname if url else None


def _display_url(url: str | None) -> str | None:
    return display_url(fts.bounded(url, 8192)) if isinstance(url, str) else url


@hookimpl
def prepare_connection(conn):  # type: ignore[no-untyped-def]
    fts.register(conn)  # the search query normalizes what people type the way the index does
    conn.create_function("marsad_host", 1, _host, deterministic=True)
    # a URL as a person reads it (Arabic slug decoded), for queries that export both forms
    conn.create_function("marsad_display_url", 1, _display_url, deterministic=True)
    texts.register(conn)  # marsad_text: versions' texts, stored plain or zstd-compressed
    identity.register(conn)  # marsad_url_key: a page found by any spelling of its URL


@hookimpl
def canned_queries(datasette, database):  # type: ignore[no-untyped-def]
    async def inner() -> dict[str, Any]:
        db = datasette.get_database(database)
        if not await db.table_exists("versions"):
            return {}
        # results first: the SQL is folded behind Datasette's "show" link
        return {name: {**query, "hide_sql": True} for name, query in CANNED_QUERIES.items()}

    return inner


@hookimpl
def asgi_wrapper(datasette):  # type: ignore[no-untyped-def]
    """Datasette 0.65 answers a POST to a read-only canned query with its own 500 (the view
    hands back a tuple): say plainly, with 405, that these queries are read with GET. And the
    web CSV gets `marsad export --excel`'s formula treatment (`safecsv`)."""

    def wrap(inner):  # type: ignore[no-untyped-def]
        app = safe_csv(inner)

        async def wrapped(scope, receive, send):  # type: ignore[no-untyped-def]
            name = _canned_query_posted(scope)
            if name is None:
                await app(scope, receive, send)
                return
            body = (
                f"`{name}` is a read-only query: open it with GET (its page or a link), not POST.\n"
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 405,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"allow", b"GET"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body.encode("utf-8")})

        return wrapped

    return wrap


def _canned_query_posted(scope: dict[str, Any]) -> str | None:
    """The name of the canned query a POST is sent to (`/<database>/<query>[.json|.csv]`)."""
    if scope.get("type") != "http" or scope.get("method") != "POST":
        return None
    parts = str(scope.get("path", "")).strip("/").split("/")
    if len(parts) != 2:
        return None
    name = parts[1].split(".")[0]
    return name if name in CANNED_QUERIES else None


@hookimpl
def register_routes():  # type: ignore[no-untyped-def]
    return [
        (r"^/-/marsad/?$", views.index),
        (r"^/-/marsad/page$", views.page_by_url),
        (r"^/-/marsad/page/(?P<page_id>\d+)$", views.page),
        (r"^/-/marsad/diff/(?P<page_id>\d+)$", views.diff),
        (r"^/-/marsad/diff/(?P<page_id>\d+)/(?P<old>\d+)/(?P<new>\d+)$", views.diff),
        (r"^/-/marsad/changes\.atom$", views.changes_feed),
        (r"^/-/marsad/search$", searchview.search),
    ]


@hookimpl
def handle_exception(datasette, request, exception):  # type: ignore[no-untyped-def]
    """A page of marsad's own that is not found (or asked for wrongly) says so in the reader's
    language, on marsad's page; anything else is Datasette's to show."""
    status = getattr(exception, "status", 500)
    if not request.path.startswith("/-/marsad/") or not 400 <= status < 500:
        return None

    async def inner():  # type: ignore[no-untyped-def]
        return await views.error_page(datasette, request, status, str(exception))

    return inner


@hookimpl
def extra_css_urls(datasette):  # type: ignore[no-untyped-def]
    return [datasette.urls.static_plugins(PLUGIN, "marsad.css")]


# Beside Datasette's CSV link on every table and query page: the same CSV for spreadsheets, with
# a byte-order mark (`safecsv.EXCEL_ARG`), downloaded, and on a table every row (streamed).
EXCEL_LINK_SCRIPT = """
document.querySelectorAll("p.export-links").forEach(function (links) {
  var csv = Array.prototype.find.call(links.querySelectorAll("a"), function (a) {
    return a.textContent.trim() === "CSV";
  });
  if (!csv) { return; }
  var url = new URL(csv.href, document.location.href);
  url.searchParams.set("_excel", "1");
  url.searchParams.set("_dl", "1");
  if (document.body.classList.contains("table")) { url.searchParams.set("_stream", "on"); }
  var excel = document.createElement("a");
  excel.href = url.pathname + url.search;
  excel.className = "marsad-excel";
  excel.textContent = "CSV for Excel (UTF-8)";
  links.appendChild(document.createTextNode(" · "));
  links.appendChild(excel);
});
"""


@hookimpl
def extra_body_script(view_name):  # type: ignore[no-untyped-def]
    return EXCEL_LINK_SCRIPT if view_name in ("table", "database") else None


@hookimpl
def menu_links(datasette):  # type: ignore[no-untyped-def]
    return [
        {"href": datasette.urls.path("/-/marsad/"), "label": "Watched pages"},
        {"href": datasette.urls.path("/-/marsad/search"), "label": "Search"},
        {"href": datasette.urls.path("/-/marsad/changes.atom"), "label": "Atom feed of changes"},
    ]


def _value(row: Any, column: str) -> Any:
    """A column of a row as Datasette hands it over; expanded foreign keys come as dicts."""
    try:
        value = row[column]
    except (KeyError, IndexError):
        return None
    return value.get("value") if isinstance(value, dict) else value


@hookimpl
def render_cell(row, value, column, table, database, datasette):  # type: ignore[no-untyped-def]
    path = datasette.urls.path
    if table in ("texts", "bodies") and column == "zstd" and isinstance(value, bytes):
        return _stored_text(value, datasette.setting("truncate_cells_html"))
    if (
        column == "version"
        and isinstance(value, int)
        and table in ("versions", "version_texts", None)
    ):
        page_id = _value(row, "page_id")
        if isinstance(page_id, int):
            href = path(f"/-/marsad/diff/{page_id}/{max(value - 1, 0)}/{value}")
            return markupsafe.Markup(
                '<a href="{}" title="diff with the version before">{}</a>'
            ).format(href, value)
    if table in (None, "version_texts") and column == "page_id" and isinstance(value, int):
        return markupsafe.Markup('<a href="{}" title="timeline of this page">{}</a>').format(
            path(f"/-/marsad/page/{value}"), value
        )
    if table == "pages" and column == "versions" and isinstance(value, int):
        page_id = _value(row, "id")
        if isinstance(page_id, int):
            return markupsafe.Markup('<a href="{}" title="timeline of this page">{}</a>').format(
                path(f"/-/marsad/page/{page_id}"), value
            )
    if isinstance(value, dict):  # a foreign key Datasette expanded: a hash links to its row
        return _hash_link(value, column, database, datasette)
    if not isinstance(value, str):
        return None
    if value.startswith(("http://", "https://")):
        return _url_cell(value)
    if _HASH.match(value):
        return markupsafe.Markup('<span class="marsad-hash" title="{}">{}…</span>').format(
            value, value[:12]
        )
    if STORED_TIME.match(value):
        return time_html(value, views.settings(datasette).get("timezone"))
    if _ARABIC.search(value):
        return _text_cell(value, datasette.setting("truncate_cells_html"))
    return None


# The tables a hash column's foreign key names (store/migrations: versions.text_hash, body_hash).
_HASHED_ROWS = {"text_hash": "texts", "body_hash": "bodies"}


def _hash_link(
    value: dict[str, object], column: str, database: str, datasette: Any
) -> markupsafe.Markup | None:
    """A foreign key to a text or a body: its first 12 characters linking to its row, as a hash
    is shown elsewhere, instead of 64 that squeeze the text beside them."""
    key, other = value.get("value"), _HASHED_ROWS.get(column)
    if other is None or not isinstance(key, str) or not _HASH.match(key):
        return None
    href = datasette.urls.row(database, other, key)
    return markupsafe.Markup('<a href="{}" class="marsad-hash" title="{}">{}…</a>').format(
        href, key, key[:12]
    )


def _url_cell(url: str) -> markupsafe.Markup | None:
    """A URL shown readable (an Arabic slug as letters), linking to the URL as stored."""
    shown = display_url(url[:8192])
    if shown == url:
        return None  # Datasette's own rendering links it already
    return markupsafe.Markup('<a href="{}" title="{}" dir="ltr" class="marsad-url">{}</a>').format(
        url, url, shown
    )


def _text_cell(value: str, limit: int | None) -> markupsafe.Markup:
    shown = value[:limit] + "\u2026" if limit and len(value) > limit else value
    # Markup.format escapes the scraped text: a `<script>` in a title is shown, never run.
    return markupsafe.Markup('<span dir="auto" class="marsad-text">{}</span>').format(shown)


def _stored_text(packed: bytes, limit: int | None) -> markupsafe.Markup:
    """A compressed text (or a page's body) shown as the text it holds, escaped, not as a blob
    to download."""
    try:
        return _text_cell(texts.decode(None, packed) or "", limit)
    except texts.TextError as error:
        return markupsafe.Markup("<em>{}</em>").format(str(error))
