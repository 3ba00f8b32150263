"""Scope, address and URL-form rules as a fetch meets them, with a resolver the test controls.

The target is `news.example`, which the injected resolver says is a public address; the injected
`dial` then carries connections for that address to the local server, so the fetcher believes it
talks to a public site and must refuse every redirect towards private space.
"""

from __future__ import annotations

import pytest

from crawler.fetch import DEFAULT_USER_AGENT, Fetcher, FetchSettings
from crawler.safety import Scope
from tests.servers.misbehaving import MisbehavingServer

PUBLIC = "93.184.216.34"


@pytest.fixture
def server():
    with MisbehavingServer() as running:
        yield running


class Network:
    """DNS answers and the connections made, as the fetcher asked for them."""

    def __init__(self, server: MisbehavingServer, names: dict[str, list[str]]) -> None:
        self.server, self.names, self.dialed = server, names, []

    def resolve(self, host: str, port: int) -> list[str]:
        return self.names[host]

    def dial(self, ip: str, port: int) -> tuple[str, int]:
        self.dialed.append(ip)
        return ("127.0.0.1", port) if ip == PUBLIC else (ip, port)


def news_fetcher(server, aliases=(), names=None):
    network = Network(server, names or {"news.example": [PUBLIC]})
    scope = Scope.of_targets([server.url("/page", host="news.example")], aliases=aliases)
    fetcher = Fetcher(
        FetchSettings(min_delay=0, retries=0, deadline=5),
        scope=scope,
        resolver=network.resolve,
        dial=network.dial,
    )
    return fetcher, network


def test_a_public_name_is_fetched_at_the_address_we_checked(server):
    fetcher, network = news_fetcher(server)
    result = fetcher.fetch(server.url("/page", host="news.example"))
    assert result.outcome == "ok"
    assert set(network.dialed) == {PUBLIC}
    page = server.page_hits()[0]
    assert page.headers["host"] == f"news.example:{server.port}"  # Host header kept for the name
    assert page.headers["user-agent"] == DEFAULT_USER_AGENT
    assert "marsad/" in DEFAULT_USER_AGENT and "https://" in DEFAULT_USER_AGENT


@pytest.mark.parametrize(
    ("location", "error_class", "why"),
    [
        ("http://127.0.0.1:{port}/page", "RefusedAddress", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "RefusedAddress", "link-local"),
        ("http://[::ffff:127.0.0.1]:{port}/page", "RefusedAddress", "IPv4-mapped loopback"),
        ("http://[::ffff:169.254.169.254]/", "RefusedAddress", "IPv4-mapped link-local"),
        ("http://2130706433:{port}/page", "RefusedAddress", "loopback"),
        ("http://0x7f.1:{port}/page", "RefusedAddress", "loopback"),
        ("http://100.64.0.1/", "RefusedAddress", "CGNAT"),
        ("http://other.example/page", "OutOfScope", "not a configured target"),
        ("file:/etc/passwd", "RefusedURL", "non-HTTP"),
        ("FILE:///etc/passwd", "RefusedURL", "non-HTTP"),
        ("javascript:alert(1)", "RefusedURL", "non-HTTP"),
        ("http://user:pw@news.example/page", "RefusedURL", "credentials"),
    ],
)
def test_redirects_out_of_bounds_are_not_followed(server, location, error_class, why):
    fetcher, network = news_fetcher(server)
    start = server.url(
        "/redirect-to?url=" + location.format(port=server.port).replace("&", "%26"),
        host="news.example",
    )
    result = fetcher.fetch(start)
    assert (result.outcome, result.error_class) == ("skipped", error_class)
    assert why in result.error and "\n" not in result.error
    assert [hop.status for hop in result.redirects] == [302]  # the chain is recorded
    assert [hit.path for hit in server.page_hits()] == ["/redirect-to"], "the target was asked"
    assert set(network.dialed) == {PUBLIC}


def test_a_declared_alias_is_followed(server):
    names = {"news.example": [PUBLIC], "www.news.example": [PUBLIC]}
    # an alias names its port unless it is the default one: another port is another server
    aliases = [f"www.news.example:{server.port}"]
    fetcher, _ = news_fetcher(server, aliases=aliases, names=names)
    target = server.url("/page", host="www.news.example")
    result = fetcher.fetch(server.url(f"/redirect-to?url={target}", host="news.example"))
    assert result.outcome == "ok"
    assert result.final_url == target
    assert result.redirects[0].location == target


def test_an_alias_resolving_to_a_private_address_is_refused(server):
    names = {"news.example": [PUBLIC], "www.news.example": ["10.1.2.3"]}
    aliases = [f"www.news.example:{server.port}"]
    fetcher, network = news_fetcher(server, aliases=aliases, names=names)
    result = fetcher.fetch(server.url("/page", host="www.news.example"))
    assert (result.outcome, result.error_class) == ("skipped", "RefusedAddress")
    assert "private address 10.1.2.3" in result.error
    assert "10.1.2.3" not in network.dialed


def test_a_name_with_one_private_answer_among_public_ones_is_refused(server):
    fetcher, network = news_fetcher(server, names={"news.example": [PUBLIC, "127.0.0.1"]})
    result = fetcher.fetch(server.url("/page", host="news.example"))
    assert (result.outcome, result.error_class) == ("skipped", "RefusedAddress")
    assert network.dialed == []


def test_a_start_url_in_a_numeric_spelling_of_loopback_is_refused(server):
    fetcher, _network = news_fetcher(server)
    result = fetcher.fetch(f"http://0177.0.0.1:{server.port}/page")
    assert (result.outcome, result.error_class) == ("skipped", "RefusedAddress")
    assert not server.hits


def test_a_target_on_loopback_itself_is_allowed(server):
    scope = Scope.of_targets([server.url("/page")])
    result = Fetcher(FetchSettings(min_delay=0), scope=scope).fetch(server.url("/page"))
    assert result.outcome == "ok"


def test_connections_go_only_through_a_checked_pin(server):
    fetcher, _ = news_fetcher(server)
    import httpx

    with pytest.raises(httpx.ConnectError, match="no checked address"):
        fetcher._client.get(server.url("/page"))


def test_proxy_environment_is_ignored(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    result = Fetcher(FetchSettings(min_delay=0)).fetch(server.url("/page"))
    assert result.outcome == "ok"
    assert server.page_hits()[0].target == "/page"  # a direct request, not a proxy's absolute URL


def test_dns_failure_is_a_recorded_error(server):
    def no_dns(host: str, port: int) -> list[str]:
        raise OSError("Temporary failure in name resolution")

    scope = Scope.of_targets(["http://news.example/page"])
    fetcher = Fetcher(FetchSettings(min_delay=0, retries=0), scope=scope, resolver=no_dns)
    result = fetcher.fetch("http://news.example/page")
    assert (result.outcome, result.error_class) == ("error", "DNSError")
    assert result.error == "could not resolve news.example: Temporary failure in name resolution"
    assert fetcher.host_states()["news.example"].failures == 1


def test_through_a_proxy_the_name_is_checked_and_no_private_address_is_fetched(server):
    """The proxy (here the test server, which answers absolute-form requests) resolves names
    itself, so the pin cannot bind it: a name resolving to a private address is refused before
    the proxy is asked, and so is a target given by a private address, which would be fetched
    directly without a proxy."""
    names = {"news.example": [PUBLIC], "inside.example": ["10.1.2.3"]}
    network = Network(server, names)
    scope = Scope.of_targets(
        [
            server.url("/page", host="news.example"),
            server.url("/page", host="inside.example"),
            "http://10.9.8.7/",
        ],
        private_hosts=["inside.example"],
    )
    fetcher = Fetcher(
        FetchSettings(min_delay=0, retries=0, deadline=5, proxy=server.url("").rstrip("/")),
        scope=scope,
        resolver=network.resolve,
    )
    result = fetcher.fetch(server.url("/page", host="news.example"))
    assert result.outcome == "ok"
    assert server.page_hits()[0].target == server.url("/page", host="news.example")
    for url in (server.url("/page", host="inside.example"), "http://10.9.8.7/"):
        refused = fetcher.fetch(url)
        assert (refused.outcome, refused.error_class) == ("skipped", "RefusedAddress"), url
    assert not [hit for hit in server.hits if "inside" in hit.target or "10.9" in hit.target]
