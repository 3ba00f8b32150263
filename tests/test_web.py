"""The Datasette face, in-process, on a real SQLite file filled the way the daemon fills it."""

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from crawler.models import Block, Extracted, Fetched, Observation
from store.schema import connect
from store.seedmatch import parse_seed
from store.timestamps import iso
from store.versions import Comparison, ensure_page, record_check
from store.web import build_datasette

URL = "https://www.europarabct.com/?p=95655"
SLUG = "حلف-شمال-الأطلسي-مفهوم-جديد"
# Where the short link redirects: the permalink as servers send it, percent-encoded.
PERMALINK = "https://www.europarabct.com/" + quote(SLUG) + "/"
XSS_URL = "https://evil.example/?p=1"
GONE_URL = "https://www.europarabct.com/?p=100"
SEED = "يبدأ مفهوم الأمن الجماعي كمهمة أساسية لحلف شمال الأطلسي في مفهومه الاستراتيجي الجديد"
V1 = [SEED, "قال مُحَمَّدٌ إن الحلف حدد ثلاث مهام"]
V2 = [
    SEED.replace("الجماعي", "الجماعي والتعاوني"),
    "قال مُحَمَّدٌ إن الحلف حدد ثلاث مهام",
    "وأضاف أن دور الإسلام في أوروبا يتطلب حواراً",
]
XSS_TITLE = "<script>alert('title')</script>"
XSS_BODY = 'نص المقال <img src=x onerror="alert(1)"> <script>alert(2)</script> نهاية'
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ok(url: str, final_url: str | None = None) -> Fetched:
    return Fetched(url=url, final_url=final_url or url, outcome="ok", status=200, body="<html/>")


def article(paragraphs, title="حلف شمال الأطلسي") -> Extracted:
    return Extracted(
        title=title, author="المحرر", blocks=tuple(Block("paragraph", p) for p in paragraphs)
    )


def populate(path) -> dict:
    """Three pages: the seed article in two versions, a hostile page, and a page now gone."""
    db = connect(path)
    at = lambda hours: iso(T0 + timedelta(hours=hours))
    db.execute(
        "INSERT INTO seeds (name, url, text, loaded_at) VALUES ('seed.txt', ?, ?, ?)",
        [URL, SEED, at(0)],
    )
    page = ensure_page(db, URL, now=at(0), seed="seed.txt")
    record_check(
        db,
        page,
        Observation(ok(URL, PERMALINK), article(V1)),
        now=at(1),
        comparison=Comparison(seed=parse_seed("seed", SEED)),
    )
    record_check(
        db,
        page,
        Observation(ok(URL, PERMALINK), article(V2, title="حلف شمال الأطلسي: مفهوم جديد")),
        now=at(30),
        comparison=Comparison(seed=parse_seed("seed", "نص آخر تماما لا علاقة له بالمقال")),
    )
    xss = ensure_page(db, XSS_URL, now=at(0))
    record_check(db, xss, Observation(ok(XSS_URL), article([XSS_BODY], title=XSS_TITLE)), now=at(2))
    gone = ensure_page(db, GONE_URL, now=at(0))
    record_check(db, gone, Observation(ok(GONE_URL), article(["مقال سيختفي قريبا"])), now=at(3))
    # The version rules that mark a page gone land with issue 5; the face reads what they write.
    db.execute("UPDATE pages SET state = 'gone' WHERE id = ?", [gone])
    db.execute("INSERT INTO events (page_id, at, kind) VALUES (?, ?, 'gone')", [gone, at(40)])
    recent = iso(datetime.now(UTC) - timedelta(hours=2))
    failed = Fetched(
        url=GONE_URL,
        final_url=GONE_URL,
        outcome="error",
        status=None,
        error_class="ConnectError",
        error="DNS failure: www.europarabct.com",
    )
    record_check(db, gone, Observation(failed, None), now=recent)
    db.conn.close()
    return {"page": page, "xss": xss, "gone": gone}


def get(path, *urls):
    async def fetch():
        ds = build_datasette(path)
        return [await ds.client.get(url) for url in urls]

    return asyncio.run(fetch())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "marsad.db"
    ids = populate(path)
    return path, ids


class Elements(HTMLParser):
    """Start tags with their attributes, to assert on real markup rather than on substrings."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag, **attrs):
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def test_diff_view_highlights_inserted_words_right_to_left(site):
    path, ids = site
    (inline,) = get(path, f"/-/marsad/diff/{ids['page']}/1/2")
    assert inline.status_code == 200
    html = inline.text
    assert Elements(html).find("div", id="diff", dir="rtl")
    inserted = re.findall(r'<ins class="diff-ins">(.*?)</ins>', html)
    assert "والتعاوني" in inserted and "وأضاف أن دور الإسلام في أوروبا يتطلب حواراً" in inserted
    assert not re.findall(r'<del class="diff-del">', html.split('id="diff"')[1])
    # The title change is listed above the text.
    assert html.index('class="field-title"') < html.index('id="diff"')
    assert "حلف شمال الأطلسي: مفهوم جديد" in html
    assert "Noto Naskh Arabic" in get(path, "/-/static-plugins/marsad/marsad.css")[0].text


def test_side_by_side_marks_deletions_left_and_insertions_right(site):
    path, ids = site
    (side,) = get(path, f"/-/marsad/diff/{ids['page']}?from=2&to=1&view=side")
    html = side.text
    old = html.split('class="diff-old"')[1].split('class="diff-new"')[0]
    new = html.split('class="diff-new"')[1]
    # Going back from 2 to 1, the words version 2 added are deletions on the older side.
    assert '<del class="diff-del">والتعاوني</del>' in old and "<ins" not in old
    assert "<ins" not in new.split("</div>")[0] and "والتعاوني" not in new.split("</div>")[0]


def test_diff_of_unknown_version_is_a_404_that_says_why(site):
    path, ids = site
    (missing,) = get(path, f"/-/marsad/diff/{ids['page']}/1/9")
    assert missing.status_code == 404 and "has no version 9" in missing.text


def test_page_timeline_lists_versions_events_chart_and_diff_links(site):
    path, ids = site
    found, gone = get(path, f"/-/marsad/page?url={URL}", f"/-/marsad/page/{ids['gone']}")
    assert found.status_code == 302
    (page,) = get(path, found.headers["location"])
    html = page.text
    assert "<svg" in html and html.count('class="added"') >= 2
    elements = Elements(html)
    assert elements.find("a", href=f"/-/marsad/diff/{ids['page']}/1/2")
    assert elements.find("a", href=f"/-/marsad/diff/{ids['page']}/0/1")
    assert "first_seen" in html and "changed" in html
    assert 'class="kind-gone"' in gone.text
    assert 'class="event gone"' in gone.text  # the gone event is a mark on the chart


def test_scraped_script_and_onerror_are_shown_as_text_everywhere(site):
    path, ids = site
    xss = ids["xss"]
    pages = get(
        path,
        f"/-/marsad/page/{xss}",
        f"/-/marsad/diff/{xss}/0/1",
        "/-/marsad/",
        "/marsad/versions",
        "/marsad/latest_changes",
        "/marsad/search?q=نهاية",
    )
    for response in pages:
        assert response.status_code == 200, response.url
        scripts = Elements(response.text).find("script")
        assert all("alert" not in str(s) for s in scripts)
        assert "<script>alert" not in response.text, response.url
        assert "<img src=x" not in response.text, response.url
        assert not any("onerror" in attrs for _, attrs in Elements(response.text).tags)
    assert "&lt;script&gt;alert(" in pages[0].text
    assert (
        "onerror=&#34;alert(1)&#34;" in pages[1].text
        or "onerror=&quot;alert(1)&quot;" in pages[1].text
    )


def test_cells_run_arabic_right_to_left_and_link_versions_to_their_diff(site):
    path, ids = site
    versions, pages, latest = get(
        path, "/marsad/versions", "/marsad/pages", "/marsad/latest_changes"
    )
    elements = Elements(versions.text)
    assert elements.find("span", dir="auto")
    assert elements.find("a", href=f"/-/marsad/diff/{ids['page']}/1/2")
    assert Elements(pages.text).find("a", href=f"/-/marsad/page/{ids['page']}")
    query = Elements(latest.text)
    assert query.find("a", href=f"/-/marsad/diff/{ids['page']}/1/2")
    assert query.find("a", href=f"/-/marsad/page/{ids['gone']}")


def rows(path, url):
    (response,) = get(path, url)
    assert response.status_code == 200, (url, response.text[:500])
    return response.json()


def test_search_ignores_harakat_alef_forms_and_attached_article(site):
    path, ids = site
    islam = rows(path, "/marsad/search.json?_shape=array&q=اسلام")
    muhammad = rows(path, "/marsad/search.json?_shape=array&q=محمد")
    # Only version 2 says الإسلام; both versions say مُحَمَّدٌ (with harakat).
    assert [(r["page_id"], r["version"]) for r in islam] == [(ids["page"], 2)]
    assert sorted(r["version"] for r in muhammad if r["page_id"] == ids["page"]) == [1, 2]
    assert rows(path, "/marsad/search.json?_shape=array&q=محمد أوروبا")[0]["version"] == 2
    assert rows(path, "/marsad/search.json?_shape=array&q=غير موجود أبدا") == []
    # What people type is searched as words, never parsed as FTS syntax.
    assert rows(path, '/marsad/search.json?_shape=array&q=" OR * NEAR(') == []


def test_canned_queries_answer_changes_history_drift_gone_and_errors(site):
    path, ids = site
    latest = rows(path, "/marsad/latest_changes.json?_shape=array")
    assert latest[0]["kind"] == "gone" and latest[1]["version"] == 2
    assert "first_seen" not in {r["kind"] for r in latest}
    history = rows(path, f"/marsad/page_history.json?_shape=array&url={URL}")
    assert [r["kind"] for r in history] == ["first_seen", "changed", "changed"]
    assert history[2]["words_added"] > 0
    drift = rows(path, "/marsad/seed_drift.json?_shape=array")
    assert [r["page_id"] for r in drift] == [ids["page"]]
    assert drift[0]["first_similarity"] > 0.5 > drift[0]["latest_similarity"]
    gone = rows(path, "/marsad/pages_gone.json?_shape=array")
    assert [(r["url"], r["gone_since"][:10]) for r in gone] == [(GONE_URL, "2026-01-02")]
    errors = rows(path, "/marsad/fetch_errors_by_host.json?_shape=array")
    assert errors == [
        {
            "host": "www.europarabct.com",
            "errors": 1,
            "outcomes": "error",
            "kinds": "ConnectError",
            "last_at": errors[0]["last_at"],
            "last_url": GONE_URL,
            "last_error": "DNS failure: www.europarabct.com",
        }
    ]


def test_csv_and_json_on_tables_and_queries_keep_arabic(site):
    path, _ = site
    csv_all, query_csv, table_json = get(
        path,
        "/marsad/versions.csv?_stream=on",
        "/marsad/latest_changes.csv",
        "/marsad/pages.json?_shape=array",
    )
    assert csv_all.status_code == 200 and "يبدأ مفهوم الأمن" in csv_all.text
    assert (
        len(
            [
                line
                for line in csv_all.text.splitlines()
                if line.startswith(("1,", "2,", "3,", "4,"))
            ]
        )
        == 4
    )
    assert "حلف شمال الأطلسي" in query_csv.text
    assert {r["url"] for r in table_json.json()} == {URL, XSS_URL, GONE_URL}


def test_metadata_describes_instance_tables_and_columns(site):
    path, _ = site
    home, table = get(path, "/", "/marsad/versions")
    assert "marsad — مرصد" in home.text and "/-/marsad/" in home.text
    assert "A new row only when the article" in table.text
    (meta,) = get(path, "/-/metadata.json")
    assert "seed_similarity" in meta.json()["databases"]["marsad"]["tables"]["versions"]["columns"]


def test_every_table_and_column_is_described_in_arabic_and_english():
    # "الاسم — What it is": docs/datasette.md promises both languages on every table page
    import json
    from pathlib import Path

    tables = json.loads(
        (Path(__file__).resolve().parents[1] / "store" / "metadata.json").read_text("utf-8")
    )["tables"]
    both = re.compile(r"^[\u0600-\u06FF][^—]* — \S")
    described = [(name, table.get("description", "")) for name, table in tables.items()]
    described += [
        (f"{name}.{column}", text)
        for name, table in tables.items()
        for column, text in table.get("columns", {}).items()
    ]
    assert [name for name, text in described if not both.match(text)] == []


def test_face_is_read_only(site):
    path, _ = site
    (attempt,) = get(path, "/marsad.json?sql=DELETE+FROM+pages")
    assert attempt.status_code == 400
    assert len(rows(path, "/marsad/pages.json?_shape=array")) == 3
    (database,) = get(path, "/marsad.json")
    queries = database.json()["queries"]
    assert {q["name"] for q in queries} >= {
        "latest_changes",
        "page_history",
        "seed_drift",
        "pages_gone",
        "fetch_errors_by_host",
        "search",
    }
    assert not any(q.get("write") for q in queries)


def test_upgrading_an_older_database_indexes_its_versions_for_search(tmp_path):
    import sqlite3

    import sqlite_utils

    from store import fts, schema

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    schema.MIGRATIONS[0](old)  # a database as the first marsad left it
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO pages (url, url_key, first_seen) VALUES (?, ?, 't0')", [URL, URL])
    old.execute(
        "INSERT INTO versions (page_id, version, fetched_at, title, text, blocks, metadata,"
        " content_hash, changed_fields) VALUES (1, 1, 't1', 'عنوان', ?, '[]', '{}', 'h', '[]')",
        ["عن دور الإسلام وقال مُحَمَّدٌ"],
    )
    old.conn.close()
    db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert fts.search(db, "اسلام") == [1] and fts.search(db, "محمد") == [1]
    assert fts.search(db, "أوروبا") == []


def test_a_post_to_a_canned_query_is_refused_with_a_clear_405(site):
    path, _ = site

    async def ask():
        ds = build_datasette(path)
        posted = await ds.client.post("/marsad/search.json", data={"q": "محمد"})
        read = await ds.client.get("/marsad/search.json?_shape=array&q=محمد")
        return posted, read

    posted, read = asyncio.run(ask())
    assert posted.status_code == 405 and posted.headers["allow"] == "GET"
    assert (
        posted.text
        == "`search` is a read-only query: open it with GET (its page or a link), not POST.\n"
    )
    assert read.status_code == 200 and read.json()


def test_shaky_extractions_and_stored_bodies_are_shown_escaped(tmp_path):
    path = tmp_path / "marsad.db"
    db = connect(path)
    body = "<html><body><script>alert('body')</script><p>نص المقال الأصلي</p></body></html>" * 40
    shaky = ensure_page(db, URL, now=iso(T0))
    sure = ensure_page(db, GONE_URL, now=iso(T0))
    fetched = Fetched(
        url=URL,
        final_url=URL,
        outcome="ok",
        status=200,
        body=body,
        content_type="text/html; charset=UTF-8",
    )
    record_check(
        db,
        shaky,
        Observation(
            fetched, replace(article(V1, title=XSS_TITLE), method="listing", confidence=0.31)
        ),
        now=iso(T0 + timedelta(hours=1)),
    )
    record_check(
        db,
        sure,
        Observation(ok(GONE_URL), replace(article(V2), method="container", confidence=0.97)),
        now=iso(T0 + timedelta(hours=2)),
    )
    db.conn.close()
    found = rows(path, "/marsad/shaky_extractions.json?_shape=array")
    assert [(r["page_id"], r["method"], r["confidence"]) for r in found] == [
        (shaky, "listing", 0.31)
    ]
    assert (
        rows(path, "/marsad/shaky_extractions.json?_shape=array&below=0.99")[0]["page_id"] == sure
    )
    versions, bodies, query = get(
        path, "/marsad/versions", "/marsad/bodies", "/marsad/shaky_extractions"
    )
    assert "listing" in versions.text and "text/html; charset=UTF-8" in versions.text
    for response in (bodies, query):
        assert response.status_code == 200
        assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(" in bodies.text and "نص المقال الأصلي" in bodies.text
