"""Recording checks in a real SQLite file: when a version is made and what a failure leaves."""

import io
import json

import pytest

from crawler.models import Block, Extracted, Fetched, Observation, Validators
from store import export
from store.schema import connect
from store.versions import ensure_page, record_check

URL = "https://www.europarabct.com/?p=95655"


@pytest.fixture
def db(tmp_path):
    return connect(tmp_path / "marsad.db")


def ok(body="<html/>", etag='"v1"'):
    return Fetched(
        url=URL,
        final_url=URL + "&x",
        outcome="ok",
        status=200,
        body=body,
        validators=Validators(etag=etag),
    )


def article(*paragraphs, title="حلف شمال الأطلسي"):
    return Extracted(title=title, blocks=tuple(Block("paragraph", p) for p in paragraphs))


def versions(db):
    return db.execute(
        "SELECT version, words_added, words_removed, changed_fields FROM versions"
    ).fetchall()


def test_same_text_twice_is_one_version_and_harakat_are_not_a_change(db):
    page = ensure_page(db, URL, now="2026-01-01T00:00:00.000Z")
    first = record_check(db, page, Observation(ok(), article("في مفهومه الاستراتيجي")), now="t1")
    again = record_check(db, page, Observation(ok(), article("في مَفهومه الاستراتيجيّ")), now="t2")
    assert (first.outcome, first.version) == ("new_version", 1)
    assert again.outcome == "unchanged"
    assert len(versions(db)) == 1


def test_edit_counts_words_and_title_only_change_is_masked(db):
    page = ensure_page(db, URL, now="t0")
    record_check(db, page, Observation(ok(), article("حدد الحلف ثلاث مهام")), now="t1")
    edited = record_check(
        db, page, Observation(ok(), article("حدد الحلف أربع مهام أساسية")), now="t2"
    )
    retitled = record_check(
        db,
        page,
        Observation(ok(), article("حدد الحلف أربع مهام أساسية", title="عنوان جديد")),
        now="t3",
    )
    assert (edited.words_added, edited.words_removed) == (2, 1)
    assert json.loads(versions(db)[1][3]) == ["text"]
    assert json.loads(versions(db)[2][3]) == ["title"]
    assert retitled.version == 3


def test_failures_never_make_versions_nor_save_validators(db):
    page = ensure_page(db, URL, now="t0")
    record_check(db, page, Observation(ok(etag='"good"'), article("نص المقال")), now="t1")
    error = Fetched(
        url=URL,
        final_url=URL,
        outcome="error",
        status=500,
        error="HTTP 500",
        error_class="HTTPStatus",
        validators=Validators(etag='"bad"'),
    )
    empty = record_check(
        db,
        page,
        Observation(ok(etag='"empty"'), Extracted(reason="no article container found")),
        now="t3",
    )
    failed = record_check(db, page, Observation(error, None), now="t2")
    assert failed.outcome == "error" and empty.outcome == "no_content"
    assert len(versions(db)) == 1
    assert db.execute("SELECT etag, state FROM pages").fetchone() == ('"good"', "ok")
    outcomes = [r[0] for r in db.execute("SELECT outcome FROM fetches ORDER BY id")]
    assert outcomes == ["new_version", "no_content", "error"]


def test_export_json_keeps_arabic_unescaped(db):
    page = ensure_page(db, URL, now="t0")
    record_check(
        db, page, Observation(ok(), article("الأمن التعاوني")), now="2026-01-01T00:00:00.000Z"
    )
    out = io.StringIO()
    assert export.write(db, "versions", "json", out) == 1
    assert "الأمن التعاوني" in out.getvalue() and "\\u" not in out.getvalue()
    rows = json.loads(out.getvalue())
    assert rows[0]["url"] == URL and rows[0]["version"] == 1
    later = io.StringIO()
    assert export.write(db, "versions", "ndjson", later, since="2027-01-01") == 0


def test_the_diff_is_computed_before_the_write_lock(db, tmp_path, monkeypatch):
    # A diff could take minutes inside BEGIN IMMEDIATE, and every other writer (the daemon's
    # other checks, discovery) waited. A spy on the real diff tries a write while it runs.
    import sqlite3

    import store.newversion

    page = ensure_page(db, URL, now="t0")
    record_check(
        db, page, Observation(ok(), article("حدد الحلف ثلاث مهام", "فقرة ثانية")), now="t1"
    )
    writes: list[str] = []
    real = store.newversion.diff_snapshots

    def spy(old, new):  # type: ignore[no-untyped-def]
        other = sqlite3.connect(tmp_path / "marsad.db", timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writes.append("free")
        except sqlite3.OperationalError as error:
            writes.append(str(error))
        finally:
            other.close()
        return real(old, new)

    monkeypatch.setattr(store.newversion, "diff_snapshots", spy)
    edited = record_check(
        db, page, Observation(ok(), article("حدد الحلف أربع مهام", "فقرة ثانية")), now="t2"
    )
    assert (edited.outcome, edited.words_added, edited.words_removed) == ("new_version", 1, 1)
    assert writes == ["free"]
    stored = db.execute("SELECT diff_summary FROM versions WHERE version = 2").fetchone()[0]
    assert stored == "+1 \u22121 words in 1 block (1 changed)"
