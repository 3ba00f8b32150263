"""What a researcher reads on marsad's pages: Arabic URLs as letters, why a check failed and when
it is tried again, a long article's diff reduced to its changes, times in the reader's zone, and
the interface in Arabic or English. In-process Datasette on a real SQLite file."""

import asyncio
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from crawler.models import Block, Extracted, Fetched, Observation
from store.schema import connect
from store.timestamps import iso
from store.versions import ensure_page, record_check
from store.web import build_datasette
from tests.test_web import PERMALINK, SLUG, Elements, populate

ARABIC_URL = "https://www.europarabct.com/" + quote("الأمن-الجماعي") + "/"
PARAGRAPHS = [f"الفقرة رقم {n} من المقال الطويل عن الأمن الجماعي" for n in range(1, 13)]


def get(path, *urls, headers=None):
    async def fetch():
        ds = build_datasette(path)
        return [await ds.client.get(url, headers=headers or {}) for url in urls]

    return asyncio.run(fetch())


def populate_reading(path) -> dict:
    """The pages of tests/test_web.py, and a long article watched by its Arabic URL, edited in
    two places with a paragraph inserted, whose latest check failed."""
    ids = populate(path)
    db = connect(path)
    t0 = datetime(2026, 2, 1, tzinfo=UTC)
    page = ensure_page(db, ARABIC_URL, now=iso(t0))
    fetched = Fetched(
        url=ARABIC_URL, final_url=ARABIC_URL, outcome="ok", status=200, body="<html/>"
    )
    first = [Block("paragraph", p) for p in PARAGRAPHS]
    second = list(first)
    second[1] = Block("paragraph", PARAGRAPHS[1] + " والتعاون")
    second.insert(6, Block("paragraph", "فقرة جديدة كاملة أضيفت هنا"))
    second[11] = Block("paragraph", PARAGRAPHS[10].replace("الطويل", "القصير"))
    record_check(
        db,
        page,
        Observation(fetched, Extracted(title="مقال طويل", blocks=tuple(first))),
        now=iso(t0),
    )
    record_check(
        db,
        page,
        Observation(fetched, Extracted(title="مقال طويل", blocks=tuple(second))),
        now=iso(t0 + timedelta(days=1)),
    )
    failed = Fetched(
        url=ARABIC_URL,
        final_url=ARABIC_URL,
        outcome="error",
        status=503,
        error_class="HTTPStatusError",
        error="server error 503 Service Unavailable",
    )
    record_check(
        db,
        page,
        Observation(failed, None),
        now=iso(t0 + timedelta(days=2)),
        next_check_at="2026-02-03T06:30:00.000Z",
    )
    db.conn.close()
    return {**ids, "long": page}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("reading") / "marsad.db"
    return path, populate_reading(path)


def test_an_arabic_url_reads_as_letters_and_links_to_the_encoded_form(site):
    path, ids = site
    index, timeline, pages, versions = get(
        path, "/-/marsad/", f"/-/marsad/page/{ids['page']}", "/marsad/pages", "/marsad/versions"
    )
    for response in (index, timeline, pages, versions):
        assert response.status_code == 200
    assert "الأمن-الجماعي" in index.text and quote("الأمن-الجماعي") not in index.text.split(
        "<tbody>"
    )[1].replace(f'title="{ARABIC_URL}"', "")
    # After redirects: the decoded permalink is what is read, the encoded one what is followed.
    after = timeline.text.split("After redirects")[1].split("</dd>")[0]
    assert SLUG in after and Elements(after).find("a", href=PERMALINK)
    for table in (pages, versions):
        assert Elements(table.text).find("a", href=PERMALINK, title=PERMALINK)
        assert f">https://www.europarabct.com/{SLUG}/</a>" in table.text


def test_a_failed_check_says_why_and_when_it_is_tried_again(site):
    path, ids = site
    index, timeline = get(path, "/-/marsad/", f"/-/marsad/page/{ids['long']}")
    row = next(r for r in index.text.split("<tr>") if "الأمن-الجماعي" in r)
    assert "HTTPStatusError: server error 503 Service Unavailable" in row
    assert "next try" in row and 'datetime="2026-02-03T06:30:00.000Z"' in row
    info = timeline.text.split('class="marsad-page-info"')[1].split("</dl>")[0]
    assert (
        "Last check failed" in info
        and "server error 503" in info
        and "3 Feb 2026, 06:30 UTC" in info
    )
    assert 'class="kind-check_failed"' in timeline.text
    # A page whose host name did not resolve says so.
    (gone,) = get(path, f"/-/marsad/page/{ids['gone']}")
    assert "ConnectError: DNS failure: www.europarabct.com" in gone.text


def test_inline_diff_counts_and_links_each_change_and_folds_unchanged_paragraphs(site):
    path, ids = site
    inline, whole = get(
        path, f"/-/marsad/diff/{ids['long']}/1/2", f"/-/marsad/diff/{ids['long']}/1/2?context=all"
    )
    html = inline.text
    bar = html.split('class="marsad-changes"')[1].split("</nav>")[0]
    assert "3 changed places" in bar
    assert [a["href"] for a in Elements(bar).find("a")][:3] == [
        "#change-1",
        "#change-2",
        "#change-3",
    ]
    elements = Elements(html)
    assert [a["id"] for _, a in elements.tags if a.get("id", "").startswith("change-")] == [
        "change-1",
        "change-2",
        "change-3",
    ]
    assert elements.find("a", href="#change-2", **{"class": "next-change"})
    # Paragraphs far from any change are folded, one click away; all of them are still there.
    assert "unchanged paragraphs — show" in html and "<details" in html
    for paragraph in PARAGRAPHS:
        assert paragraph.split(" من ")[0] in html
    assert "<details" not in whole.text.split('id="diff"')[1]


def test_side_by_side_keeps_paragraphs_level_across_an_inserted_one(site):
    path, ids = site
    (side,) = get(path, f"/-/marsad/diff/{ids['long']}/1/2?view=side")
    rows = side.text.split('<div class="diff-row">')[1:]
    inserted = next(i for i, row in enumerate(rows) if "فقرة جديدة كاملة" in row)
    assert 'class="diff-old diff-gap"' in rows[inserted]
    # Every other row holds the same paragraph on both sides.
    for row in rows[:inserted] + rows[inserted + 1 :]:
        old, new = row.split('class="diff-new')
        number = re.search(r"رقم (\d+)", old).group(1)
        assert f"رقم {number} " in new


def test_times_are_shown_readably_in_the_configured_zone_with_iso_in_a_tooltip(site, monkeypatch):
    path, ids = site
    monkeypatch.setenv("MARSAD_TIMEZONE", "Asia/Riyadh")
    timeline, table = get(path, f"/-/marsad/page/{ids['long']}", "/marsad/versions")
    assert Elements(timeline.text).find(
        "time", datetime="2026-02-02T00:00:00.000Z", title="2026-02-02T00:00:00.000Z"
    )
    assert "2 Feb 2026, 03:00 +03" in timeline.text
    assert "2 Feb 2026, 03:00 +03" in table.text  # Datasette's own tables too
    monkeypatch.setenv("MARSAD_TIMEZONE", "No/Such_Zone")
    (fallback,) = get(path, f"/-/marsad/page/{ids['long']}")
    assert "2 Feb 2026, 00:00 UTC" in fallback.text


def test_hash_columns_are_shortened_so_the_text_beside_them_keeps_its_width(site):
    path, _ = site
    (view,) = get(path, "/marsad/version_texts")
    hashes = Elements(view.text).find("span", **{"class": "marsad-hash"})
    assert hashes and all(len(h["title"]) == 64 for h in hashes)
    # a foreign key to a text or a body too: 12 characters linking to its row
    (versions,) = get(path, "/marsad/versions")
    links = Elements(versions.text).find("a", **{"class": "marsad-hash"})
    assert {link["href"].split("/")[-2] for link in links} == {"texts", "bodies"}
    assert all(link["href"].endswith("/" + link["title"]) for link in links)
    assert f">{links[0]['title'][:12]}…<" in versions.text
    assert not re.findall(r">[0-9a-f]{64}<", versions.text)  # no hash shown whole


def test_the_chart_draws_the_first_version_apart_so_a_small_edit_stays_visible():
    from store.datasette_plugin.chart import Bar, Mark, changes_chart

    bars = [
        Bar("2026-01-01T00:00:00Z", 1, 1108, 0, "/d/0/1"),
        Bar("2026-01-02T00:00:00Z", 2, 10, 3, "/d/1/2"),
        Bar("2026-01-09T00:00:00Z", 3, 4, 0, "/d/2/3"),
    ]
    svg = str(changes_chart(bars, [Mark("2026-01-05T00:00:00Z", "gone")]))
    heights = [
        float(h)
        for h in re.findall(r'class="added" x="[^"]+" y="[^"]+" width="6" height="([^"]+)"', svg)
    ]
    assert heights[1] > 40  # +10 on the later scale is a tall bar, not a 1.5 px sliver
    assert heights[1] > heights[2] > 1.5
    assert "+1,108" in svg and "first version" in svg and "+10" in svg
    assert ">2026-01-02<" in svg and ">2026-01-09<" in svg  # the axis names two different days
    same_day = str(
        changes_chart(
            [
                Bar("2026-01-02T06:00:00Z", 2, 5, 0, "/a"),
                Bar("2026-01-02T18:30:00Z", 3, 5, 0, "/b"),
            ],
            [],
        )
    )
    assert ">2026-01-02 06:00<" in same_day and ">18:30<" in same_day


def test_marsad_pages_speak_arabic_right_to_left_when_the_browser_or_setting_asks(
    site, monkeypatch
):
    path, ids = site
    pages = ["/-/marsad/", f"/-/marsad/page/{ids['long']}", f"/-/marsad/diff/{ids['long']}/1/2"]
    arabic = get(path, *pages, headers={"accept-language": "ar-EG,ar;q=0.9,en;q=0.5"})
    for response in arabic:
        assert Elements(response.text).find("html", lang="ar", dir="rtl")
    assert "الصفحات المرصودة" in arabic[0].text and "فشل الفحص الأخير" in arabic[1].text
    assert (
        "مواضع التغيير (3):" in arabic[2].text and "يناير" not in arabic[0].text.split("<tbody>")[0]
    )
    english = get(path, *pages, headers={"accept-language": "en-GB,en;q=0.9,ar;q=0.8"})
    for response in english:
        assert Elements(response.text).find("html", lang="en", dir="ltr")
    assert "Watched pages" in english[0].text
    # A reader's pick (?lang=) wins over the browser and is remembered in a cookie.
    (picked,) = get(path, "/-/marsad/?lang=ar", headers={"accept-language": "en"})
    assert Elements(picked.text).find("html", dir="rtl")
    assert "marsad_lang=ar" in picked.headers["set-cookie"]
    (remembered,) = get(path, "/-/marsad/", headers={"cookie": "marsad_lang=ar"})
    assert Elements(remembered.text).find("html", dir="rtl")
    monkeypatch.setenv("MARSAD_LANGUAGE", "ar")
    (configured,) = get(path, "/-/marsad/")
    assert Elements(configured.text).find("html", lang="ar", dir="rtl")


def test_accept_language_weights_are_read_as_rfc_9110_says():
    from store.datasette_plugin.language import from_accept_language

    assert from_accept_language("fr, ar;q=0.8, en;q=0.7") == "ar"
    assert from_accept_language("en;q=0.2, ar-SA;q=0.9") == "ar"
    assert from_accept_language("de, fr") == "en"
    assert from_accept_language("ar;q=nonsense, en") == "en"
    assert from_accept_language("") == "en"


def test_search_groups_versions_by_page_and_highlights_the_matched_words(site):
    path, _ = site
    islam, muhammad, hostile, empty = get(
        path,
        "/-/marsad/search?q=اسلام",
        "/-/marsad/search?q=محمد",
        "/-/marsad/search?q=نهاية",
        "/-/marsad/search",
    )
    assert islam.status_code == 200
    assert "<mark>الإسلام</mark>" in islam.text and "1 pages hold these words" in islam.text
    assert Elements(islam.text).find("input", name="q", dir="auto", value="اسلام")
    # Both versions of the article say مُحَمَّدٌ: one result for the page, counting both.
    listed = muhammad.text.split('class="marsad-results"')[1].split("</ol>")[0]
    assert listed.count("<li>") == 1 and "2 of 2 versions hold them" in muhammad.text
    assert "<mark>مُحَمَّدٌ</mark>" in muhammad.text
    assert "latest version holding them: 2" in muhammad.text
    assert "+ «والتعاوني … وأضاف" in muhammad.text  # what that version added
    assert "<script>alert" not in hostile.text and "&lt;script&gt;" in hostile.text
    assert empty.status_code == 200 and "<ol" not in empty.text


def test_front_page_leads_to_watched_pages_and_queries_show_results_before_sql(site):
    path, _ = site
    home, query, shown = get(
        path, "/", "/marsad/latest_changes", "/marsad/latest_changes?_show_sql=1"
    )
    first_link = Elements(home.text.split('class="content"')[1]).find("a")
    assert any(a.get("href") == "/-/marsad/" for a in first_link[:2])
    assert 'id="sql-query"' not in query.text and 'class="rows-and-columns"' in query.text
    assert "_show_sql=1" in query.text  # the SQL is one click away
    assert 'id="sql-query"' in shown.text


def test_csv_for_excel_has_a_bom_and_the_versions_export_holds_text_not_json(site):
    path, ids = site
    table, excel, plain, export = get(
        path,
        "/marsad/versions",
        "/marsad/versions.csv?_stream=on&_excel=1&_dl=1",
        "/marsad/versions.csv",
        "/marsad/versions_with_text.csv?_excel=1",
    )
    assert "CSV for Excel" in table.text  # the link is written next to Datasette's CSV link
    assert excel.content.startswith(b"\xef\xbb\xbf") and not plain.content.startswith(
        b"\xef\xbb\xbf"
    )
    assert "attachment" in excel.headers["content-disposition"]
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    article = next(r for r in rows if r["page_id"] == str(ids["page"]) and r["version"] == "2")
    assert "وأضاف أن دور الإسلام في أوروبا يتطلب حواراً" in article["text"]
    assert article["final_url"] == f"https://www.europarabct.com/{SLUG}/"
    assert article["final_url_encoded"] == PERMALINK
    assert article["changed"] == "title, text" and article["author"] == "المحرر"
    assert not any(value.startswith(("[", "{")) for value in article.values())


def test_a_missing_page_or_version_says_so_in_the_readers_language(site):
    path, ids = site
    missing, arabic, hostile = get(
        path,
        f"/-/marsad/diff/{ids['page']}/1/9",
        "/-/marsad/page/999",
        "/-/marsad/page?url=<script>alert(1)</script>",
        headers={"accept-language": "ar"},
    )
    assert missing.status_code == 404 and "has no version 9" in missing.text
    assert Elements(arabic.text).find("html", lang="ar", dir="rtl") and "غير موجود" in arabic.text
    assert hostile.status_code == 404 and "<script>alert(1)" not in hostile.text
    (table,) = get(path, "/marsad/versions")
    assert "الإصدارات — A new row only when" in table.text  # metadata labels in both languages


def test_the_first_text_is_shown_whole_without_a_bar_of_changes(site):
    path, ids = site
    (first,) = get(path, f"/-/marsad/diff/{ids['long']}/0/1")
    assert first.status_code == 200
    assert 'class="marsad-changes"' not in first.text and "diff-folded" not in first.text
    assert first.text.split('id="diff"')[1].count('<ins class="diff-ins">') == len(PARAGRAPHS)


def test_side_by_side_rows_pair_a_rewritten_paragraph_and_leave_gaps_for_deleted_ones():
    from store.datasette_plugin.diffview import text_diff

    old = "أول فقرة ثابتة هنا\n\nفقرة ستحذف كلها تماما\n\nفقرة ثالثة ثابتة أيضا\n\nنص قديم سيعاد كتابته"
    new = "أول فقرة ثابتة هنا\n\nفقرة ثالثة ثابتة أيضا\n\nكلام مختلف لا يشبه ما قبله"
    rows = text_diff(old, new).rows
    shown = [
        (
            row.old and " ".join(r.text for r in row.old),
            row.new and " ".join(r.text for r in row.new),
        )
        for row in rows
    ]
    assert shown[0] == ("أول فقرة ثابتة هنا", "أول فقرة ثابتة هنا")
    assert shown[1] == ("فقرة ستحذف كلها تماما", None)  # deleted: a gap on the newer side
    assert shown[2] == ("فقرة ثالثة ثابتة أيضا", "فقرة ثالثة ثابتة أيضا")
    assert shown[3] == ("نص قديم سيعاد كتابته", "كلام مختلف لا يشبه ما قبله")  # rewritten: level
    assert len(rows) == 4
