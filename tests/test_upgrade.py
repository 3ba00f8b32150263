"""An upgraded extractor over a database of watched pages: no false versions (issue 14, part 4).

The replica serves 50 articles; marsad checks them with today's extractor, then "upgrades" to
one that reads every page differently (it also keeps a share line WordPress prints under the
article) while three articles are really edited. Without the re-read of each baseline's stored
body, every one of the 50 pages would get a version; with it, exactly the three edits do.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import crawler.extract
from crawler.models import Block, Extracted
from schedules import check as road  # the one road reads pages with its `extract`
from schedules.cli import cli
from store.web import build_datasette
from tests.servers.replica import ReplicaServer
from tests.servers.replica_site import ReplicaSite

PAGES = 50
SHARE = "شارك هذا المقال على فيسبوك وتويتر"
original_extract = road.extract


def new_extractor(html: str, url: str | None = None) -> Extracted:
    """What an upgraded extractor might do: keep one more block than today's (deterministic).
    The block differs per page (it names the page's title): one repeated on every page would be
    learned as the site's chrome (`store.sitelearn`) and hide the upgrade by itself."""
    result = original_extract(html, url)
    if result.empty:
        return result
    extra = Block("paragraph", f"{SHARE}: {result.title}")
    return replace(result, blocks=(*result.blocks, extra), method="container", confidence=0.42)


def upgrade(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        crawler.extract, "EXTRACTOR_VERSION", crawler.extract.EXTRACTOR_VERSION + "-next"
    )
    monkeypatch.setattr(road, "extract", new_extractor)


@pytest.fixture
def site():
    with ReplicaServer(ReplicaSite(extra_posts=PAGES - 1)) as server:
        server.site.set_validators(False)  # every check gets a body to read, never a 304
        yield server


class Marsad:
    def __init__(self, tmp_path: Path, urls: list[str]):
        config = tmp_path / "watch.toml"
        config.write_text(
            '[defaults]\nmin_delay = "0s"\n'
            + "".join(
                f'\n[[targets]]\nurl = "{u}"\n[targets.discovery]\nenabled = false\n' for u in urls
            ),
            encoding="utf-8",
        )
        self.db = tmp_path / "marsad.db"
        self.args = ["--db", str(self.db), "--config", str(config)]

    def __call__(self, *args: str) -> str:
        result = CliRunner().invoke(cli, [*self.args, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    def sql(self, query: str, *args: object) -> list[tuple]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(query, args).fetchall()
        finally:
            conn.close()

    def count(self, query: str, *args: object) -> int:
        return self.sql(query, *args)[0][0]


def watched(site: ReplicaServer) -> list[int]:
    posts = [p.id for p in site.site.published()][:PAGES]
    assert len(posts) == PAGES
    return posts


def test_an_extractor_upgrade_makes_only_the_real_edits_versions(tmp_path, site, monkeypatch):
    posts = watched(site)
    marsad = Marsad(tmp_path, [site.site.permalink(p) for p in posts])
    marsad("check")
    assert marsad.count("SELECT count(*) FROM versions") == PAGES
    assert marsad.count("SELECT count(DISTINCT body_hash) FROM versions") == PAGES
    site.site.set_sidebar_noise(1)  # new bytes, same articles: read and compared, not skipped
    marsad("check")
    assert marsad.count("SELECT count(*) FROM versions") == PAGES

    upgrade(monkeypatch)
    edited = posts[3], posts[17], posts[41]
    for post in edited:
        site.site.edit_paragraph(
            post, 1, site.site.paragraphs(post)[1] + " وأضاف المحرر جملة جديدة"
        )
    site.site.set_sidebar_noise(2)
    marsad("check")

    new = marsad.sql(
        "SELECT p.url, v.version, v.words_added, v.words_removed, v.extractor_version, v.method,"
        " v.confidence FROM versions v JOIN pages p ON p.id = v.page_id WHERE v.version > 1"
    )
    assert sorted(url for url, *_ in new) == sorted(site.site.permalink(p) for p in edited)
    # compared with the re-read baseline: only the editor's four words, not the share line
    assert {(n, added, removed) for _, n, added, removed, *_ in new} == {(2, 4, 0)}
    assert {tuple(row[4:]) for row in new} == {
        (crawler.extract.EXTRACTOR_VERSION, "container", 0.42)
    }
    rereads = marsad.sql("SELECT detail FROM events WHERE kind = 'reread'")
    assert len(rereads) == PAGES  # one per page, edited or not: each baseline was re-read once
    detail = json.loads(rereads[0][0])
    assert detail["text_differs"] is True and detail["reader"] == crawler.extract.EXTRACTOR_VERSION
    # What makes this test able to fail: today's reading differs from every stored text.
    unchanged = marsad.sql(
        "SELECT f.content_hash, v.content_hash FROM fetches f JOIN pages p ON p.id = f.page_id"
        " JOIN versions v ON v.id = p.baseline_version_id"
        " WHERE f.outcome = 'unchanged' AND f.id > (SELECT max(id) FROM fetches) - ?",
        PAGES,
    )
    assert len(unchanged) == PAGES - len(edited)
    assert all(seen != stored for seen, stored in unchanged)

    site.site.set_sidebar_noise(3)
    marsad("check")  # readings are kept: no second re-read, no version
    assert marsad.count("SELECT count(*) FROM versions") == PAGES + len(edited)
    assert marsad.count("SELECT count(*) FROM events WHERE kind = 'reread'") == PAGES
    # one reading per first version; the new versions were read by today's extractor already
    assert marsad.sql(
        "SELECT v.version, r.how, count(*) FROM readings r"
        " JOIN versions v ON v.id = r.version_id GROUP BY 1, 2"
    ) == [(1, "reread", PAGES)]

    # Datasette: the upgrade is on each page's timeline, not in the latest changes
    latest, timeline = asyncio.run(
        ask(marsad.db, "/marsad/latest_changes.json?_shape=array", "/-/marsad/page/1")
    )
    assert {row["kind"] for row in latest.json()} == {"changed"} and len(latest.json()) == PAGES + 3
    assert timeline.status_code == 200 and "kind-reread" in timeline.text


async def ask(path: Path, *urls: str) -> list:
    datasette = build_datasette(path)
    return [await datasette.client.get(url) for url in urls]


def test_a_database_from_before_stored_bodies_rebaselines_without_versions(
    tmp_path, site, monkeypatch
):
    posts = watched(site)[:5]
    marsad = Marsad(tmp_path, [site.site.permalink(p) for p in posts])
    marsad("check")
    # What a database migrated from schema 9 holds: versions without a body or a reader.
    conn = sqlite3.connect(marsad.db)
    with conn:
        conn.execute(
            "UPDATE versions SET body_hash = NULL, reader = NULL, extractor_version = NULL"
        )
        conn.execute("DELETE FROM bodies")
    conn.close()

    upgrade(monkeypatch)
    site.site.set_sidebar_noise(1)
    marsad("check")
    assert marsad.count("SELECT count(*) FROM versions") == len(posts)
    events = marsad.sql("SELECT detail FROM events WHERE kind = 'rebaselined'")
    assert len(events) == len(posts)
    assert json.loads(events[0][0])["text_differs"] is True
    outcomes = marsad.sql(
        "SELECT outcome FROM fetches WHERE id > (SELECT max(id) FROM fetches) - ?", len(posts)
    )
    assert outcomes == [("unchanged",)] * len(posts)
    # the answer that rebaselined is kept, so the next upgrade can re-read it
    assert marsad.count(
        "SELECT count(*) FROM readings WHERE how = 'rebaseline'"
        " AND body_hash IN (SELECT hash FROM bodies)"
    ) == len(posts)

    site.site.set_sidebar_noise(2)
    site.site.edit_paragraph(posts[0], 1, "فقرة جديدة كتبها المحرر بعد الترقية")
    marsad("check")
    assert marsad.count("SELECT count(*) FROM versions") == len(posts) + 1
    assert marsad.count("SELECT count(*) FROM events WHERE kind = 'rebaselined'") == len(posts)


def test_reextract_reports_the_versions_todays_extractor_reads_differently(
    tmp_path, site, monkeypatch
):
    posts = watched(site)[:4]
    urls = [site.site.permalink(p) for p in posts]
    marsad = Marsad(tmp_path, urls)
    marsad("check")
    summary = (
        f"re-read 4 version(s) of 4 page(s) with extractor {crawler.extract.EXTRACTOR_VERSION}:"
        " 0 would differ, 4 the same"
    )
    assert marsad("reextract").splitlines() == [summary]

    def reads_two_differently(html: str, url: str | None = None) -> Extracted:
        return new_extractor(html, url) if url in urls[:2] else original_extract(html, url)

    monkeypatch.setattr(crawler.extract, "EXTRACTOR_VERSION", "next")
    monkeypatch.setattr(road, "extract", reads_two_differently)
    before = marsad.sql("SELECT * FROM versions ORDER BY id")
    lines = marsad("reextract").splitlines()
    assert len(lines) == 3 and lines[-1].endswith("2 would differ, 2 the same")
    assert sorted(line.split()[0] for line in lines[:2]) == sorted(urls[:2])
    assert re.search(r"text would differ; \+\d+ −0 words in 1 block \(1 added\)$", lines[0])
    assert marsad.sql("SELECT * FROM versions ORDER BY id") == before  # history is not rewritten

    [one, summary] = [
        json.loads(line) for line in marsad("reextract", "--json", "--page", urls[1]).splitlines()
    ]
    assert (one["url"], one["version"], one["changed"]) == (urls[1], 1, ["text"])
    assert summary == {
        "reader": "next",
        "versions": 1,
        "pages": 1,
        "differ": 1,
        "same": 0,
        "without_body": 0,
        "calibrated_sites": [],
    }
