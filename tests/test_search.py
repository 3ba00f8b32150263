"""Search finds Arabic words whatever clitics and endings are written onto them, and only words:
through `store.fts` and through Datasette's `search` query, on a real SQLite file."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
import sqlite_utils

from crawler.models import Block, Extracted, Fetched, Observation
from store import fts, schema
from store.schema import connect
from store.versions import ensure_page, record_check
from store.web import build_datasette

BASE = "https://www.europarabct.com/?p="
TEXTS = {
    1: "تناول التقرير المسائل المتعلقة بالإسلامية السياسية في أوروبا",
    2: "حذر المركز من تصاعد العنف وقال إن الحرب على الإرهاب مستمرة",
    3: "أطلقت الحكومة خطة للسلام في المنطقة بعد هجمات 11 سبتمبر 2011",
    4: "عملت أجهزة الاستخبارات الألمانية مع الشركاء للإرهاب العابر للحدود",
    5: "نَاقَشَ البَرْلَمَانُ مَشْرُوعَ قَانُونِ الهِجْرَةِ الجَدِيدِ",  # written with its harakat
}
FILLER = " ".join(f"كلمة{n}" for n in range(60))


def article(text: str, title: str = "مقال") -> Extracted:
    return Extracted(title=title, blocks=(Block("paragraph", text),))


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "marsad.db"
    db = connect(path)
    for number, text in TEXTS.items():
        url = f"{BASE}{number}"
        page = ensure_page(db, url, now="2026-01-01T00:00:00Z")
        fetched = Fetched(url=url, final_url=url, outcome="ok", status=200, body=f"<p>{number}</p>")
        record_check(
            db, page, Observation(fetched, article(text)), now=f"2026-01-01T00:0{number}:00Z"
        )
    db.conn.close()
    return path


def found(path, words: str) -> set[int]:
    db = connect(path)
    page_of = dict(db.execute("SELECT id, page_id FROM versions").fetchall())
    return {page_of[version] for version in fts.search(db, words)}


def test_a_word_is_found_with_the_clitics_and_endings_written_onto_it(path):
    assert found(path, "اسلام") == {1}  # بالإسلامية: ب + ال, and an ending
    assert found(path, "إرهاب") == {2, 4}  # الإرهاب and للإرهاب (ل + ال, alef dropped)
    assert found(path, "الإرهاب") == {2}  # typed with the article: that spelling, or و/ب/… + it
    assert found(path, "الالمانية") == {4}  # harakat, hamza and taa marbuta forms are folded
    assert found(path, "الاستخبارات الألمانية") == {4}
    assert found(path, "الاستخبارات الإرهاب") == set()  # every word must be in the version


def test_harakat_count_neither_in_the_text_nor_in_the_query(path):
    assert found(path, "البرلمان") == {5}  # stored with harakat, typed without
    assert found(path, "قَانُون") == {5}  # typed with harakat, a prefix of the stored word
    assert found(path, "الهِجرة الجديد") == {5}  # some letters marked, some not
    assert found(path, "بَرلمان") == {5}  # and the article written onto the stored word


def test_a_word_is_not_found_inside_another_word(path):
    # The trigram index found سلام (peace) in الإسلامية (Islamic) and any substring anywhere.
    assert found(path, "سلام") == {3}  # للسلام
    assert found(path, "خبارات") == set()
    assert found(path, "ارهابي") == set()  # longer than any word written


def test_short_words_and_numbers_are_matched_whole(path):
    assert found(path, "11") == {3}
    assert found(path, "1") == set()  # not the start of 11 or 2011
    assert found(path, "في") == {1, 3}


def test_what_people_type_is_never_query_syntax(path):
    assert found(path, '" OR * NEAR(') == set()
    assert found(path, "الإرهاب OR سلام") == set()  # OR is a word to find, not an operator
    assert found(path, "") == set() and found(path, "؟!") == set()
    assert found(path, "الحرب_الإرهاب") == {2}  # split where the index splits words


def test_the_excerpt_shows_the_words_as_written_around_the_first_match():
    text = f"{FILLER} ثم قال إنّ دور الإسلامِ في أوروبا يتطلب حواراً {FILLER}"
    shown = fts.excerpt(text, "اسلام")
    assert "دور الإسلامِ في أوروبا" in shown  # harakat and hamza kept: the reader's text
    assert shown.startswith("… ") and shown.endswith(" …")
    assert len(shown.split()) == 2 * fts.EXCERPT_WORDS + 1 + 2
    # When only the title matched, the text's opening words
    assert fts.excerpt(text, "عنوان").startswith("كلمة0 ")
    assert fts.excerpt(None, "x") == ""


def test_datasette_search_returns_the_versions_with_excerpts(path):
    async def ask(words):
        ds = build_datasette(path)
        return await ds.client.get(f"/marsad/search.json?_shape=array&q={words}")

    response = asyncio.run(ask("إسلام"))
    assert response.status_code == 200
    (row,) = response.json()
    assert row["url"] == f"{BASE}1" and "بالإسلامية السياسية" in row["excerpt"]
    assert asyncio.run(ask("خبارات")).json() == []


def _trigram_v8_database(path) -> None:
    """A database as marsad 0.8 left it: schema 8, versions indexed by the trigram table."""
    old = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    old.conn.create_function("marsad_text", 2, lambda plain, packed: plain)
    for step in schema.MIGRATIONS[:8]:
        step(old)
    old.execute(
        "CREATE VIRTUAL TABLE versions_fts USING fts5(text_key, title_key, tokenize='trigram')"
    )
    old.execute("INSERT INTO pages (url, url_key, first_seen) VALUES (?, ?, 't0')", [BASE, BASE])
    for number, (text, title) in enumerate([(TEXTS[1], "عنوان"), ("", "تقرير عن الإرهاب")], 1):
        key = f"h{number}"
        old.execute("INSERT INTO texts (hash, size, text) VALUES (?, 1, ?)", [key, text or "-"])
        old.execute(
            "INSERT INTO versions (page_id, version, fetched_at, title, text_hash, blocks,"
            " metadata, content_hash, changed_fields) VALUES (1, ?, 't1', ?, ?, '[]', '{}', 'h',"
            " '[]')",
            [number, title, key],
        )
        old.execute("INSERT INTO versions_fts (rowid, text_key) VALUES (?, ?)", [number, text])
    old.execute("PRAGMA user_version = 8")
    old.conn.close()


def test_a_trigram_index_is_rebuilt_as_a_word_index_on_upgrade(tmp_path):
    path = tmp_path / "old.db"
    _trigram_v8_database(path)
    db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'versions_fts'").fetchone()
    assert "unicode61" in sql and "content=''" in sql
    assert fts.search(db, "اسلام") == [1]  # from the stored text
    assert fts.search(db, "ارهاب") == [2]  # from the title
    assert fts.search(db, "سلام") == []  # a trigram answer the word index no longer gives


def test_a_damaged_text_does_not_stop_the_upgrade(tmp_path, caplog):
    path = tmp_path / "old.db"
    _trigram_v8_database(path)
    raw = sqlite3.connect(path)
    raw.execute("UPDATE texts SET text = NULL, zstd = x'28b52ffd00dead' WHERE hash = 'h1'")
    raw.commit()
    raw.close()
    with caplog.at_level(logging.WARNING, logger="marsad.store"):
        db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert "version 1 is not searchable by its text" in caplog.text
    assert fts.search(db, "عنوان") == [1] and fts.search(db, "ارهاب") == [2]


def test_marsad_search_prints_matches_newest_first_with_excerpts(path):
    import json

    from click.testing import CliRunner

    from schedules.cli import cli

    runner = CliRunner()
    base = ["--db", str(path), "search"]
    text = runner.invoke(cli, [*base, "إرهاب"])
    assert text.exit_code == 0, text.output
    # newest first: page 4 was checked after page 2
    assert text.output.index(f"{BASE}4 ") < text.output.index(f"{BASE}2 ")
    assert "الاستخبارات الألمانية مع الشركاء للإرهاب" in text.output
    lines = runner.invoke(cli, [*base, "--json", "--limit", "1", "إرهاب"]).output.splitlines()
    assert [json.loads(line)["url"] for line in lines] == [f"{BASE}4"]
    none = runner.invoke(cli, [*base, "خبارات"])
    assert none.exit_code == 0 and none.output == "no version holds all of: خبارات\n"


def test_the_excerpt_comes_from_the_block_that_matched():
    text = "الفقرة الأولى عن الناتو\n\nالفقرة الثانية عن الطاقة\n\nفقرة ثالثة عن الإسلامِ هنا"
    assert fts.excerpt(text, "اسلام") == "… فقرة ثالثة عن الإسلامِ هنا"
    assert fts.excerpt(text, "الطاقة") == "… الفقرة الثانية عن الطاقة …"
    assert fts.excerpt(text, "غير") == "الفقرة الأولى عن الناتو …"


def test_the_excerpt_centres_on_a_whole_word_match_not_a_word_holding_it():
    text = f"الحركات الإسلامية {FILLER} ثم دعا إلى السلام في المنطقة {FILLER}"
    shown = fts.excerpt(text, "سلام")
    assert "دعا إلى السلام في المنطقة" in shown and "الإسلامية" not in shown
    assert "الإسلامية" in fts.excerpt(text, "اسلام")


def test_the_index_is_given_each_word_once_and_holds_the_same_terms(tmp_path):
    """`fts.indexed` hands the tokenizer each space-separated run once, not the whole text: the
    terms the index holds must be those the whole text gives (FTS5's own tokenizer decides)."""
    from pathlib import Path

    from crawler.arabic import match_key

    seed = next(Path(__file__).parents[1].joinpath("seeds").glob("*.txt")).read_text("utf-8")
    texts = [
        seed,
        "والمركز الأوروبي، والمركز (الأوروبي) للمركز؛ 2026/12/02 co-op e\u0301t\u00e9 x_y",
        "كلمة\u00a0كلمة\u2003كلمة\u200bكلمة «اقتباس» عربي-إنجليزي 3.14 ١٢٣",
    ]
    db = connect(tmp_path / "terms.db")
    (table_sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'versions_fts'"
    ).fetchone()
    for name in ("whole", "given"):  # the index's own options, in two tables to compare
        db.execute(table_sql.replace("versions_fts", f"fts_{name}", 1))
        db.execute(f"CREATE VIRTUAL TABLE terms_{name} USING fts5vocab(fts_{name}, 'row')")
    for rowid, text in enumerate(texts, start=1):
        key = match_key(text)
        words = dict.fromkeys(fts.words_of(key))
        whole = " ".join([key, *(stem for word in words for stem in fts._stems(word))])
        for name, value in (("whole", whole), ("given", fts.indexed(key))):
            db.execute(f"INSERT INTO fts_{name} (rowid, text_key, title_key) VALUES (?, ?, '')",
                       [rowid, value])  # fmt: skip
        assert len(fts.indexed(key)) <= len(whole)
    whole_terms = db.execute("SELECT term, doc FROM terms_whole ORDER BY term").fetchall()
    given_terms = db.execute("SELECT term, doc FROM terms_given ORDER BY term").fetchall()
    assert given_terms == whole_terms and len(whole_terms) > 100
