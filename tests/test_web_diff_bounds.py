"""The diff page cannot freeze Datasette: the word diff is bounded work, run in a thread with a
time limit, so two versions with thousands of edits neither stall other pages nor the server."""

from __future__ import annotations

import asyncio
import random
import time

from crawler.models import Block, Extracted, Fetched, Observation
from store.datasette_plugin import views
from store.schema import connect
from store.versions import ensure_page, record_check
from store.web import build_datasette

URL = "https://www.europarabct.com/?p=95655"
WORDS = [f"كلمة{n}" for n in range(5000)]


def _article(seed: int) -> Extracted:
    pick = random.Random(seed).choice
    # ~3,000 short blocks, ~100 KB: two such versions froze every page for 10 minutes
    blocks = tuple(Block("paragraph", " ".join(pick(WORDS) for _ in range(5))) for _ in range(3000))
    return Extracted(title="عنوان", blocks=blocks)


def _two_versions(path) -> int:  # type: ignore[no-untyped-def]
    db = connect(path)
    page = ensure_page(db, URL, now="t0")
    ok = Fetched(url=URL, final_url=URL, outcome="ok", status=200, body="<html/>")
    record_check(db, page, Observation(ok, _article(1)), now="2026-01-01T00:00:00.000Z")
    record_check(db, page, Observation(ok, _article(2)), now="2026-01-02T00:00:00.000Z")
    db.conn.close()
    return page


def _get(path, url: str) -> tuple[int, str, float]:  # type: ignore[no-untyped-def]
    async def run() -> tuple[int, str, float]:
        ds = build_datasette(path)
        started = time.monotonic()
        response = await ds.client.get(url)
        return response.status_code, response.text, time.monotonic() - started

    return asyncio.run(run())


def test_a_diff_of_thousands_of_edits_answers_quickly_and_says_it_is_coarse(tmp_path):
    path = tmp_path / "marsad.db"
    page = _two_versions(path)
    status, html, seconds = _get(path, f"/-/marsad/diff/{page}/1/2")
    assert status == 200
    assert seconds < 5
    assert "too many changes to show word by word" in html
    assert '<del class="diff-del">' in html and '<ins class="diff-ins">' in html


def test_a_diff_past_its_time_limit_gives_up_and_the_page_still_answers(tmp_path, monkeypatch):
    path = tmp_path / "marsad.db"
    page = _two_versions(path)
    monkeypatch.setattr(views, "DIFF_SECONDS", 0.0)
    status, html, seconds = _get(path, f"/-/marsad/diff/{page}/1/2")
    assert status == 200
    assert "took too long to compute" in html
    assert "too many changes to show word by word" in html  # the stored summary says so
    assert seconds < 5
