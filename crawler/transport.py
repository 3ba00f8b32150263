"""The connection side of address safety: our resolver, and an httpx transport whose connections
go only to addresses `crawler.safety` checked, each socket operation bounded by the fetch deadline.

Built on httpx's and httpcore's public interfaces only (`httpx.BaseTransport`,
`httpcore.ConnectionPool(network_backend=...)`, `httpcore.NetworkBackend`/`NetworkStream`), so a
new release of either cannot quietly bypass the pin; `tests/test_public_seam.py` keeps it so.
"""

from __future__ import annotations

import concurrent.futures
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from crawler.safety import CheckedURL, Dial, DNSError


class SystemResolver:
    """`socket.getaddrinfo` with a timeout: a hung resolver must not outlive the fetch deadline."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="marsad-dns")

    def __call__(self, host: str, port: int) -> Sequence[str]:
        future = self._pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            infos = future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            raise DNSError(f"could not resolve {host}: no answer in {self.timeout:g} s") from None
        except socket.gaierror as error:
            raise DNSError(f"could not resolve {host}: {error.strerror or error}") from None
        return [str(info[4][0]) for info in infos]


class _DeadlineStream(httpcore.NetworkStream):
    """Clamps every socket operation to what is left of the current fetch's deadline, so a server
    that drips headers or body one byte a second ends at the deadline, not after each read's
    timeout. The deadline is looked up per call: a kept-alive connection serves later fetches."""

    def __init__(self, inner: httpcore.NetworkStream, backend: PinnedBackend) -> None:
        self._inner, self._backend = inner, backend

    def _left(self, timeout: float | None, error: type[Exception]) -> float | None:
        left = self._backend.time_left()
        if left is None:
            return timeout
        if left <= 0:
            raise error("fetch deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        left = self._left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, left), self._backend
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore network backend that connects only to addresses checked for the current request.

    httpcore keeps the URL's host for the Host header and for TLS SNI and certificate checks; only
    the TCP connect goes to the pinned address. Pins and the deadline are per thread because the
    daemon runs fetches in a thread pool and httpcore's sync API connects in the calling thread.
    """

    def __init__(self, dial: Dial | None = None, passthrough: Iterable[str] = ()) -> None:
        self._inner = httpcore.SyncBackend()
        self._dial = dial or (lambda ip, port: (ip, port))
        self._passthrough = frozenset(passthrough)  # a configured proxy's own host
        self._local = threading.local()

    @contextmanager
    def pinned(
        self, host: str, addresses: Sequence[str], deadline: float, clock: Callable[[], float]
    ) -> Iterator[None]:
        """Within this block, this thread may connect to `host` only at `addresses`, and every
        socket operation ends by `deadline` (on `clock`)."""
        self._local.pin = (host, tuple(addresses), deadline, clock)
        try:
            yield
        finally:
            self._local.pin = None

    @contextmanager
    def hurry(self, seconds: float) -> Iterator[None]:
        """Within this block this thread's socket operations also end within `seconds`: for
        reading what nobody needs, which must never hold a fetch up."""
        pin = getattr(self._local, "pin", None)
        if pin is None:
            yield
            return
        host, addresses, deadline, clock = pin
        self._local.pin = (host, addresses, min(deadline, clock() + seconds), clock)
        try:
            yield
        finally:
            self._local.pin = pin

    def time_left(self) -> float | None:
        pin = getattr(self._local, "pin", None)
        return None if pin is None else pin[2] - pin[3]()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if host in self._passthrough:
            return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        pin = getattr(self._local, "pin", None)
        if pin is None or pin[0] != host.strip("[]").lower():
            raise httpcore.ConnectError(f"no checked address for {host}; connection refused")
        last: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in pin[1]:
            left = self.time_left()
            if left is not None and left <= 0:
                raise httpcore.ConnectTimeout("fetch deadline passed while connecting")
            real_host, real_port = self._dial(address, port)
            try:
                stream = self._inner.connect_tcp(
                    real_host,
                    real_port,
                    timeout if left is None else min(timeout or left, left),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
                continue
            return _DeadlineStream(stream, self)
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are never used by marsad")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.BaseTransport):
    """httpx's transport interface over httpcore's connection pool on a `PinnedBackend`: the whole
    seam between httpx and the network, built from both libraries' public APIs only.

    TLS is always verified against the system's CA bundle (certifi), never the environment's.
    Redirects are not this layer's business: `Location` is passed through untouched and read by
    the fetcher, which sends through `send` below and so never through httpx's redirect code.
    With `proxy`, connections go to the proxy (an HTTP(S) proxy: plain requests are forwarded,
    https ones tunnelled with CONNECT), which resolves the target's name itself.
    """

    def __init__(self, backend: PinnedBackend, proxy: str | None = None) -> None:
        pool: dict[str, Any] = {
            "ssl_context": httpx.create_ssl_context(verify=True, trust_env=False),
            "max_connections": 100,
            "max_keepalive_connections": 20,
            "keepalive_expiry": 5.0,
            "network_backend": backend,
        }
        self.pool: httpcore.ConnectionPool
        if proxy is None:
            self.pool = httpcore.ConnectionPool(**pool)
            return
        via = httpx.Proxy(proxy)
        if via.url.scheme not in ("http", "https"):
            raise ValueError(f"proxy {via.url}: only http:// and https:// proxies are supported")
        self.pool = httpcore.HTTPProxy(
            proxy_url=httpcore.URL(
                scheme=via.url.raw_scheme,
                host=via.url.raw_host,
                port=via.url.port,
                target=via.url.raw_path,
            ),
            proxy_auth=via.raw_auth,
            proxy_headers=via.headers.raw,
            **pool,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.SyncByteStream):
            raise TypeError("PinnedTransport sends synchronous requests only")
        sent = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        return self._round_trip(sent, request)

    def get(
        self, checked: CheckedURL, headers: Sequence[tuple[bytes, bytes]], timeout: float
    ) -> httpx.Response:
        """The GET `handle_request` would send for `client.build_request("GET", checked.url,
        headers=..., timeout=timeout)`, built without an `httpx.Request`: the same method, URL,
        headers (Host first) and timeouts, byte for byte (`tests/test_transport_direct.py`).
        Parsing a long percent-encoded URL again in httpx cost about as much as the rest of the
        request; `checked` was parsed and normalised once by `crawler.safety.check_url`.
        `headers` are the client's defaults updated with the fetch's own, as httpx merges them
        (`RequestHeaders`). The answer has no `request` (nothing reads it; `send` sets one to
        keep cookies)."""
        target = request_target(checked)
        sent = httpcore.Request(
            method=b"GET",
            url=target.url,
            headers=[(b"Host", target.netloc), *headers],
            extensions={"timeout": dict.fromkeys(("connect", "read", "write", "pool"), timeout)},
        )
        return self._round_trip(sent, None)

    def _round_trip(self, sent: httpcore.Request, request: httpx.Request | None) -> httpx.Response:
        with _as_httpx_errors(request):
            answer = self.pool.handle_request(sent)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_Body(answer, request),
            extensions=answer.extensions,
            request=request,
        )

    def close(self) -> None:
        self.pool.close()


class _Body(httpx.SyncByteStream):
    """An httpcore answer's body as httpx reads it; closing it gives the connection back."""

    def __init__(self, answer: httpcore.Response, request: httpx.Request | None) -> None:
        self.answer, self.request = answer, request

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors(self.request):
            yield from self.answer.iter_stream()

    def close(self) -> None:
        with _as_httpx_errors(self.request):
            self.answer.close()


# httpcore's exceptions as httpx's (the same names): callers catch httpx's only.
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}


@contextmanager
def _as_httpx_errors(request: httpx.Request | None) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        for kind in type(error).__mro__:
            if kind in _HTTPX_ERRORS:
                raise _HTTPX_ERRORS[kind](str(error), request=request) from error
        raise


def pinned_client(
    proxy: str | None, dial: Dial | None, timeout: float
) -> tuple[PinnedBackend, PinnedTransport, httpx.Client]:
    """Our backend, the transport on it, and an httpx client on that transport: environment
    proxies, netrc and certificate variables ignored (`trust_env=False`), `proxy` used only when
    the configuration names one. The client builds requests (headers, cookies, timeouts); they
    are sent with `send`."""
    proxy_host = httpx.URL(proxy).host if proxy else None
    backend = PinnedBackend(dial, passthrough=[proxy_host] if proxy_host else [])
    transport = PinnedTransport(backend, proxy)
    client = httpx.Client(
        transport=transport, follow_redirects=False, trust_env=False, timeout=timeout
    )
    return backend, transport, client


@dataclass(frozen=True)
class Target:
    """Where one request goes, as httpx would spell it: httpcore's URL and the Host header."""

    url: httpcore.URL
    netloc: bytes


# The characters httpx leaves as they are in a path and in a query (`httpx._urlparse`'s
# PATH_SAFE and QUERY_SAFE with the unreserved ones: printable ASCII but for these few; a "%"
# stays as it is whether or not an escape follows). A target made of them alone, with no "."
# or ".." segment for httpx to remove, is sent exactly as `check_url` wrote it.
_PATH_CHARS = "".join(re.escape(chr(i)) for i in range(0x21, 0x7F) if chr(i) not in '"#<>?`{}')
_QUERY_CHARS = "".join(re.escape(chr(i)) for i in range(0x21, 0x7F) if chr(i) not in '"#<>')
_PLAIN_TARGET = re.compile(f"(/[{_PATH_CHARS}]*)(?:\\?[{_QUERY_CHARS}]*)?")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_URL = 65_536  # httpx refuses a longer URL; the fallback lets it say so


def request_target(checked: CheckedURL) -> Target:
    """The scheme, host, port, target and Host header httpx would derive from `checked.url`.

    `check_url` already lowercased and IDNA-encoded the host, wrote IPv6 in brackets, dropped a
    default port and the fragment, and refused whitespace and control characters, so for an
    ASCII target of the characters above httpx's parse is the identity. Anything else (raw
    non-ASCII, a "{", a dot segment, a very long URL) is parsed by httpx as before."""
    origin = checked.origin
    tail = checked.url[len(origin) :]
    plain = _PLAIN_TARGET.fullmatch(tail) if len(checked.url) <= _MAX_URL else None
    if plain is not None and "/." not in plain.group(1):
        port = None if checked.port == _DEFAULT_PORTS[checked.scheme] else checked.port
        url = httpcore.URL(
            scheme=checked.scheme.encode("ascii"),
            host=checked.host.encode("ascii"),
            port=port,
            target=tail.encode("ascii"),
        )
        return Target(url, origin[len(checked.scheme) + 3 :].encode("ascii"))
    parsed = httpx.URL(checked.url)
    url = httpcore.URL(
        scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port, target=parsed.raw_path
    )
    return Target(url, parsed.netloc)


def cookies_may_apply(cookies: httpx.Cookies, host: str) -> bool:
    """Whether the jar holds a cookie that could be sent to `host`: one for the host itself or
    a domain above it (with the ".local" the cookie library adds to a dotless name). It errs on
    the side of yes; a yes builds the request through httpx, which sends exactly the right ones."""
    try:
        for cookie in cookies.jar:
            domain = cookie.domain.lstrip(".").strip("[]").lower()
            if not domain or domain.startswith(host) or host.endswith(domain):
                return True
    except RuntimeError:  # another thread stored a cookie meanwhile: ask httpx
        return True
    return False


class RequestHeaders:
    """A kind of request's fixed headers (a page's, robots.txt's), merged with the client's
    default headers once, as `build_request` would merge them for every request: that merge
    was a tenth of what the fetcher itself spent on a re-check. Per request only the varying
    headers (the conditional GET's validators) are added, after the fixed ones, where httpx's
    merge puts headers the client has no default for. The client's defaults are read once:
    marsad never changes them."""

    def __init__(self, client: httpx.Client, fixed: dict[str, str]) -> None:
        merged = httpx.Headers(client.headers)
        merged.update(fixed)
        self.fixed = dict(fixed)
        self.raw = tuple(merged.raw)
        self._names = frozenset(name.lower() for name, _ in self.raw)

    def given(self, extra: dict[str, str]) -> dict[str, str]:
        """What `build_request` is given for a request with `extra`."""
        return {**self.fixed, **extra} if extra else self.fixed

    def merged(self, client: httpx.Client, extra: dict[str, str]) -> list[tuple[bytes, bytes]]:
        """The headers `build_request` would send with `extra`, but for Host (and Cookie)."""
        encoded = [(name.encode("ascii"), value.encode("ascii")) for name, value in extra.items()]
        if any(name.lower() in self._names for name, _ in encoded):  # one replaces a default
            headers = httpx.Headers(client.headers)
            headers.update(self.given(extra))
            return list(headers.raw)
        return [*self.raw, *encoded]


@contextmanager
def send(
    client: httpx.Client,
    transport: PinnedTransport | None,
    checked: CheckedURL,
    headers: RequestHeaders,
    extra: dict[str, str],
    timeout: float,
) -> Iterator[httpx.Response]:
    """One GET of `checked.url` with `headers` and `extra`, its answer streamed and closed
    after the block.

    On our transport the request goes to it directly: httpx's client, even with redirects off,
    builds the next request from a redirect's `Location` and raises on a hostile one
    (`javascript:...`) before we see the answer; the fetcher checks every `Location` itself.
    Unless a cookie may go with it, the request is not even built by the client
    (`PinnedTransport.get`): its headers are merged as the client merges them, and the URL
    `check_url` already normalised is not parsed a second time. Cookies the server sets are
    kept as `client.send` would keep them. A client given without our transport (a test's
    `MockTransport`) is used as is."""
    request: httpx.Request | None = None
    if transport is not None and not cookies_may_apply(client.cookies, checked.host):
        response = transport.get(checked, headers.merged(client, extra), timeout)
    else:
        request = client.build_request(
            "GET", checked.url, headers=headers.given(extra), timeout=timeout
        )
        if transport is None:
            response = client.send(request, stream=True)
        else:
            response = transport.handle_request(request)
    try:
        if transport is not None and "set-cookie" in response.headers:
            # what client.send would keep (none without one); the jar reads the request's URL
            if request is None:
                request = client.build_request(
                    "GET", checked.url, headers=headers.given(extra), timeout=timeout
                )
                response.request = request
            client.cookies.extract_cookies(response)
        yield response
    finally:
        response.close()
