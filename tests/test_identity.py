"""Every spelling of the seed article ends on one page: by key, and by what a fetch reveals."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from crawler.models import Block, Extracted, Fetched, Hop, Observation
from store.schema import connect
from store.seedmatch import load_seed
from store.versions import ensure_page, record_check

ROOT = Path(__file__).resolve().parents[1]
SEED = load_seed(ROOT / "seeds" / "000_3b1ee1feec353f5c.txt")
SITE = "https://www.europarabct.com"
SLUG = "أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط"
UPPER = quote(SLUG)
PERMALINK = f"{SITE}/{UPPER}/"
SHORT_LINK = f"{SITE}/?p=95655"
FIVE_SPELLINGS = [
    SHORT_LINK,
    f"{SITE}/{UPPER.lower()}",  # lower-case hex, no trailing slash
    f"{SITE}/{SLUG}/?utm_source=facebook&utm_medium=social&fbclid=IwAR0abc",
    f"{SITE}/{UPPER}/?share=twitter#comments",
    f"{SITE}/{UPPER}/amp/",
]
ARTICLE = Extracted(
    title="أمن دولي ـ لماذا زاد اهتمام الناتو بمنطقة المحيطين الهندي والهادئ؟",
    canonical_url=PERMALINK,
    shortlink=SHORT_LINK,
    blocks=tuple(Block("paragraph", p) for p in SEED.paragraphs),
)


def fetch_of(url: str) -> Fetched:
    """What the site answers: the short link redirects (301) to the permalink."""
    if url == SHORT_LINK:
        return Fetched(
            url=url,
            final_url=PERMALINK,
            outcome="ok",
            status=200,
            body="<html/>",
            redirects=(Hop(url, 301, PERMALINK),),
        )
    return Fetched(url=url, final_url=url, outcome="ok", status=200, body="<html/>")


def test_five_spellings_of_the_seed_article_are_one_page_and_one_version(tmp_path):
    db = connect(tmp_path / "marsad.db")
    outcomes = []
    for n, url in enumerate(FIVE_SPELLINGS):
        page = ensure_page(db, url, now=f"t{n}")
        outcomes.append(record_check(db, page, Observation(fetch_of(url), ARTICLE), now=f"t{n}"))
    assert {o.page_id for o in outcomes} == {1}
    assert [o.outcome for o in outcomes] == ["new_version"] + ["unchanged"] * 4
    assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    assert db.execute("SELECT count(*), count(DISTINCT page_id) FROM fetches").fetchone() == (5, 1)
    keys = {k for (k,) in db.execute("SELECT url_key FROM page_aliases")}
    assert {"europarabct.com/?p=95655", f"europarabct.com/{UPPER}"} <= keys


def test_two_targets_created_before_any_fetch_are_united_by_the_first_check(tmp_path):
    db = connect(tmp_path / "marsad.db")
    permalink_page = ensure_page(db, PERMALINK, now="t0")
    short_page = ensure_page(db, SHORT_LINK, now="t0")
    assert permalink_page != short_page  # nothing yet says the short link is that article
    first = record_check(db, short_page, Observation(fetch_of(SHORT_LINK), ARTICLE), now="t1")
    again = record_check(db, permalink_page, Observation(fetch_of(PERMALINK), ARTICLE), now="t2")
    later = record_check(db, short_page, Observation(fetch_of(SHORT_LINK), ARTICLE), now="t3")
    assert first.page_id == again.page_id == later.page_id == permalink_page
    assert [o.outcome for o in (first, again, later)] == ["new_version", "unchanged", "unchanged"]
    assert db.execute(
        "SELECT merged_into, state FROM pages WHERE id = ?", [short_page]
    ).fetchone() == (permalink_page, "merged")
    assert ensure_page(db, SHORT_LINK, now="t4") == permalink_page
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    [merged] = db.execute("SELECT page_id, detail FROM events WHERE kind = 'merged'").fetchall()
    assert merged[0] == permalink_page and SHORT_LINK in merged[1]


def test_a_failed_fetch_proves_nothing_about_identity(tmp_path):
    db = connect(tmp_path / "marsad.db")
    home = ensure_page(db, f"{SITE}/", now="t0")
    post = ensure_page(db, f"{SITE}/?p=1", now="t0")
    # a deleted post redirecting to the home page, which answers 404 for it
    deleted = Fetched(
        url=f"{SITE}/?p=1",
        final_url=f"{SITE}/",
        outcome="error",
        status=404,
        error="HTTP 404",
        redirects=(Hop(f"{SITE}/?p=1", 301, f"{SITE}/"),),
    )
    outcome = record_check(db, post, Observation(deleted, None), now="t1")
    assert (outcome.page_id, outcome.outcome) == (post, "gone")
    assert db.execute("SELECT count(*) FROM pages WHERE merged_into IS NOT NULL").fetchone()[0] == 0
    assert ensure_page(db, f"{SITE}/", now="t2") == home
