"""`marsad export`: streamed, filtered by time and page, safe to open in a spreadsheet."""

import csv
import io
import json
import tracemalloc

import pytest
from click.testing import CliRunner

from crawler.models import Block, Extracted, Fetched, Observation
from schedules.cli import cli
from store import export, texts
from store.schema import connect
from store.versions import ensure_page, record_check

URL = "https://www.europarabct.com/?p=95655"
OTHER = "https://www.europarabct.com/?p=7"


def ok(url):
    return Fetched(url=url, final_url=url + "&final", outcome="ok", status=200, body="<html/>")


def article(text, title="حلف شمال الأطلسي"):
    return Extracted(title=title, blocks=(Block("paragraph", text),))


def two_pages(path):
    db = connect(path)
    page = ensure_page(db, URL, now="2026-01-01T00:00:00.000Z")
    other = ensure_page(db, OTHER, now="2026-01-01T00:00:00.000Z")
    record_check(
        db,
        page,
        Observation(ok(URL), article('=HYPERLINK("http://evil") الأمن')),
        now="2026-01-01T01:00:00.000Z",
    )
    record_check(
        db,
        other,
        Observation(ok(OTHER), article("نص آخر", title="+عنوان")),
        now="2026-01-02T01:00:00.000Z",
    )
    record_check(
        db,
        page,
        Observation(ok(URL), article("@SUM(A1) -1 الأمن الجماعي", title="-عنوان")),
        now="2026-01-03T01:00:00.000Z",
    )
    return db


def test_page_and_since_filter_every_kind_of_row(tmp_path):
    db = two_pages(tmp_path / "m.db")
    out = io.StringIO()
    assert export.write(db, "versions", "ndjson", out, page=URL) == 2
    assert {json.loads(line)["url"] for line in out.getvalue().splitlines()} == {URL}
    # Any URL the page is known by selects it: here the one it redirected to.
    assert export.write(db, "versions", "json", io.StringIO(), page=URL + "&final") == 2
    assert export.write(db, "fetches", "csv", io.StringIO(), page=OTHER) == 1
    assert (
        export.write(db, "changes", "csv", io.StringIO(), page=URL) == 3
    )  # first seen + 2 versions
    assert export.write(db, "pages", "csv", io.StringIO(), page=OTHER) == 1
    since = io.StringIO()
    assert export.write(db, "versions", "json", since, since="2026-01-02", page=URL) == 1
    assert json.loads(since.getvalue())[0]["version"] == 2


def test_spreadsheet_csv_has_a_bom_and_neutralizes_formulas(tmp_path):
    db = two_pages(tmp_path / "m.db")
    out = io.StringIO()
    export.write(db, "versions", "csv", out, spreadsheet=True)
    text = out.getvalue()
    assert text.startswith("\ufeffurl,")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [r["text"] for r in rows] == [
        '\'=HYPERLINK("http://evil") الأمن',
        "نص آخر",
        "'@SUM(A1) -1 الأمن الجماعي",
    ]
    assert [r["title"] for r in rows] == ["حلف شمال الأطلسي", "'+عنوان", "'-عنوان"]
    plain = io.StringIO()
    export.write(db, "versions", "csv", plain)
    assert not plain.getvalue().startswith("\ufeff") and '"=HYPERLINK(' in plain.getvalue()


def test_cli_export_options_and_one_line_errors(tmp_path):
    two_pages(tmp_path / "m.db").conn.close()
    runner = CliRunner()
    base = ["--db", str(tmp_path / "m.db"), "export"]
    target = tmp_path / "out.csv"
    result = runner.invoke(cli, [*base, "--page", OTHER, "--excel", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\xef\xbb\xbfurl,")
    assert "'+عنوان" in target.read_text(encoding="utf-8-sig")
    json_out = runner.invoke(cli, [*base, "--format", "json", "--page", URL])
    assert [r["version"] for r in json.loads(json_out.output)] == [1, 2]
    assert "الأمن الجماعي" in json_out.output and "\\u" not in json_out.output
    unknown = runner.invoke(cli, [*base, "--page", "https://nowhere.example/"])
    assert unknown.exit_code == 2
    assert unknown.output.strip() == (
        "Error: https://nowhere.example/ is not a watched page; `marsad status` lists them"
    )
    wrong = runner.invoke(cli, [*base, "--format", "json", "--excel"])
    assert wrong.exit_code == 2 and "--excel applies to CSV only" in wrong.output


class Discard(io.TextIOBase):
    """An output that keeps nothing, so memory measured is the exporter's own."""

    def __init__(self):
        self.chars = 0

    def write(self, text):
        self.chars += len(text)
        return len(text)


@pytest.mark.slow
def test_export_streams_100000_versions_in_bounded_memory(tmp_path):
    db = connect(tmp_path / "big.db")
    page = ensure_page(db, URL, now="2026-01-01T00:00:00.000Z")
    paragraph = "يبدأ مفهوم الأمن الجماعي كمهمة أساسية لحلف شمال الأطلسي " * 4
    with db.conn:
        db.execute("BEGIN")
        for n in range(1, 100_001):
            key = texts.store_text(db, f"{paragraph} {n}")
            db.conn.execute(
                "INSERT INTO versions (page_id, version, fetched_at, title, text_hash, blocks,"
                " metadata, content_hash, changed_fields)"
                " VALUES (?, ?, ?, 'عنوان', ?, '[]', '{}', ?, '[\"text\"]')",
                (page, n, f"2026-01-01T00:00:{n:06d}Z", key, f"h{n}"),
            )
    # CSV reads the cursor directly; JSON and NDJSON share the same row generator.
    for fmt in ("csv", "json"):
        out = Discard()
        tracemalloc.start()
        count = export.write(db, "versions", fmt, out, spreadsheet=fmt == "csv")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == 100_000
        # 30 million characters written (about 55 MB of UTF-8); a stream holds a few rows at a time.
        assert out.chars > 30_000_000
        assert peak < 2_000_000, f"{fmt}: peak {peak} bytes"


def test_one_page_is_exported_from_its_own_rows_not_a_scan_of_all(tmp_path):
    # At 1,000,000 versions a filter tested row by row inside the time-ordered scan read them all.
    db = two_pages(tmp_path / "m.db")
    for what, (sql, column) in export.QUERIES.items():
        query = sql.format(page=f" AND {column} IN {export._PAGE_IDS}")
        plan = [
            row[3]
            for row in db.execute(f"EXPLAIN QUERY PLAN {query}", {"since": None, "page": URL})
        ]
        big = {"versions": "v", "changes": "e", "fetches": "f"}.get(what)
        assert big is None or not any(step.startswith(f"SCAN {big}") for step in plan), (what, plan)


def test_arabic_urls_are_exported_readable_with_the_encoded_form_beside_them(tmp_path):
    db = connect(tmp_path / "m.db")
    encoded = "https://www.europarabct.com/%D8%A7%D9%84%D8%A3%D9%85%D9%86-%D8%A7%D9%84%D8%AC%D9%85%D8%A7%D8%B9%D9%8A/"
    page = ensure_page(db, encoded, now="2026-01-01T00:00:00.000Z")
    fetched = Fetched(url=encoded, final_url=encoded, outcome="ok", status=200, body="<html/>")
    record_check(
        db, page, Observation(fetched, article("نص المقال")), now="2026-01-01T01:00:00.000Z"
    )
    for what in ("pages", "versions", "fetches"):
        [row] = list(export.rows(db, what))
        assert row["url"] == "https://www.europarabct.com/الأمن-الجماعي/"
        assert row["url_encoded"] == encoded  # for machines and links
    out = io.StringIO()
    export.write(db, "versions", "csv", out)
    [header, values] = list(csv.reader(io.StringIO(out.getvalue())))
    assert "final_url_encoded" in header
    assert values[header.index("final_url")] == "https://www.europarabct.com/الأمن-الجماعي/"
