"""The Atom feed of changes parses in a feed reader and carries each version's diff summary."""

import asyncio

import feedparser

from store.feed import FeedEntry, atom_feed
from store.web import build_datasette
from tests.test_web import URL, XSS_TITLE, get, populate


def parse(response):
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_feed_has_one_entry_per_new_version_with_its_summary(tmp_path):
    ids = populate(tmp_path / "marsad.db")
    feed = parse(get(tmp_path / "marsad.db", "/-/marsad/changes.atom")[0])
    assert feed.feed.title == "marsad — changes to watched pages"
    assert len(feed.entries) == 4  # two versions of the article, one each for the other pages
    newest = feed.entries[0]
    assert newest.title == "حلف شمال الأطلسي: مفهوم جديد — version 2"
    assert newest.link == f"http://localhost/-/marsad/diff/{ids['page']}/1/2"
    assert "+9 words, −0 words" in newest.summary and "Changed: title, text" in newest.summary
    assert {t.term for t in newest.tags} == {"title", "text"}
    assert len({e.id for e in feed.entries}) == 4


def test_feed_for_one_page_and_hostile_titles_stay_text(tmp_path):
    ids = populate(tmp_path / "marsad.db")
    one, everything = get(
        tmp_path / "marsad.db", f"/-/marsad/changes.atom?url={URL}", "/-/marsad/changes.atom"
    )
    page_feed = parse(one)
    assert [e.link.rsplit("/", 2)[-2:] for e in page_feed.entries] == [["1", "2"], ["0", "1"]]
    assert all(f"/diff/{ids['page']}/" in e.link for e in page_feed.entries)
    hostile = next(e for e in parse(everything).entries if f"/diff/{ids['xss']}/" in e.link)
    assert hostile.title == f"{XSS_TITLE} — version 1"
    assert "<script>" not in everything.text  # escaped in the XML itself


def test_characters_xml_cannot_carry_do_not_break_the_feed():
    entry = FeedEntry(
        version_id=1,
        page_id=1,
        version=2,
        fetched_at="2026-01-01T00:00:00.000Z",
        title="عنوان\x00\x0b مع\ufffe رموز",
        url="https://a.example/?p=1",
        words_added=3,
        words_removed=1,
        changed_fields=("text",),
        seed_similarity=0.5,
        diff_href="http://localhost/-/marsad/diff/1/1/2",
    )
    xml = atom_feed(
        [entry],
        feed_id="tag:x",
        title="t",
        self_href="http://localhost/f",
        alternate_href="http://localhost/",
        updated="2026-01-01T00:00:00Z",
    )
    feed = feedparser.parse(xml)
    assert not feed.bozo and feed.entries[0].title == "عنوان مع رموز — version 2"
    assert feed.entries[0].summary == (
        "Version 2: +3 words, −1 words. Changed: text. Similarity to seed: 0.50."
    )


def test_a_feed_of_where_words_appear_tells_once_per_page(tmp_path):
    ids = populate(tmp_path / "marsad.db")
    islam, muhammad, none, both = get(
        tmp_path / "marsad.db",
        "/-/marsad/changes.atom?q=اسلام",
        "/-/marsad/changes.atom?q=محمد",
        "/-/marsad/changes.atom?q=خبارات",
        f"/-/marsad/changes.atom?q=محمد&url={URL}",
    )
    islam_feed = parse(islam)
    assert islam_feed.feed.title == "marsad — changes where «اسلام» appears"
    # Only version 2 says الإسلام: it is where the word appears.
    (entry,) = islam_feed.entries
    assert entry.link == f"http://localhost/-/marsad/diff/{ids['page']}/1/2"
    assert "دور الإسلام في أوروبا" in entry.summary  # the excerpt, as written
    # Both versions say مُحَمَّدٌ: told once, when it first appeared.
    assert [e.link.rsplit("/", 2)[-2:] for e in parse(muhammad).entries] == [["0", "1"]]
    assert parse(none).entries == []
    assert [e.link.rsplit("/", 2)[-2:] for e in parse(both).entries] == [["0", "1"]]
    assert "q=" in parse(both).feed.links[0].href


def test_entries_quote_the_words_added_and_removed_and_point_browsers_to_a_stylesheet(tmp_path):
    ids = populate(tmp_path / "marsad.db")
    response, back = get(
        tmp_path / "marsad.db", "/-/marsad/changes.atom", "/-/static-plugins/marsad/feed.xsl"
    )
    assert (
        '<?xml-stylesheet type="text/xsl" href="/-/static-plugins/marsad/feed.xsl"?>'
        in response.text
    )
    assert back.status_code == 200 and "xsl:stylesheet" in back.text
    newest = parse(response).entries[0]
    assert newest.link.endswith(f"/diff/{ids['page']}/1/2")
    assert "Added: «والتعاوني … وأضاف أن دور الإسلام في أوروبا يتطلب حواراً»." in newest.summary


def test_diff_excerpts_are_cut_to_a_number_of_words():
    from store.diff import BlockOp, Diff
    from store.feed import diff_excerpts

    diff = Diff(
        blocks=(
            BlockOp(
                "change",
                old=0,
                new=0,
                words=(
                    ("equal", "قال"),
                    ("delete", " الوزير"),
                    ("insert", " الرئيس"),
                    ("insert", " أمس"),
                ),
            ),
            BlockOp("insert", new=1, text=" ".join(["كلمة"] * 40)),
            BlockOp("delete", old=1, text="فقرة قديمة"),
        ),
        words_added=42,
        words_removed=3,
    )
    added, removed = diff_excerpts(diff.to_json(), words=5)
    assert added == "الرئيس أمس … كلمة كلمة كلمة …"
    assert removed == "الوزير … فقرة قديمة"
    assert diff_excerpts("not json") == ("", "") and diff_excerpts(None) == ("", "")


def test_a_browser_opening_the_feed_gets_a_page_and_a_feed_reader_the_xml(tmp_path):
    populate(tmp_path / "marsad.db")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    reader = "application/atom+xml, application/rss+xml;q=0.9, text/html;q=0.5, */*;q=0.1"

    async def fetch():
        ds = build_datasette(tmp_path / "marsad.db")
        return [
            await ds.client.get(path, headers={"accept": accept})
            for path, accept in (
                ("/-/marsad/changes.atom", browser),
                ("/-/marsad/changes.atom", reader),
                ("/-/marsad/changes.atom?format=atom", browser),
            )
        ]

    page, xml, forced = asyncio.run(fetch())
    assert page.headers["content-type"].startswith("text/html")
    assert "give this address to a feed reader" in page.text and "+ «والتعاوني" in page.text
    assert "<script>alert" not in page.text
    assert xml.headers["content-type"].startswith("application/atom+xml") and not parse(xml).bozo
    assert forced.headers["content-type"].startswith("application/atom+xml")
