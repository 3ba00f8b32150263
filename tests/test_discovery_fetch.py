"""Discovery sources through the shared fetcher: JSON, robots.txt and raw `.xml.gz` sitemaps are
read only when the fetch asks for them, and gzip keeps the size cap."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from crawler.discover import parse_sitemap
from crawler.fetch import Fetcher, FetchSettings
from crawler.safety import Scope

SITE = "https://news.example"
SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>https://news.example/2024/07/22/%D8%AD%D9%84%D9%81/</loc>"
    "<lastmod>2024-07-22T08:05:00+00:00</lastmod></url></urlset>"
)
ROUTES = {
    "/robots.txt": ("text/plain", b"User-agent: *\nSitemap: https://news.example/s.xml.gz\n"),
    "/wp-json/wp/v2/posts": (
        "application/json",
        json.dumps([{"id": 1, "link": SITE + "/a/"}]).encode(),
    ),
    "/s.xml.gz": ("application/x-gzip", gzip.compress(SITEMAP.encode())),
    "/bomb.xml.gz": ("application/x-gzip", gzip.compress(b" " * 3_000_000)),
}


def fetcher(max_bytes: int = 5_000_000) -> Fetcher:
    def answer(request: httpx.Request) -> httpx.Response:
        kind, body = ROUTES.get(request.url.path, ("text/html", b"<html></html>"))
        return httpx.Response(200, headers={"content-type": kind}, stream=httpx.ByteStream(body))

    return Fetcher(
        FetchSettings(min_delay=0, retries=0, max_bytes=max_bytes),
        client=httpx.Client(transport=httpx.MockTransport(answer)),
        scope=Scope.of_targets([SITE + "/"]),
        resolver=lambda host, port: ["93.184.216.34"],
    )


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/wp-json/wp/v2/posts", ("application/json",)),
        ("/robots.txt", ("text/plain",)),
        ("/s.xml.gz", ("application/gzip", "application/x-gzip")),
    ],
)
def test_a_source_type_is_read_only_when_asked_for(path, accept):
    pages = fetcher()
    assert pages.fetch(SITE + path).outcome == "skipped"  # as a page: not one
    assert pages.fetch(SITE + path, accept=accept).outcome == "ok"


def test_a_raw_gzip_sitemap_is_decompressed_and_parsed():
    fetched = fetcher().fetch(SITE + "/s.xml.gz", accept=("application/x-gzip",))
    doc = parse_sitemap(fetched.body.encode())
    assert [entry.lastmod for entry in doc.urls] == ["2024-07-22T08:05:00Z"]


def test_a_gzip_bomb_stops_at_the_cap():
    fetched = fetcher(max_bytes=1_000_000).fetch(
        SITE + "/bomb.xml.gz", accept=("application/x-gzip",)
    )
    assert fetched.outcome == "error" and fetched.error_class == "TooLarge"
