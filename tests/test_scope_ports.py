"""Another port of the same host is another server: a target on one port never makes marsad
request a second port, whether a redirect, a sitemap, robots.txt or the REST root points there
(issue #18, item 8)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from crawler.fetch import Fetcher, FetchSettings
from crawler.safety import OutOfScope, Scope, admit, check_url
from schedules.config import load_config
from schedules.discovery import check_with_discovery
from schedules.jobs import make_fetcher, prepare
from store.schema import connect
from tests.discovery_harness import T0
from tests.servers.misbehaving import MisbehavingServer


@pytest.fixture
def two_servers():
    with MisbehavingServer() as target, MisbehavingServer() as other:
        yield target, other


def fetcher_for(url: str) -> Fetcher:
    return Fetcher(FetchSettings(min_delay=0, retries=0, deadline=5), scope=Scope.of_targets([url]))


def test_a_redirect_to_another_port_is_refused(two_servers):
    target, other = two_servers
    url = target.url("/redirect-to?url=" + quote(other.url("/page"), safe=""))
    result = fetcher_for(target.url("/page")).fetch(url)
    assert result.outcome == "skipped" and result.error_class == "OutOfScope"
    assert f"port {other.port}" in result.error
    assert other.hits == []


def test_a_robots_txt_redirect_to_another_port_is_not_followed(two_servers):
    target, other = two_servers
    target.robots_location = other.url("/robots.txt")
    result = fetcher_for(target.url("/page")).fetch(target.url("/page"))
    assert result.outcome == "ok"  # an unfollowable robots.txt is "unavailable" (RFC 9309)
    assert other.hits == []


def test_default_ports_are_one_site_and_upgrades_stay_in_scope():
    scope = Scope.of_targets(["http://news.example/a"], aliases=["old.example:8443"])
    admit(check_url("https://news.example/a"), scope)  # http -> https upgrade
    admit(check_url("http://news.example:80/a"), scope)
    admit(check_url("https://old.example:8443/"), scope)
    for refused in ("http://news.example:8080/", "https://old.example/"):
        with pytest.raises(OutOfScope, match="port"):
            admit(check_url(refused), scope)


def test_discovery_never_reads_sitemaps_or_the_rest_api_on_another_port(tmp_path, two_servers):
    target, other = two_servers
    sitemap = target.url("/redirect-to?url=" + quote(other.url("/wp-sitemap.xml"), safe=""))
    target.robots = (200, f"User-agent: *\nAllow: /\nSitemap: {sitemap}\n")
    (tmp_path / "watch.toml").write_text(
        '[defaults]\nmin_delay = "0s"\njitter = "0s"\nretries = 0\n\n'
        f'[[targets]]\nurl = "{target.url("/wp-post")}?api={other.url("/wp-json/")}"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path / "watch.toml")
    db = connect(tmp_path / "marsad.db")
    prepare(db, config)
    check_with_discovery(db, make_fetcher(config), config, config.targets[0], now=T0)
    assert target.counts.get("/wp-post") == 1  # the target itself was read
    assert other.hits == []
    stored = [r[0] for r in db.execute("SELECT url FROM discovery_sources")]
    assert not [u for u in stored if u.startswith(other.base_url)]
