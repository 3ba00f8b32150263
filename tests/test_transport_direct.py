"""The fetcher's GET skips `httpx.Client.build_request` (issue 17: it cost a sixth of a fetch's
CPU, most of it parsing the URL a second time). What goes to httpcore must not change for it:
the same method, URL, headers in the same order and timeouts as the client would have built,
the same cookies sent and kept."""

from __future__ import annotations

import httpcore
import httpx
import pytest

from crawler.safety import check_url
from crawler.transport import (
    PinnedBackend,
    PinnedTransport,
    RequestHeaders,
    pinned_client,
    request_target,
    send,
)

ARABIC = "%D8%A7%D9%84%D9%85%D8%B1%D8%B5%D8%AF"
URLS = [
    f"http://127.0.0.1:8080/2024/11/12/{ARABIC}-{ARABIC}/",
    f"https://news.example/{ARABIC.lower()}/",
    "https://news.example/مرصد/?q=مرصد",  # raw non-ASCII: httpx percent-encodes it
    "http://news.example",
    "http://news.example?x=1",
    "http://news.example/?",
    "http://NEWS.example:80/a",
    "https://news.example:443/a",
    "https://news.example:8443/a",
    "http://[::1]:8080/a?b=c",
    "http://[2001:DB8::1]/x",
    "http://مرصد.example/x",
    "http://xn--mgbh0fb.example/x",
    "http://news.example/a/./b/../c",
    "http://news.example/.well-known/x",
    "http://news.example/a/..",
    "http://news.example/a.b/c..d/",
    "http://news.example/%",
    "http://news.example/%zz/%2f/%2F",
    "http://news.example/a{b}c|d^e`f",
    "http://news.example/p?a={b}&c=`d`&e=?f/g|h",
    "http://news.example/p'q(r)*s!t$u;v,w=x+y:z@[]~",
    'http://news.example/a"b<c>d',
    "http://news.example/#frag",
    "http://news.example/x?y#frag",
    "http://news.example/" + "a" * 70_000,
]
PAGE = {"User-Agent": "marsad/1 (+https://x)", "Accept": "text/html", "Accept-Encoding": "gzip"}
VALIDATORS = {"If-None-Match": 'W/"v1-95655"', "If-Modified-Since": "Tue, 04 Jun 2024 10:00:00 GMT"}
HEADERS = [
    (PAGE, {}),
    (PAGE, VALIDATORS),
    ({"User-Agent": "marsad/1", "Accept-Encoding": "gzip, deflate, br"}, {}),
    (
        {"User-Agent": "marsad/1"},
        {"accept": "application/json", **VALIDATORS},
    ),  # a default replaced
]


class Recorder:
    """Stands for httpcore's pool: keeps each request, answers 200 (with cookies to set)."""

    def __init__(self, answer_headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.sent: list[httpcore.Request] = []
        self.answer_headers = answer_headers or []

    def handle_request(self, request: httpcore.Request) -> httpcore.Response:
        self.sent.append(request)
        return httpcore.Response(200, headers=self.answer_headers, content=b"ok")

    def close(self) -> None:
        pass


def wire(request: httpcore.Request) -> tuple[object, ...]:
    url = request.url
    return (
        request.method,
        url.scheme,
        url.host,
        url.port,
        url.target,
        request.headers,
        request.extensions,
    )


@pytest.mark.parametrize(("fixed", "extra"), HEADERS, ids=["page", "conditional", "robots", "json"])
@pytest.mark.parametrize("url", URLS)
def test_the_direct_get_is_what_the_client_would_have_sent(url, fixed, extra):
    _, transport, client = pinned_client(None, None, 20.0)
    transport.pool = recorder = Recorder()  # type: ignore[assignment]
    checked = check_url(url)
    try:
        built = client.build_request("GET", checked.url, headers={**fixed, **extra}, timeout=7.5)
    except httpx.InvalidURL:  # httpx refuses it: so must the direct way
        with pytest.raises(httpx.InvalidURL):
            request_target(checked)
        return
    transport.handle_request(built).close()
    headers = RequestHeaders(client, fixed)
    transport.get(checked, headers.merged(client, extra), 7.5).close()
    old, new = recorder.sent
    assert wire(new) == wire(old)


def test_a_percent_encoded_target_is_not_parsed_again(monkeypatch):
    checked = check_url(URLS[0])
    expected = request_target(checked)

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("httpx parsed the URL again")

    monkeypatch.setattr(httpx, "URL", parse)
    target = request_target(checked)
    assert (target.url, target.netloc) == (expected.url, expected.netloc)
    assert target.netloc == b"127.0.0.1:8080"


def test_cookies_are_kept_and_sent_only_where_they_belong():
    _, transport, client = pinned_client(None, None, 20.0)
    transport.pool = recorder = Recorder(
        [(b"Set-Cookie", b"session=abc; Path=/"), (b"Set-Cookie", b"wide=1; Domain=example.org")]
    )
    headers = RequestHeaders(client, {"User-Agent": "marsad/1"})
    with send(client, transport, check_url("http://news.example.org/a"), headers, {}, 5.0) as r:
        assert r.status_code == 200
    assert {cookie.name for cookie in client.cookies.jar} == {"session", "wide"}
    recorder.answer_headers = []
    for url in ("http://news.example.org/b", "http://cdn.example.org/c", "http://other.example/"):
        with send(client, transport, check_url(url), headers, VALIDATORS, 5.0):
            pass
    first, same_host, same_domain, elsewhere = (
        dict(r.headers).get(b"Cookie") for r in recorder.sent
    )
    assert first is None
    assert same_host is not None and sorted(same_host.split(b"; ")) == [b"session=abc", b"wide=1"]
    assert same_domain == b"wide=1"
    assert elsewhere is None


def test_errors_of_the_direct_get_are_httpx_errors():
    backend = PinnedBackend()
    transport = PinnedTransport(backend)
    with pytest.raises(httpx.ConnectError, match="no checked address"):
        transport.get(check_url("http://news.example/"), [], 1.0)
    transport.close()
