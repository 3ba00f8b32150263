"""Each version of a page with a seed records how much of the seed it still carries."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.models import Block, Extracted, Fetched, Observation
from store.schema import connect
from store.seedmatch import Alignment
from store.seeds import sync_seeds
from store.versions import Comparison, ensure_page, record_check

ROOT = Path(__file__).resolve().parents[1]
NAME = "000_3b1ee1feec353f5c.txt"
URL = "https://www.europarabct.com/?p=95655"
TRUNCATED = "والأهم من ذلك، أن هذه الشراكات"
CONTINUATION = " يمكن أن تساعد في تعزيز الردع والدفاع في منطقة المحيطين الهندي والهادئ."


def fetched(url: str = URL) -> Fetched:
    return Fetched(url=url, final_url=url, outcome="ok", status=200, body="<html/>")


def setup(tmp_path):
    db = connect(tmp_path / "marsad.db")
    seeds = sync_seeds(db, [NAME], ROOT / "seeds", "2026-01-01T00:00:00+00:00")
    return db, seeds[NAME]


def page_paragraphs(seed):
    # the page carries the paragraph the seed cut off, whole
    return [p + CONTINUATION if p.endswith(TRUNCATED) else p for p in seed.paragraphs]


def stored(db):
    row = db.execute(
        "SELECT seed_similarity, seed_alignment, seed_coverage FROM versions"
    ).fetchone()
    return row[0], Alignment.from_json(row[1]), row[2]


def test_seeds_table_holds_the_text_without_its_short_link_line(tmp_path):
    db, seed = setup(tmp_path)
    name, url, text, loaded_at = db.execute(
        "SELECT name, url, text, loaded_at FROM seeds"
    ).fetchone()
    assert (name, url, loaded_at) == (NAME, URL, "2026-01-01T00:00:00+00:00")
    assert "رابط مختصر" not in text and text.split("\n") == list(seed.paragraphs)
    assert len(seed.paragraphs) == 22


def test_the_seed_article_aligns_whole_with_its_truncated_paragraph_extended(tmp_path):
    db, seed = setup(tmp_path)
    page = ensure_page(db, URL, now="t0", seed=NAME)
    blocks = tuple(Block("paragraph", p) for p in page_paragraphs(seed))
    # no seed passed: the page's seed row is used, as after a restart of the daemon
    record_check(
        db, page, Observation(fetched(), Extracted(title="الناتو", blocks=blocks)), now="t1"
    )
    similarity, alignment, coverage = stored(db)
    assert similarity >= 0.95
    assert alignment.counts() == {"found": 21, "extended": 1, "changed": 0, "missing": 0}
    [extended] = [m for m in alignment.matches if m.status == "extended"]
    assert seed.paragraphs[extended.seed].endswith(TRUNCATED)
    assert coverage == 1.0 and alignment.extra == ()


def test_a_page_quoting_half_of_the_seed(tmp_path):
    db, seed = setup(tmp_path)
    page = ensure_page(db, "https://quoting.example/ip4", now="t0")
    own = [
        "تعليق: يرى محللون أن هذه القراءة تبالغ في تقدير دور الشركاء الآسيويين في الحلف.",
        "وختم الكاتب بأن العلاقة ستبقى رهينة بالتوافق داخل الحلف على أولوياته.",
    ]
    paragraphs = [*seed.paragraphs[:11], *own]
    record_check(
        db,
        page,
        Observation(
            fetched("https://quoting.example/ip4"),
            Extracted(title="قراءة", blocks=tuple(Block("paragraph", p) for p in paragraphs)),
        ),
        now="t1",
        comparison=Comparison(seed=seed),
    )
    similarity, alignment, coverage = stored(db)
    assert 0.3 < similarity < 0.7
    assert alignment.counts()["found"] == 11 and alignment.counts()["missing"] == 11
    assert coverage == 0.5
    assert alignment.extra == (11, 12)  # the page's own paragraphs
    assert (
        json.loads(db.execute("SELECT seed_alignment FROM versions").fetchone()[0])["coverage"]
        == 0.5
    )


def test_a_page_without_a_seed_has_no_seed_columns(tmp_path):
    db, _ = setup(tmp_path)
    page = ensure_page(db, "https://other.example/a", now="t0")
    record_check(
        db,
        page,
        Observation(
            fetched("https://other.example/a"),
            Extracted(blocks=(Block("paragraph", "نص لا بذرة له"),)),
        ),
        now="t1",
    )
    assert db.execute(
        "SELECT seed_similarity, seed_alignment, seed_coverage FROM versions"
    ).fetchone() == (None, None, None)
