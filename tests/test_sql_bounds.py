"""The plugin's SQL functions do bounded, linear work: SQLite's time limit (Datasette's 3 s)
cannot interrupt a function while it runs, so a query must not be able to make one run long."""

from __future__ import annotations

import asyncio

import pytest
import zstandard

from store import fts, texts
from store.schema import connect
from store.web import build_datasette


def _sql(path, sql: str, **params: str):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        ds = build_datasette(path)
        return await ds.client.get("/marsad.json", params={"sql": sql, "_shape": "array", **params})

    return asyncio.run(run())


def test_an_excerpt_of_a_huge_text_of_one_letter_is_quick(tmp_path):
    # Every "a" was tried as a match, in Python: 20,000,000 of them ran 162 s past the 3 s limit.
    path = tmp_path / "marsad.db"
    connect(path).conn.close()
    response = _sql(path, "select length(marsad_excerpt(printf('%.*c', 3000000, 'a'), 'a a')) n")
    assert response.status_code == 200, response.text
    assert response.json() == [{"n": 3_000_000}]  # no word boundary: the whole (one) word


def test_a_search_of_many_words_in_a_long_text_is_quick(tmp_path):
    path = tmp_path / "marsad.db"
    connect(path).conn.close()
    words = " ".join(f"w{n}" for n in range(5000))
    response = _sql(
        path, "select length(marsad_excerpt(printf('%.*c', 2000000, 'b'), :q)) n", q=words
    )
    assert response.status_code == 200, response.text


def test_a_compressed_blob_that_unpacks_past_any_stored_text_is_refused(tmp_path):
    path = tmp_path / "marsad.db"
    db = connect(path)
    frame = zstandard.compress(b"a" * 40_000_000, 3)  # 1.3 KB
    db.execute("CREATE TABLE blobs (b BLOB)")
    db.execute("INSERT INTO blobs VALUES (?)", [frame])
    db.conn.commit()
    db.conn.close()
    response = _sql(path, "select marsad_text(null, b) t from blobs")
    # read as a damaged text (store/texts.py: one bad row must not fail the whole query), after
    # inflating at most SQL_TEXT_BYTES, never the 40 MB (a bound that shows in the answer: read
    # whole, the 40 MB of "a" would be a text)
    assert response.status_code == 200, response.text
    assert response.json() == [{"t": texts.DAMAGED}]


# Time limits fail on a busy shared machine; what keeps the excerpt quick is the number of
# places it tries, counted here on the hostile texts of the tests above.
FIND_LIMIT = fts.EXCERPT_TERMS * (fts.MATCH_TRIES + 1)


class CountedFinds(str):
    """A match key whose `find` calls are counted; past FIND_LIMIT the search is stopped."""

    finds = 0

    def find(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        CountedFinds.finds += 1
        if CountedFinds.finds > FIND_LIMIT:
            raise AssertionError(f"the excerpt tried more than {FIND_LIMIT:,} places")
        return super().find(*args, **kwargs)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("a" * 3_000_000, "a a"),  # every letter a place where the word could start
        ("b" * 2_000_000, " ".join(f"w{n}" for n in range(5000))),  # many words, none there
        ("xa" * 1_000_000, "a"),  # a word inside every other one: none whole
    ],
)
def test_the_excerpt_tries_a_bounded_number_of_places(key, words):
    CountedFinds.finds = 0
    fts._first_match(CountedFinds(key), fts._terms(words))
    assert 0 < CountedFinds.finds <= FIND_LIMIT


def test_the_find_counter_can_fail(monkeypatch):
    monkeypatch.setattr(fts, "MATCH_TRIES", 10**9)  # the bound lifted: every "a" is tried
    CountedFinds.finds = 0
    with pytest.raises(AssertionError, match="more than"):
        fts._first_match(CountedFinds("xa" * 1_000_000), ["a"])
