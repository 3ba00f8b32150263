"""One rule for "which page is this URL" (`store.identity.pages_named`), on every surface that
takes a page by URL: export `--page`, the Atom feed `?url=`, the plugin's `/-/marsad/page?url=`,
`marsad diff URL`, the `page_history` canned query and `marsad reextract --page` (issue #16).

A page is found by each spelling identity knows: the Arabic path decoded or percent-encoded in
either hex case, http or https, with or without `www.`, its short link and its canonical URL.
"""

from __future__ import annotations

import asyncio
import io
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from crawler.models import Block, Extracted, Fetched, Observation
from schedules.cli import cli
from store import export, identity
from store.readings import Reader, reextract
from store.schema import connect
from store.versions import ensure_page, record_check
from store.web import build_datasette

SLUG = "قراءة-في-مفهوم-الأمن"
ENCODED = quote(SLUG)  # upper-case hex, as browsers and WordPress write it
WATCHED = f"https://www.europarabct.com/{ENCODED}/"
SHORT = "https://www.europarabct.com/?p=95655"
CANONICAL = f"https://europarabct.com/2024/07/{ENCODED}/"
SPELLINGS = {
    "watched": WATCHED,
    "decoded Arabic": f"https://www.europarabct.com/{SLUG}/",
    "lower-case hex": WATCHED.lower(),
    "http": WATCHED.replace("https://", "http://"),
    "without www or slash": f"https://europarabct.com/{ENCODED}",
    "short link": SHORT,
    "canonical": CANONICAL,
    "canonical decoded over http": f"http://europarabct.com/2024/07/{SLUG}/",
}
OTHER = "https://www.europarabct.com/?p=100"


def fetched(url: str) -> Fetched:
    return Fetched(url=url, final_url=url, outcome="ok", status=200, body=f"<html>{url}</html>")


def article(text: str) -> Extracted:
    return Extracted(title="الأمن", canonical_url=CANONICAL, shortlink=SHORT,
                     blocks=(Block("paragraph", text),))  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    path = tmp_path_factory.mktemp("lookup") / "marsad.db"
    db = connect(path)
    page = ensure_page(db, WATCHED, now="2026-01-01T00:00:00.000Z")
    other = ensure_page(db, OTHER, now="2026-01-01T00:00:00.000Z")
    for number, text in enumerate(["نص أول للمقال", "نص ثان للمقال بعد التعديل"], start=1):
        at = f"2026-01-0{number + 1}T00:00:00.000Z"
        record_check(db, page, Observation(fetched(WATCHED), article(text)), now=at)
    other_page = Extracted(title="آخر", blocks=(Block("paragraph", "مقال آخر"),))
    record_check(db, other, Observation(fetched(OTHER), other_page), now="2026-01-02T00:00:00Z")
    db.conn.close()
    return {"path": path, "page": page}


def web(path: object, *urls: str) -> list:  # type: ignore[type-arg]
    async def run() -> list:  # type: ignore[type-arg]
        ds = build_datasette(path)  # type: ignore[arg-type]
        return [await ds.client.get(url) for url in urls]

    return asyncio.run(run())


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_store_finds_the_page_by_every_spelling(site: dict, spelling: str) -> None:  # type: ignore[type-arg]
    db = connect(site["path"])  # type: ignore[arg-type]
    url = SPELLINGS[spelling]
    assert identity.find_page(db, url) == site["page"]
    assert export.page_exists(db, url)
    out = io.StringIO()
    assert export.write(db, "versions", "ndjson", out, page=url) == 2
    reader = Reader("test", lambda html, url: article("نص"))
    assert len([r for r in reextract(db, reader, page=url) if r is not None]) == 2
    assert identity.find_page(db, "https://www.europarabct.com/?p=1") is None


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_web_face_finds_the_page_by_every_spelling(site: dict, spelling: str) -> None:  # type: ignore[type-arg]
    url = quote(SPELLINGS[spelling], safe="")
    found, feed, history = web(
        site["path"],
        f"/-/marsad/page?url={url}",
        f"/-/marsad/changes.atom?url={url}",
        f"/marsad/page_history.json?_shape=array&url={url}",
    )
    assert found.status_code == 302
    assert found.headers["location"].endswith(f"/-/marsad/page/{site['page']}")
    entries = ET.fromstring(feed.text).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 2
    assert feed.text.count("مقال آخر") == 0
    kinds = [row["kind"] for row in history.json()]
    assert kinds.count("changed") == 2 and {row["page_id"] for row in history.json()} == {
        site["page"]
    }


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_marsad_diff_finds_the_page_by_every_spelling(site: dict, spelling: str) -> None:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["--db", str(site["path"]), "diff", SPELLINGS[spelling]])
    assert result.exit_code == 0, result.output
    assert "version 1 → 2" in result.output and "التعديل" in result.output


def test_an_unknown_url_is_found_nowhere(site: dict) -> None:  # type: ignore[type-arg]
    unknown = "https://www.europarabct.com/?p=1"
    result = CliRunner().invoke(cli, ["--db", str(site["path"]), "diff", unknown])
    assert result.exit_code == 2 and "is not a watched page" in result.output
    (missing,) = web(site["path"], f"/-/marsad/page?url={quote(unknown, safe='')}")
    assert missing.status_code == 404
