"""The connection side of address safety: our resolver, and an httpx client whose connections go
only to addresses `crawler.safety` checked, each socket operation bounded by the fetch deadline.
"""

from __future__ import annotations

import concurrent.futures
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from crawler.safety import Dial, DNSError


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


LOCATION_HEADER = "x-marsad-location"


class _PinnedTransport(httpx.HTTPTransport):
    """Hides `Location` from httpx: even with redirects off, httpx builds the next request from it
    and raises on a hostile value (`javascript:...`) before we see the response. The fetcher reads
    it back from `LOCATION_HEADER` and checks it itself."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if "location" in response.headers:
            response.headers[LOCATION_HEADER] = response.headers["location"]
            del response.headers["location"]
        return response


def pinned_client(
    proxy: str | None, dial: Dial | None, timeout: float
) -> tuple[PinnedBackend, httpx.Client]:
    """An httpx client on a `PinnedBackend`: TLS always verified, environment proxies and netrc
    ignored (`trust_env=False`), `proxy` used only when the configuration names one.

    httpx has no public way to give `HTTPTransport` a network backend, so we swap the pool it
    built for an identical one on ours (httpx 0.28; tests/test_fetch_safety.py proves the swap).
    """
    proxy_host = httpx.URL(proxy).host if proxy else None
    backend = PinnedBackend(dial, passthrough=[proxy_host] if proxy_host else [])
    transport = _PinnedTransport(verify=True, trust_env=False, proxy=proxy, retries=0)
    old = transport._pool
    ssl_context = old._ssl_context
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
    common: dict[str, Any] = {
        "ssl_context": ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
        "network_backend": backend,
    }
    if proxy is None:
        transport._pool = httpcore.ConnectionPool(**common)
    else:
        proxied = httpx.Proxy(proxy)
        transport._pool = httpcore.HTTPProxy(
            proxy_url=httpcore.URL(
                scheme=proxied.url.raw_scheme,
                host=proxied.url.raw_host,
                port=proxied.url.port,
                target=proxied.url.raw_path,
            ),
            proxy_auth=proxied.raw_auth,
            proxy_headers=proxied.headers.raw,
            **common,
        )
    old.close()
    client = httpx.Client(
        transport=transport, follow_redirects=False, trust_env=False, timeout=timeout
    )
    return backend, client
