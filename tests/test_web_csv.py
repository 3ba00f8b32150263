"""Datasette's own CSV, streamed or not, gets `marsad export --excel`'s formula treatment: a
scraped title starting with = + - @ is text, not a formula (issue #18, item 17). Datasette is
real, through its own client, on a real SQLite file."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from crawler.models import Block, Extracted, Fetched, Observation
from store.schema import connect
from store.versions import ensure_page, record_check
from store.web import build_datasette

URL = "https://www.europarabct.com/?p=95655"
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "@SUM(1)",
           '-2+3, "quoted"\nand a line']  # fmt: skip


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "marsad.db"
    db = connect(path)
    page = ensure_page(db, URL, now="2026-01-01T00:00:00Z")
    fetched = Fetched(url=URL, final_url=URL, outcome="ok", status=200, body="<html/>")
    for minute in range(len(HOSTILE)):
        text = f"نص رقم {minute}"
        record_check(db, page, Observation(fetched, Extracted(title="t", blocks=(Block("paragraph", text),))), now=f"2026-01-01T00:0{minute}:00Z")  # fmt: skip
    for number, title in enumerate(HOSTILE, start=1):  # as scraped, a newline and all
        db.execute("UPDATE versions SET title = ? WHERE version = ?", [title, number])
    db.conn.close()
    return path


def get(path, url):
    async def fetch():
        return await build_datasette(path).client.get(url)

    return asyncio.run(fetch())


@pytest.mark.parametrize(
    "url",
    [
        "/marsad/versions.csv?_col=title&_col=words_added",
        "/marsad/versions.csv?_col=title&_col=words_added&_stream=on&_size=1",
        "/marsad/versions.csv?_col=title&_col=words_added&_dl=1",
        "/marsad.csv?sql=select+title,+-1+as+n+from+versions",
    ],
)
def test_formula_cells_of_the_web_csv_are_text(path, url):
    response = get(path, url)
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    titles = [row["title"] for row in rows]
    assert sorted(titles) == sorted("'" + title for title in HOSTILE)
    numbers = [row.get("n") or row.get("words_added") for row in rows]
    assert all(n is None or not n.startswith("'") for n in numbers)  # -1 stays a number
    assert "-1" in numbers or "n" not in rows[0]
    assert "content-length" not in response.headers or int(
        response.headers["content-length"]
    ) == len(response.content)


def test_other_answers_are_untouched(path):
    response = get(path, "/marsad/versions.json?_col=title&_shape=array")
    assert sorted(row["title"] for row in response.json()) == sorted(HOSTILE)


def test_records_split_anywhere_in_the_stream_come_out_whole():
    from store.datasette_plugin.safecsv import _Records

    raw = b'id,title\r\n1,"=A1, ""x""\r\n=B2"\r\n2,-3\r\n3,@x'
    records = _Records()
    out = b"".join(records.feed(raw[i : i + 1], final=i == len(raw) - 1) for i in range(len(raw)))
    rows = list(csv.reader(io.StringIO(out.decode())))
    assert rows == [["id", "title"], ["1", '\'=A1, "x"\r\n=B2'], ["2", "-3"], ["3", "'@x"]]
