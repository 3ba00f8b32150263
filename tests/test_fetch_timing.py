"""Politeness and retry timing, asserted on a fake clock: nothing here really sleeps."""

from __future__ import annotations

import threading

import pytest

from crawler.fetch import Fetcher, FetchSettings
from crawler.politeness import HostState, Politeness, parse_retry_after
from tests.servers.misbehaving import FakeClock, MisbehavingServer


@pytest.fixture
def server():
    with MisbehavingServer() as running:
        yield running


def fetcher(clock: FakeClock, random: float = 0.0, **settings) -> Fetcher:
    base = {"min_delay": 1.0, "jitter": 0.5, "deadline": 300.0, "backoff_base": 2.0}
    return Fetcher(
        FetchSettings(**{**base, **settings}), clock=clock, sleep=clock.sleep, random=lambda: random
    )


def test_min_delay_with_jitter_between_requests_to_one_host(server):
    clock = FakeClock()
    f = fetcher(clock, random=0.5)
    assert f.fetch(server.url("/page")).outcome == "ok"
    assert f.fetch(server.url("/article")).outcome == "ok"
    # robots.txt, then each page 1 s × (1 + 0.5 × 0.5) after the previous request
    assert clock.sleeps == [1.25, 1.25]
    assert [hit.path for hit in server.hits] == ["/robots.txt", "/page", "/article"]


def test_crawl_delay_from_robots_txt_is_honoured_when_larger(server):
    server.robots = (200, "User-agent: *\nCrawl-delay: 3\nAllow: /\n")
    clock = FakeClock()
    f = fetcher(clock)
    f.fetch(server.url("/page"))
    f.fetch(server.url("/article"))
    assert clock.sleeps == [3.0, 3.0]


def test_retry_after_seconds_is_waited_then_retried(server):
    clock = FakeClock()
    result = fetcher(clock).fetch(server.url("/flaky/503?times=1&retry_after=7"))
    assert result.outcome == "ok" and result.retries == 1
    assert clock.sleeps == [1.0, 7.0]


def test_retry_after_http_date_longer_than_the_deadline_pauses_the_host(server):
    clock = FakeClock()
    f = fetcher(clock, deadline=60.0)
    url = server.url(f"/flaky/429?times=1&retry_after=date:{clock.now + 120:.0f}")
    result = f.fetch(url)
    assert (result.outcome, result.status, result.error_class) == ("error", 429, "HTTPStatus")
    assert result.retry_after == pytest.approx(120, abs=1)
    assert result.paused_until == "2024-06-04T11:22:00Z"  # clock.now + 120 s
    assert "paused until 2024-06-04T11:22:00Z" in result.error
    assert f.host_states()["127.0.0.1"].paused_until == pytest.approx(clock.now + 120, abs=1)

    hits = len(server.hits)
    skipped = f.fetch(server.url("/page"))
    assert (skipped.outcome, skipped.error_class) == ("skipped", "HostPaused")
    assert "2024-06-04T11:22:00Z" in skipped.error
    assert len(server.hits) == hits, "a paused host must not be asked"

    clock.now += 121
    assert f.fetch(url).outcome == "ok"


def test_retry_after_http_date_within_the_deadline_is_waited_exactly(server):
    clock = FakeClock()
    url = server.url(f"/flaky/429?times=1&retry_after=date:{clock.now + 1 + 120:.0f}")
    result = fetcher(clock).fetch(url)
    assert result.outcome == "ok"
    assert clock.sleeps == [1.0, 120.0]


def test_retry_after_is_capped(server):
    clock = FakeClock()
    f = fetcher(clock, retry_after_max=600.0, deadline=60.0)
    result = f.fetch(server.url("/status/503?retry_after=100000"))
    assert result.retry_after == 100000
    assert f.host_states()["127.0.0.1"].paused_until == pytest.approx(clock.now + 600)


def test_5xx_backs_off_exponentially_with_jitter(server):
    clock = FakeClock()
    result = fetcher(clock, min_delay=0.0, retries=3, jitter=0.0).fetch(server.url("/status/500"))
    assert (result.outcome, result.status, result.retries) == ("error", 500, 3)
    assert clock.sleeps == [2.0, 4.0, 8.0]
    clock.sleeps.clear()
    f = fetcher(clock, random=1.0, min_delay=0.0, retries=3, jitter=0.5, backoff_max=10.0)
    f.fetch(server.url("/status/502"))
    assert clock.sleeps == [3.0, 6.0, 10.0]  # 2×1.5, 4×1.5, capped at 10


def test_broken_connections_are_retried_with_backoff(server):
    clock = FakeClock()
    result = fetcher(clock, min_delay=0.0, retries=2, jitter=0.0).fetch(server.url("/reset"))
    assert (result.outcome, result.error_class, result.retries) == ("error", "ReadError", 2)
    assert clock.sleeps == [2.0, 4.0]
    assert server.counts["/reset"] == 3


def test_repeated_failures_pause_the_host_and_success_resets(server):
    clock = FakeClock()
    f = fetcher(clock, min_delay=0.0, retries=0, pause_after_failures=3, pause_for=600.0)
    assert f.fetch(server.url("/status/502")).paused_until is None
    f.fetch(server.url("/status/502"))
    third = f.fetch(server.url("/status/502"))
    state = f.host_states()["127.0.0.1"]
    assert state.failures == 3 and state.last_error.startswith("HTTP 502")
    assert third.paused_until == state.paused_until_iso == "2024-06-04T11:30:00Z"
    assert f.fetch(server.url("/page")).error_class == "HostPaused"
    clock.now += 601
    assert f.fetch(server.url("/page")).outcome == "ok"
    assert f.host_states()["127.0.0.1"] == HostState("127.0.0.1")


def test_host_states_survive_a_restart(server):
    clock = FakeClock()
    first = fetcher(clock, retries=0, pause_after_failures=1, pause_for=600.0)
    first.fetch(server.url("/status/500"))
    saved = first.host_states()
    second = fetcher(clock)
    second.restore_host_states(saved)
    assert second.fetch(server.url("/page")).error_class == "HostPaused"


def test_parse_retry_after_forms():
    now = 1_717_500_000.0
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Tue, 04 Jun 2024 11:22:00 GMT", now) == 120
    assert parse_retry_after("Tue, 04 Jun 2024 11:00:00 GMT", now) == 0  # already past
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def _politeness(concurrency: int) -> Politeness:
    return Politeness(
        min_delay=0,
        jitter=0,
        concurrency=concurrency,
        crawl_delay_max=60,
        backoff_base=1,
        backoff_max=1,
        pause_after=5,
        pause_for=1,
        clock=lambda: 0.0,
        sleep=lambda s: None,
        random=lambda: 0.0,
    )


@pytest.mark.parametrize(("hosts", "concurrency"), [(("a", "a"), 4), (("a", "b"), 1)])
def test_one_request_per_host_and_a_global_limit(hosts, concurrency):
    polite = _politeness(concurrency)
    inside, second_in = threading.Event(), threading.Event()
    release = threading.Event()

    def first() -> None:
        with polite.slot(hosts[0]):
            inside.set()
            release.wait(5)

    def second() -> None:
        with polite.slot(hosts[1]):
            second_in.set()

    one = threading.Thread(target=first)
    one.start()
    inside.wait(5)
    two = threading.Thread(target=second)
    two.start()
    assert not second_in.wait(0.2), "second request started while the first was in flight"
    release.set()
    assert second_in.wait(5)
    one.join()
    two.join()


def test_different_hosts_run_together_under_the_global_limit():
    polite = _politeness(2)
    with polite.slot("a"):
        entered = threading.Event()
        worker = threading.Thread(target=lambda: polite.slot("b").__enter__() or entered.set())
        worker.start()
        assert entered.wait(2)
