"""Learning a site's chrome from its pages (store.sitelearn), in a real SQLite file: a block most
pages of a site repeat is left out like an ignore rule, learning it never makes a page change,
and a learned rule never takes the article itself."""

from __future__ import annotations

import asyncio

import pytest

from crawler.models import Block, Extracted, Fetched, Observation
from store import sitelearn
from store.schema import connect
from store.versions import ensure_page, record_check
from store.web import build_datasette

SITE = "https://news.example.org"
PLUG = "اشترك في النشرة البريدية لتصلك أحدث الإصدارات والدراسات كل أسبوع"
OPENING = "خاص – المركز الأوروبي لدراسات مكافحة الإرهاب والاستخبارات"


@pytest.fixture
def db(tmp_path):
    return connect(tmp_path / "marsad.db")


def fetched(url: str) -> Fetched:
    return Fetched(url=url, final_url=url, outcome="ok", status=200, body="<html/>")


def story(n: int, *extra: str, first: str = "") -> Extracted:
    body = (
        f"{first}تقرير رقم {n} عن الأمن الأوروبي وسياسات مكافحة التطرف في القارة",
        f"الفقرة الثانية من التقرير {n} تتناول التعاون بين الأجهزة الأمنية",
    )
    return Extracted(
        title=f"تقرير {n}", blocks=tuple(Block("paragraph", t) for t in (*body, *extra))
    )


def check(db, n: int, extracted: Extracted, now: str = "t1"):
    url = f"{SITE}/{n}/"
    page = ensure_page(db, url, now="t0")
    return record_check(db, page, Observation(fetched(url), extracted), now=now)


def text_of(db, n: int) -> str:
    row = db.execute(
        "SELECT marsad_text(t.text, t.zstd) FROM versions v JOIN texts t ON t.hash = v.text_hash"
        " JOIN pages p ON p.id = v.page_id WHERE p.url = ? ORDER BY v.version DESC LIMIT 1",
        [f"{SITE}/{n}/"],
    ).fetchone()
    return row[0]


def learned_rows(db):
    return db.execute("SELECT site, text, pages, site_pages FROM site_boilerplate").fetchall()


def test_a_block_on_most_pages_of_a_site_is_learned_and_left_out(db):
    for n in range(1, 5):
        check(db, n, story(n, PLUG))
    assert learned_rows(db) == []  # four pages are too few to say what the site repeats
    assert PLUG in text_of(db, 1)
    check(db, 5, story(5, PLUG))
    assert learned_rows(db) == [("news.example.org", PLUG, 5, 5)]
    check(db, 6, story(6, PLUG))
    assert PLUG not in text_of(db, 6) and "تقرير رقم 6" in text_of(db, 6)


def test_learning_a_block_never_makes_a_page_change(db):
    for n in range(1, 7):
        check(db, n, story(n, PLUG))
    # Pages 1-4 were stored with the plug, before it was learned: checked again showing the
    # same, they are unchanged (both sides are compared without it).
    again = [check(db, n, story(n, PLUG), now="t2").outcome for n in range(1, 7)]
    assert again == ["unchanged"] * 6
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 6
    # A real edit is still a version, and its diff does not mention the plug.
    edited = check(db, 2, story(2, PLUG, "فقرة جديدة أضيفت إلى التقرير"), now="t3")
    assert (edited.outcome, edited.words_added, edited.words_removed) == ("new_version", 5, 0)


def test_a_sentence_opening_every_article_is_kept(db):
    """Every article starts with the same dateline inside its first paragraph: a different block
    on every page, so nothing is learned and the sentence stays in each article."""
    for n in range(1, 8):
        check(db, n, story(n, first=f"{OPENING}: "))
    assert learned_rows(db) == []
    assert all(OPENING in text_of(db, n) for n in range(1, 8))


def test_a_learned_block_is_not_taken_from_a_text_it_is_most_of(db):
    for n in range(1, 7):
        check(db, n, story(n, PLUG))
    short = Extracted(title="بيان", blocks=(Block("paragraph", PLUG), Block("paragraph", "بيان")))
    check(db, 50, short)
    assert PLUG in text_of(db, 50)


def test_blocks_seen_on_few_pages_are_forgotten(db):
    for n in range(1, 7):
        check(db, n, story(n, PLUG))
    assert len(learned_rows(db)) == 1
    for n in range(1, 7):  # the site drops the plug
        check(db, n, story(n), now="t2")
    assert learned_rows(db) == []


def test_sites_learn_apart(db):
    for n in range(1, 7):
        check(db, n, story(n, PLUG))
    other = "https://other.example.net/a/"
    page = ensure_page(db, other, now="t0")
    record_check(db, page, Observation(fetched(other), story(99, PLUG)), now="t1")
    row = db.execute(
        "SELECT marsad_text(t.text, t.zstd) FROM versions v JOIN texts t ON t.hash = v.text_hash"
        " WHERE v.page_id = ?",
        [page],
    ).fetchone()
    assert PLUG in row[0]
    assert sitelearn.site_of("https://News.Example.org:8443/x") == "news.example.org:8443"


def test_what_was_learned_is_shown_in_datasette(db, tmp_path):
    for n in range(1, 7):
        check(db, n, story(n, PLUG))
    datasette = build_datasette(tmp_path / "marsad.db")
    response = asyncio.run(datasette.client.get("/marsad/site_boilerplate.json?_shape=array"))
    assert response.status_code == 200
    [row] = response.json()
    assert (row["site"], row["text"], row["pages"], row["site_pages"]) == (
        "news.example.org",
        PLUG,
        6,
        6,
    )


def test_the_counts_learning_reads_are_the_sightings_counted_again(db):
    """`learn` reads per-site counts that triggers keep as sightings come and go (issue 17):
    after pages are added, edited, stripped of the plug and moved to another host, the counts
    are what counting every sighting again gives."""
    for n in range(1, 8):
        check(db, n, story(n, PLUG))
    check(db, 2, story(2, PLUG, "فقرة جديدة أضيفت إلى التقرير"), now="t2")
    check(db, 3, story(3), now="t2")
    check(db, 4, story(4, PLUG.replace("البريدية", "البريديّة")), now="t2")  # same key, new text
    moved = "https://other.example.net/5/"
    page = ensure_page(db, f"{SITE}/5/", now="t0")
    record_check(db, page, Observation(Fetched(url=f"{SITE}/5/", final_url=moved, outcome="ok",
                                               status=200, body="<html/>"), story(5, PLUG)),
                 now="t3")  # fmt: skip
    kept = db.execute("SELECT site, key, pages, text FROM site_block_counts ORDER BY 1, 2")
    counted = db.execute(
        "SELECT site, key, count(*), min(text) FROM block_sightings GROUP BY 1, 2 ORDER BY 1, 2"
    )
    assert kept.fetchall() == counted.fetchall()
    pages = db.execute("SELECT site, pages FROM site_pages WHERE pages > 0 ORDER BY 1")
    counted_pages = db.execute(
        "SELECT site, count(DISTINCT page_id) FROM block_sightings GROUP BY 1 ORDER BY 1"
    )
    assert pages.fetchall() == counted_pages.fetchall()
    assert learned_rows(db) == [("news.example.org", PLUG, 5, 6)]


def test_a_page_merged_into_another_stops_counting_for_its_site(db):
    """Two URLs found to be one article (a second URL redirecting to the first's permalink)
    become one page; the merged page's sightings go, so the article counts once."""
    for n in range(1, 4):
        check(db, n, story(n, PLUG))
    copy = f"{SITE}/copy-of-1/"
    page = ensure_page(db, copy, now="t0")
    record_check(db, page, Observation(fetched(copy), story(1, PLUG)), now="t1")
    assert db.execute("SELECT pages FROM site_pages").fetchone()[0] == 4
    redirected = Fetched(url=copy, final_url=f"{SITE}/1/", outcome="ok", status=200, body="<html/>")
    record_check(db, page, Observation(redirected, story(1, PLUG)), now="t2")
    assert db.execute("SELECT state FROM pages WHERE id = ?", [page]).fetchone()[0] == "merged"
    left = db.execute("SELECT count(*) FROM block_sightings WHERE page_id = ?", [page])
    assert left.fetchone()[0] == 0
    assert db.execute("SELECT pages FROM site_pages").fetchone()[0] == 3
    counted = db.execute(
        "SELECT site, key, count(*) FROM block_sightings GROUP BY 1, 2 ORDER BY 1, 2"
    )
    kept = db.execute(
        "SELECT site, key, pages FROM site_block_counts WHERE pages > 0 ORDER BY 1, 2"
    )
    assert kept.fetchall() == counted.fetchall()


def test_a_page_showing_the_same_blocks_writes_no_sightings(db):
    for n in range(1, 7):
        check(db, n, story(n, PLUG))
    before = db.execute("SELECT total_changes()").fetchone()[0]
    page = ensure_page(db, f"{SITE}/3/", now="t0")
    assert sitelearn.note(db, page, "news.example.org", story(3, PLUG).blocks, "t2") is None
    assert db.execute("SELECT total_changes()").fetchone()[0] == before
