"""What the fetcher keeps between fetches to spend less CPU on each (issue 17) follows the
changes it stands for: the scope merged with the aliases, a host's clean state."""

from __future__ import annotations

import httpx

from crawler.fetch import Fetcher, FetchSettings
from crawler.safety import Scope

PUBLIC = "93.184.216.34"


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/robots.txt":
        return httpx.Response(404, stream=httpx.ByteStream(b""))
    page = "<html><body><p>نص</p></body></html>".encode()
    return httpx.Response(200, headers={"content-type": "text/html"}, stream=httpx.ByteStream(page))


def fetcher(scope: Scope, **settings) -> Fetcher:
    return Fetcher(
        FetchSettings(min_delay=0.0, retries=0, **settings),
        httpx.Client(transport=httpx.MockTransport(answer)),
        scope=scope,
        resolver=lambda host, port: [PUBLIC],
    )


def test_a_new_scope_applies_to_the_next_fetch():
    news = fetcher(Scope.of_targets(["https://a.example/"]), host_aliases=("c.example",))
    assert news.fetch("https://a.example/x").outcome == "ok"
    assert news.fetch("https://c.example/x").outcome == "ok"  # an alias
    assert news.fetch("https://b.example/x").error_class == "OutOfScope"
    news.scope = Scope.of_targets(["https://b.example/"])
    assert news.fetch("https://b.example/x").outcome == "ok"
    assert news.fetch("https://c.example/x").outcome == "ok"
    assert news.fetch("https://a.example/x").error_class == "OutOfScope"


def test_through_a_proxy_the_cached_scope_still_allows_no_private_address():
    scope = Scope.of_targets(["http://127.0.0.1:8080/"])
    news = fetcher(scope, proxy="http://proxy.example:3128")
    for _ in range(2):
        assert news.fetch("http://127.0.0.1:8080/x").error_class == "RefusedAddress"


def test_a_success_clears_a_failure_and_leaves_a_clean_host_as_it_was():
    news = fetcher(Scope.of_targets(["https://a.example/"]))
    news.politeness.failed("a.example", "HTTP 503")
    assert news.host_states()["a.example"].failures == 1
    assert news.fetch("https://a.example/x").outcome == "ok"
    clean = news.host_states()["a.example"]
    assert (clean.failures, clean.paused_until, clean.last_error) == (0, None, None)
    assert news.fetch("https://a.example/y").outcome == "ok"
    assert news.host_states()["a.example"] is clean
