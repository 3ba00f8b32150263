"""The frontier over time: later passes find new posts, changed posts are checked before their
turn, and a pass that dies midway resumes without fetching again what it completed."""

from __future__ import annotations

import pytest

from crawler.fetch import Fetcher
from schedules.discovery import check_discovered, check_with_discovery, discover
from tests.discovery_harness import T0, Clock, watch
from tests.servers.replica import ReplicaServer, ReplicaSite

NEW_TEXT = "فقرة جديدة عن التعاون الأمني بين الناتو وشركائه في آسيا والمحيط الهادئ."


def one_pass(w, now):
    """What the daemon does on a tick: discovery, then the pages that are due."""
    report = discover(w.db, w.fetcher, w.config, w.target, now=now)
    return report, check_discovered(w.db, w.fetcher, w.config, w.target, now=now)


@pytest.mark.parametrize("rest_api", [True, False], ids=["rest", "no-rest"])
def test_a_post_added_to_the_category_is_found_on_the_next_pass(tmp_path, replica, rest_api):
    replica.site.set_rest_api(rest_api)
    w = watch(tmp_path, replica)
    check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)
    before = w.keys()

    w.clock.advance(minutes=30)
    new = replica.site.add_post("دراسة جديدة عن شركاء الناتو", [NEW_TEXT], categories=("دراسات",))
    unrelated = replica.site.add_post(
        "تقرير عن الاستخبارات", [NEW_TEXT], categories=("الاستخبارات",)
    )
    _report, checked = one_pass(w, w.clock.advance(minutes=30))

    page = w.page_of(new)
    assert page is not None, "the new post of the seed's category was not discovered"
    assert page["reason"] in ("category", "rest_api", "feed", "sitemap")
    assert page["versions"] == 1  # and checked in the same pass
    assert w.page_of(unrelated) is None, "a post outside the seed's categories and tags was added"
    assert w.keys() - before == {w.key_of(new).split("/", 1)[1]}
    assert [o.url for o in checked] == [page["url"]]


@pytest.mark.parametrize("rest_api", [True, False], ids=["rest", "no-rest"])
def test_a_modified_post_is_checked_before_its_turn(tmp_path, replica, rest_api):
    replica.site.set_rest_api(rest_api)
    w = watch(tmp_path, replica)
    check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)
    quiet_next = {p["id"]: p["next_check_at"] for p in w.pages()}
    post = next(p for p in w.pages() if p["reason"] == "category")
    post_id = next(i for i in replica.site.posts if w.key_of(i) == post["url_key"])

    w.clock.advance(minutes=30)
    replica.site.edit_paragraph(post_id, 0, NEW_TEXT)
    report, checked = one_pass(w, w.clock.advance(minutes=30))

    assert report.pages_due_now == 1
    assert [(o.url, o.outcome) for o in checked] == [(post["url"], "new_version")]
    assert w.page_of(post_id)["versions"] == 2
    # the others keep their turn, hours away
    for page in w.pages():
        if page["id"] != post["id"]:
            assert page["next_check_at"] == quiet_next[page["id"]]
            assert page["next_check_at"] > "2025-03-01T09:00"


def test_a_quiet_second_pass_reads_sources_conditionally_and_adds_nothing(tmp_path, replica):
    w = watch(tmp_path, replica)
    check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)
    replica.clear_requests()
    report, checked = one_pass(w, w.clock.advance(hours=1))
    assert report.pages_added == 0 and checked == []
    assert report.sources_unchanged > 0
    assert all(r.status in (200, 304) for r in replica.requests)
    # change detectors only: the category archives wait for `every`
    assert not [p for p in replica.paths() if "/category/" in p]


class Crash(RuntimeError):
    pass


class CrashingFetcher(Fetcher):
    """The real fetcher, until the n-th request: then the process 'dies'."""

    def __init__(self, inner: Fetcher, after: int) -> None:
        self.__dict__.update(inner.__dict__)
        self.left = after

    def fetch(self, url, validators=None, **kwargs):
        if self.left == 0:
            raise Crash(url)
        self.left -= 1
        return super().fetch(url, validators, **kwargs)


@pytest.mark.parametrize("after", [4, 12, 24], ids=["in-sources", "in-archives", "in-checks"])
def test_a_restart_midway_resumes_without_fetching_anything_twice(tmp_path, replica, after):
    w = watch(tmp_path, replica, name="crash")
    with pytest.raises(Crash):
        check_with_discovery(w.db, CrashingFetcher(w.fetcher, after), w.config, w.target, now=T0)
    first = replica.paths()
    replica.clear_requests()

    one_pass(w, T0)  # the restarted pass, same moment: only what was left
    second = replica.paths()

    twice = set(first) & set(second) - {"/robots.txt"}
    assert not twice, f"fetched again after the restart: {sorted(twice)[:3]}"
    assert second, "the restart had nothing left to do"
    # and it ends where an uninterrupted pass ends
    with ReplicaServer(ReplicaSite(clock=Clock())) as other:
        clean = watch(tmp_path, other, name="clean")
        check_with_discovery(clean.db, clean.fetcher, clean.config, clean.target, now=T0)
        assert w.keys() == clean.keys()
        assert [p["versions"] for p in w.pages()] == [1] * len(clean.keys())
