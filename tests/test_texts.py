"""Version texts are stored once per distinct content and compressed with zstd above a size,
and every way a user reads them (SQL view, export, `marsad diff`, Datasette) gets the plain text.

SQLite is a real file and Datasette a real instance; the network edge is the `Fetched` and
`Extracted` values built here.
"""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from crawler.models import Block, Extracted, Fetched, Observation
from schedules.cli import cli
from store import export, texts
from store.schema import connect
from store.versions import ensure_page, record_check
from store.web import build_datasette

URL = "https://www.europarabct.com/?p=95655"
LONG = tuple(
    f"الفقرة {n}: يبدأ مفهوم الأمن الجماعي كمهمة أساسية لحلف شمال الأطلسي في منطقة المحيطين."
    for n in range(40)
)  # about 6 KB of UTF-8: stored compressed
SHORT = ("خبر قصير عن الناتو.",)  # stored plain


def article(paragraphs=LONG, title="حلف شمال الأطلسي") -> Extracted:
    return Extracted(title=title, blocks=tuple(Block("paragraph", p) for p in paragraphs))


@pytest.fixture
def path(tmp_path):
    return tmp_path / "marsad.db"


@pytest.fixture
def db(path):
    return connect(path)


@pytest.fixture
def check(db):
    page = ensure_page(db, URL, now="2026-01-01T00:00:00+00:00")
    minute = iter(range(10_000))

    def run(extracted):
        fetched = Fetched(url=URL, final_url=URL, outcome="ok", status=200, body="<html/>")
        return record_check(
            db, page, Observation(fetched, extracted), now=f"2026-01-01T00:{next(minute):02d}:00Z"
        )

    return run


def stored(db):
    return db.execute("SELECT hash, size, text, zstd FROM texts ORDER BY rowid").fetchall()


def test_a_long_text_is_compressed_and_a_short_one_kept_plain(db, check):
    check(article(LONG))
    check(article(SHORT))
    (long_key, long_size, long_plain, packed), (_, short_size, short_plain, short_packed) = stored(
        db
    )
    text = "\n\n".join(LONG)
    assert long_size == len(text.encode("utf-8")) > texts.COMPRESS_ABOVE
    assert long_plain is None and len(packed) * 2 < long_size  # Arabic text shrinks well
    assert long_key == texts.text_hash(text)
    assert short_plain == SHORT[0] and short_packed is None and short_size < texts.COMPRESS_ABOVE
    # both read back exactly, through the SQL view every reader uses
    view = db.execute("SELECT version, text FROM version_texts ORDER BY version").fetchall()
    assert view == [(1, text), (2, SHORT[0])]


def test_the_same_text_is_stored_once_however_many_versions_show_it(db, check):
    for _ in range(50):
        check(article())  # a page checked again and again without a change
    assert check(article(title="عنوان آخر")).outcome == "new_version"  # a title-only edit
    assert check(article(SHORT)).outcome == "new_version"
    assert check(article(LONG[:-1] + ("فقرة أخيرة جديدة.",))).outcome == "new_version"
    # version 1's content again, older than the last three versions: a version, not a revert
    assert check(article()).outcome == "new_version"
    versions = db.execute("SELECT text_hash FROM versions ORDER BY version").fetchall()
    assert len(versions) == 5
    assert len(stored(db)) == 3  # LONG, SHORT and the edited LONG: no text twice
    assert versions[0] == versions[1] == versions[4]  # reused by the title edit and the return


def test_a_compressed_baseline_still_decides_unchanged_and_reverted(db, check):
    a, b = article(LONG), article(LONG[:-1] + ("فقرة بديلة كتبها المحرر.",))
    assert [check(a).outcome, check(b).outcome] == ["new_version", "new_version"]
    assert check(b).outcome == "unchanged"
    assert check(a).reverted_to == 1  # compared against the decompressed text of version 1


def test_export_and_marsad_diff_read_compressed_texts(path, db, check):
    check(article(LONG))
    check(article(LONG[:-1] + ("فقرة بديلة كتبها المحرر.",)))
    out = io.StringIO()
    assert export.write(db, "versions", "ndjson", out) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["text"] == "\n\n".join(LONG)
    result = CliRunner().invoke(cli, ["--db", str(path), "diff", URL], color=False)
    assert result.exit_code == 0, result.output
    assert "{+فقرة بديلة كتبها المحرر.+}" in result.output and "[-الفقرة 39" in result.output


def test_datasette_shows_the_text_escaped_from_the_view_and_the_texts_table(path, db, check):
    hostile = LONG + ("<script>alert('x')</script> نص",)
    check(article(hostile))

    async def fetch():
        ds = build_datasette(path)
        view = await ds.client.get("/marsad/version_texts.json?_shape=array")
        table = await ds.client.get("/marsad/texts")
        diff = await ds.client.get("/-/marsad/diff/1/0/1")
        return view, table, diff

    view, table, diff = asyncio.run(fetch())
    assert view.status_code == 200 and view.json()[0]["text"] == "\n\n".join(hostile)
    assert table.status_code == 200
    # the compressed cell is shown as its text (truncated), not as a blob to download
    assert "الفقرة 0" in table.text and "&lt;Binary" not in table.text
    assert diff.status_code == 200 and "الفقرة 39" in diff.text
    assert "<script>alert" not in diff.text and "&lt;script&gt;" in diff.text


def test_a_damaged_blob_is_a_clear_marker_in_sql(db, check, caplog):
    check(article(LONG))
    db.execute("UPDATE texts SET zstd = x'28b52ffd00deadbeef'")
    # an exception would fail the whole statement: the row reads as a marker, the cause is logged
    assert db.execute("SELECT text FROM version_texts").fetchall() == [(texts.DAMAGED,)]
    assert "stored text is damaged" in caplog.text
    with pytest.raises(texts.TextError, match="restore the database from a backup"):
        texts.decode(None, b"not zstd at all")


def test_a_row_is_either_plain_or_compressed_never_both(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO texts (hash, size, text, zstd) VALUES ('h', 1, 'a', x'00')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO texts (hash, size) VALUES ('h', 1)")


def test_a_v7_database_moves_its_texts_into_the_texts_table(path):
    import sqlite_utils

    from store import schema

    old = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    for step in schema.MIGRATIONS[:7]:  # a database as marsad left it before texts existed
        step(old)
    old.execute("PRAGMA user_version = 7")
    old.execute("INSERT INTO pages (url, url_key, first_seen) VALUES (?, ?, 't0')", [URL, URL])
    for number, body in enumerate(["\n\n".join(LONG), SHORT[0], "\n\n".join(LONG)], start=1):
        old.execute(
            "INSERT INTO versions (page_id, version, fetched_at, title, text, blocks, metadata,"
            " content_hash, changed_fields) VALUES (1, ?, 't1', 'عنوان', ?, '[]', '{}', 'h', '[]')",
            [number, body],
        )
    old.conn.close()
    db = connect(path)
    assert "text" not in {c.name for c in db["versions"].columns}
    view = [text for (text,) in db.execute("SELECT text FROM version_texts ORDER BY version")]
    assert view == ["\n\n".join(LONG), SHORT[0], "\n\n".join(LONG)]
    rows = stored(db)
    assert len(rows) == 2 and rows[0][2] is None and rows[1][2] == SHORT[0]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
