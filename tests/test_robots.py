"""robots.txt by RFC 9309: obeyed, cached, and read through the same safety rules as pages."""

from __future__ import annotations

import pytest

from crawler.fetch import Fetcher, FetchSettings
from crawler.robots import RobotsAnswer, RobotsCache
from tests.servers.misbehaving import FakeClock, MisbehavingServer

DAY = 24 * 3600.0


@pytest.fixture
def server():
    with MisbehavingServer() as running:
        yield running


def make(clock: FakeClock, **settings) -> Fetcher:
    return Fetcher(
        FetchSettings(min_delay=0.0, retries=0, **settings), clock=clock, sleep=clock.sleep
    )


def test_a_disallowed_article_is_skipped_and_never_requested(server):
    server.robots = (200, "User-agent: *\nDisallow: /article\n")
    fetcher = make(FakeClock())
    result = fetcher.fetch(server.url("/article"))
    assert (result.outcome, result.error_class) == ("skipped", "RobotsDisallowed")
    assert result.error == (
        f"robots.txt of {server.base_url} disallows {server.url('/article')} for marsad"
    )
    assert fetcher.fetch(server.url("/page")).outcome == "ok"
    assert [hit.path for hit in server.hits] == ["/robots.txt", "/page"]


def test_rules_for_marsad_by_name_apply(server):
    server.robots = (200, "User-agent: marsad\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    assert make(FakeClock()).fetch(server.url("/page")).error_class == "RobotsDisallowed"


def test_robots_txt_503_disallows_for_now_and_is_asked_again_later(server):
    server.robots = (503, "down")
    clock = FakeClock()
    fetcher = make(clock)
    result = fetcher.fetch(server.url("/page"))
    assert (result.outcome, result.error_class) == ("skipped", "RobotsUnavailable")
    assert "answered 503" in result.error
    assert server.page_hits() == []
    server.robots = (200, "User-agent: *\nAllow: /\n")
    assert fetcher.fetch(server.url("/page")).error_class == "RobotsUnavailable"  # still cached
    clock.now += 601
    assert fetcher.fetch(server.url("/page")).outcome == "ok"


def test_robots_txt_404_allows_everything(server):
    server.robots = (404, "no such file")
    assert make(FakeClock()).fetch(server.url("/article")).outcome == "ok"


def test_robots_txt_is_cached_for_a_day(server):
    clock = FakeClock()
    fetcher = make(clock)
    fetcher.fetch(server.url("/page"))
    fetcher.fetch(server.url("/page"))
    assert server.counts["/robots.txt"] == 1
    clock.now += DAY + 1
    fetcher.fetch(server.url("/page"))
    assert server.counts["/robots.txt"] == 2


def test_robots_txt_goes_through_the_address_rules(server):
    names = {"news.example": ["93.184.216.34"]}
    from crawler.safety import Scope

    fetcher = Fetcher(
        FetchSettings(min_delay=0.0),
        scope=Scope.of_targets([server.url("/page", host="news.example")]),
        resolver=lambda h, p: names[h],
        dial=lambda ip, port: ("127.0.0.1", port),
    )
    server.robots_for_host["news.example"] = (200, "User-agent: *\nAllow: /\n")
    assert fetcher.fetch(server.url("/page", host="news.example")).outcome == "ok"
    robots_hit = server.hits[0]
    assert robots_hit.path == "/robots.txt" and robots_hit.headers["host"].startswith(
        "news.example"
    )


def _cache(clock: FakeClock) -> RobotsCache:
    return RobotsCache("marsad", clock)


def test_a_long_outage_falls_back_to_the_last_good_copy():
    clock = FakeClock()
    cache = _cache(clock)
    good = RobotsAnswer(200, "User-agent: *\nDisallow: /private\n")
    origin = "https://news.example"
    assert cache.verdict(origin, f"{origin}/a", lambda: good).allowed
    clock.now += DAY + 1
    down = RobotsAnswer(503)
    assert cache.verdict(origin, f"{origin}/a", lambda: down).error_class == "RobotsUnavailable"
    clock.now += 29 * DAY
    assert not cache.verdict(origin, f"{origin}/a", lambda: down).allowed
    clock.now += 2 * DAY  # more than 30 days unreachable: the last good copy rules
    assert cache.verdict(origin, f"{origin}/a", lambda: down).allowed
    assert (
        cache.verdict(origin, f"{origin}/private", lambda: down).error_class == "RobotsDisallowed"
    )


def test_a_long_outage_without_any_copy_means_no_restrictions():
    clock = FakeClock()
    cache = _cache(clock)
    origin = "https://news.example"
    network_error = RobotsAnswer(None, error="could not be fetched: connection refused")
    verdict = cache.verdict(origin, f"{origin}/a", lambda: network_error)
    assert not verdict.allowed and "connection refused" in verdict.reason
    clock.now += 31 * DAY
    assert cache.verdict(origin, f"{origin}/a", lambda: network_error).allowed


def test_429_counts_as_unreachable_and_crawl_delay_is_reported():
    clock = FakeClock()
    cache = _cache(clock)
    assert not cache.verdict("http://a", "http://a/x", lambda: RobotsAnswer(429)).allowed
    verdict = _cache(clock).verdict(
        "http://a", "http://a/x", lambda: RobotsAnswer(200, "User-agent: *\nCrawl-delay: 3\n")
    )
    assert verdict.allowed and verdict.crawl_delay == 3
