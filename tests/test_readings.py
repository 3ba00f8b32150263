"""Stored versions compared as today's reader reads them, on a real SQLite file.

Bodies here name the article they hold (`<p>…</p>` per paragraph); each reader reads them its
own way, as two extractor versions would.
"""

from __future__ import annotations

import json
import re

import pytest

from crawler.models import Block, Extracted, Fetched, Observation
from store.readings import Reader
from store.schema import connect
from store.versions import Comparison, ensure_page, record_check

URL = "https://www.europarabct.com/?p=95655"
A = ["حدد الحلف ثلاث مهام أساسية", "الدفاع الجماعي وإدارة الأزمات"]
B = ["حدد الحلف أربع مهام أساسية", "الدفاع الجماعي وإدارة الأزمات"]
FOOTER = "اقرأ أيضا مقالات أخرى"


def html(paragraphs: list[str], noise: int = 0) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs) + f"<footer>{FOOTER}</footer><!-- {noise} -->"


def old_read(body: str, url: str | None = None) -> Extracted:
    paragraphs = re.findall(r"<p>(.*?)</p>", body)
    return Extracted(title="الناتو", blocks=tuple(Block("paragraph", p) for p in paragraphs))


def new_read(body: str, url: str | None = None) -> Extracted:
    """The upgraded extractor also keeps the footer line."""
    found = old_read(body, url)
    return Extracted(
        title=found.title,
        blocks=(*found.blocks, Block("paragraph", FOOTER)),
        method="container",
        confidence=0.8,
    )


OLD, NEW = Reader("1", old_read), Reader("2", new_read)


@pytest.fixture
def db(tmp_path):
    return connect(tmp_path / "marsad.db")


def check(db, page, paragraphs, reader, now, noise=0):
    body = html(paragraphs, noise)
    fetched = Fetched(
        url=URL,
        final_url=URL,
        outcome="ok",
        status=200,
        body=body,
        content_type="text/html; charset=UTF-8",
    )
    return record_check(
        db,
        page,
        Observation(fetched, reader.read(body, URL)),
        now=now,
        comparison=Comparison(reader=reader),
    )


def kinds(db):
    return [
        k
        for (k,) in db.execute(
            "SELECT kind FROM events WHERE kind NOT IN ('first_seen') ORDER BY id"
        )
    ]


def test_flapping_across_an_upgrade_is_a_revert_not_a_version(db):
    page = ensure_page(db, URL, now="t0")
    assert check(db, page, A, OLD, "t1").version == 1
    assert check(db, page, B, OLD, "t2").version == 2
    # after the upgrade the page flaps back to A: the recent versions are re-read too
    outcome = check(db, page, A, NEW, "t3", noise=1)
    assert (outcome.outcome, outcome.reverted_to) == ("reverted", 1)
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 2
    assert kinds(db) == ["changed", "changed", "reverted", "reread"]
    assert check(db, page, A, NEW, "t4", noise=2).outcome == "unchanged"


def test_a_body_todays_reader_finds_nothing_in_is_rebaselined(db):
    page = ensure_page(db, URL, now="t0")
    check(db, page, A, OLD, "t1")

    def blind_to_old_bodies(body: str, url: str | None = None) -> Extracted:
        return new_read(body, url) if "<!-- 1 -->" in body else Extracted(reason="no article")

    outcome = check(db, page, A, Reader("2", blind_to_old_bodies), "t2", noise=1)
    assert outcome.outcome == "unchanged"
    [detail] = [
        json.loads(d) for (d,) in db.execute("SELECT detail FROM events WHERE kind = 'rebaselined'")
    ]
    assert "has no article for today's extractor" in detail["why"]


def test_a_damaged_body_does_not_stop_the_page_from_being_recorded(db):
    page = ensure_page(db, URL, now="t0")
    check(db, page, A, OLD, "t1")
    db.execute("UPDATE bodies SET zstd = x'28b52ffd00', text = NULL")
    outcome = check(db, page, B, NEW, "t2", noise=1)
    assert outcome.outcome == "unchanged"  # rebaselined: the damaged body cannot be re-read
    assert kinds(db) == ["changed", "rebaselined"]
    assert check(db, page, A, NEW, "t3", noise=2).version == 2


def test_the_version_keeps_its_body_headers_and_what_read_it(db):
    page = ensure_page(db, URL, now="t0")
    check(db, page, A, NEW, "t1")
    check(db, page, A, NEW, "t2", noise=1)  # unchanged: no second body is kept
    row = db.execute(
        "SELECT content_type, method, confidence, extractor_version, reader, b.size,"
        " marsad_text(b.text, b.zstd) FROM versions v JOIN bodies b ON b.hash = v.body_hash"
    ).fetchone()
    assert row[:6] == (
        "text/html; charset=UTF-8",
        "container",
        0.8,
        "2",
        "2",
        len(html(A).encode()),
    )
    assert row[6] == html(A)
    assert db.execute("SELECT count(*) FROM bodies").fetchone()[0] == 1
