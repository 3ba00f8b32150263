"""Discovery parses no page the nesting guard refuses: a hostile article or archive is skipped
for discovery with a one-line reason on its source, never parsed (counted, not timed: the parses
that cost minutes are what must not happen)."""

from __future__ import annotations

import importlib
from pathlib import Path

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from crawler.fetch import Fetcher, FetchSettings
from crawler.safety import Scope
from schedules.config import load_config
from schedules.discovery import discover
from schedules.jobs import prepare
from store.schema import connect

SITE = "https://news.example"
# 100,000 nested <div>s took 73 s with discovery on: the article's links, its REST root and its
# post id were each read with a full parse, none guarded.
NESTED = (
    '<html><body class="postid-1"><a href="/2024/07/22/other-post/">مقال آخر</a>'
    + "<div>" * 60_000
    + "نص"
    + "</div>" * 60_000
    + "</body></html>"
)


def _fetcher(routes: dict[str, str]) -> Fetcher:
    def answer(request: httpx.Request) -> httpx.Response:
        body = routes.get(request.url.path)
        status = 200 if body is not None else 404
        content = (body or "<html></html>").encode("utf-8")
        return httpx.Response(
            status, headers={"content-type": "text/html; charset=utf-8"},
            stream=httpx.ByteStream(content),
        )  # fmt: skip

    return Fetcher(
        FetchSettings(min_delay=0, retries=0),
        client=httpx.Client(transport=httpx.MockTransport(answer)),
        scope=Scope.of_targets([SITE + "/"]),
        resolver=lambda host, port: ["93.184.216.34"],
    )


# Every module of marsad that parses HTML with Lexbor.
PARSING_MODULES = (
    "crawler.extract",
    "crawler.calibrate",
    "crawler.discover.article",
    "crawler.discover.feeds",
    "crawler.discover.scope",
    "crawler.discover.links",
)


@pytest.fixture
def nested_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The parses of a NESTED page, counted instead of timed (a parse of it is what cost 73 s):
    there must be none."""
    parses: list[str] = []

    def counting(name: str):  # type: ignore[no-untyped-def]
        def parser(html: str = "", *args, **kwargs):  # type: ignore[no-untyped-def]
            if "<div>" * 3001 in (html or ""):
                parses.append(name)
            return LexborHTMLParser(html, *args, **kwargs)

        return parser

    for name in PARSING_MODULES:
        module = importlib.import_module(name)
        assert hasattr(module, "LexborHTMLParser"), name
        monkeypatch.setattr(module, "LexborHTMLParser", counting(name))
    return parses


def test_the_parse_counter_sees_a_parse(nested_parses: list[str]) -> None:
    from crawler.discover.links import archive_posts

    shallow = "<html><body>" + "<div>" * 3001 + "</div>" * 3001 + "</body></html>"
    # archive_posts alone has no guard (discovery guards before calling it): the counter sees it
    archive_posts(shallow, SITE + "/category/studies/", "category")
    assert nested_parses == ["crawler.discover.links"]


def test_a_deeply_nested_article_is_not_parsed_for_discovery(
    tmp_path: Path, nested_parses: list[str]
) -> None:
    (tmp_path / "watch.toml").write_text(
        '[defaults]\nmin_delay = "0s"\njitter = "0s"\n\n'
        f'[[targets]]\nurl = "{SITE}/?p=1"\n\n[targets.discovery]\nrest_api = true\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path / "watch.toml")
    db = connect(tmp_path / "marsad.db")
    prepare(db, config)
    report = discover(db, _fetcher({"/": NESTED}), config, config.targets[0], check_target=True)
    assert nested_parses == []
    assert report.sources_not_parsed == 1
    [source] = db.query("SELECT * FROM discovery_sources WHERE kind = 'article'")
    assert source["last_outcome"] == "skipped"
    assert source["last_error"] == "not parsed: too deeply nested: more than 3000 open elements"
    assert db.execute("SELECT count(*) FROM pages WHERE reason != 'target'").fetchone()[0] == 0
    kinds = {row["kind"] for row in db.query("SELECT kind FROM discovery_sources")}
    assert not kinds & {"rest_post", "rest_changes", "archive"}


def test_a_deeply_nested_archive_is_not_parsed_for_discovery(
    tmp_path: Path, nested_parses: list[str]
) -> None:
    (tmp_path / "watch.toml").write_text(
        '[defaults]\nmin_delay = "0s"\njitter = "0s"\n\n'
        f'[[targets]]\nurl = "{SITE}/?p=1"\n\n[targets.discovery]\nrest_api = false\n',
        encoding="utf-8",
    )
    article = (
        "<html><body><article><h1>عنوان</h1><p>نص المقال</p>"
        '<a rel="category tag" href="/category/studies/">دراسات</a></article></body></html>'
    )
    config = load_config(tmp_path / "watch.toml")
    db = connect(tmp_path / "marsad.db")
    prepare(db, config)
    fetcher = _fetcher({"/": article, "/category/studies/": NESTED})
    report = discover(db, fetcher, config, config.targets[0], check_target=True)
    assert nested_parses == []
    [source] = db.query("SELECT * FROM discovery_sources WHERE kind = 'archive'")
    assert (source["last_outcome"], report.sources_not_parsed) == ("skipped", 1)
    assert source["last_error"].startswith("not parsed: too deeply nested")
