"""One damaged text blob (valid SQLite, a bad zstd frame) is reported as that version's
damage and everything else goes on: checks, export, diff, search, the diff page and the
`?q=` feed (issue #18, item 11). SQLite and Datasette are real."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from click.testing import CliRunner

from crawler.models import Block, Extracted, Fetched, Observation
from schedules.cli import cli
from store import export
from store.schema import connect
from store.versions import ensure_page, record_check
from store.web import build_datasette

URL = "https://www.europarabct.com/?p=95655"
LONG = tuple(f"الفقرة {n}: مفهوم الأمن الجماعي مهمة أساسية لحلف شمال الأطلسي." for n in range(40))
EDITED = LONG[:-1] + ("فقرة بديلة كتبها المحرر.",)
MARKER = "stored text of this version is damaged"


def article(paragraphs) -> Extracted:
    return Extracted(
        title="حلف شمال الأطلسي", blocks=tuple(Block("paragraph", p) for p in paragraphs)
    )


@pytest.fixture
def damaged(tmp_path):
    """A page with two compressed versions whose latest (the baseline) text is damaged."""
    path = tmp_path / "marsad.db"
    db = connect(path)
    page = ensure_page(db, URL, now="2026-01-01T00:00:00Z")
    minute = iter(range(60))

    def check(paragraphs):
        fetched = Fetched(url=URL, final_url=URL, outcome="ok", status=200, body="<html/>")
        return record_check(db, page, Observation(fetched, article(paragraphs)), now=f"2026-01-01T00:{next(minute):02d}:00Z")  # fmt: skip

    check(LONG)
    check(EDITED)
    db.execute(
        "UPDATE texts SET zstd = x'28b52ffd00deadbeef'"
        " WHERE hash = (SELECT text_hash FROM versions WHERE version = 2)"
    )
    return path, db, check


def test_a_check_against_a_damaged_baseline_goes_on(damaged, caplog):
    _path, _db, check = damaged
    assert check(EDITED).outcome == "unchanged"  # compared by the hash stored with it
    assert check(LONG).outcome == "reverted"
    assert "version 2" in caplog.text and "damaged" in caplog.text


def test_export_marks_the_damaged_version_and_writes_the_others(damaged):
    _path, db, _check = damaged
    out = io.StringIO()
    assert export.write(db, "versions", "ndjson", out) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    texts = {row["version"]: row["text"] for row in rows}
    assert texts[1] == "\n\n".join(LONG) and MARKER in texts[2]


def test_marsad_diff_and_search_show_the_marker(damaged):
    path, _db, _check = damaged
    runner = CliRunner()
    diff = runner.invoke(cli, ["--db", str(path), "diff", URL], color=False)
    assert diff.exit_code == 0, diff.output
    assert MARKER in diff.output
    search = runner.invoke(cli, ["--db", str(path), "search", "الجماعي"])
    assert search.exit_code == 0, search.output
    assert MARKER in search.output and "الفقرة 0" in search.output


def test_the_diff_page_and_the_search_feed_answer(damaged):
    path, _db, _check = damaged

    async def fetch():
        ds = build_datasette(path)
        return (
            await ds.client.get("/-/marsad/diff/1/1/2"),
            await ds.client.get("/-/marsad/changes.atom?q=الجماعي"),
            await ds.client.get("/marsad/version_texts"),
        )

    diff, feed, table = asyncio.run(fetch())
    assert diff.status_code == 200 and MARKER in diff.text
    assert feed.status_code == 200
    assert table.status_code == 200 and MARKER in table.text
