"""A local replica of the ECCI WordPress site (europarabct.com) built around the seed article.

`ReplicaSite` (in `site`) is the content, the control API and the routing;
`ReplicaServer` serves a site on 127.0.0.1 from a daemon thread and logs every request, so
tests can assert what a crawler asked for.

    with ReplicaServer() as server:
        httpx.get(f"{server.base_url}/?p=95655")      # 301 to the Arabic permalink
        server.site.edit_paragraph(95655, 2, "…")     # served from the next request on

Run `python -m schedules.replica.server --port 8080` to browse it.
"""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from schedules.replica.data import SEED_ID
from schedules.replica.site import ReplicaSite, Response

__all__ = ["ReplicaServer", "ReplicaSite", "RequestRecord", "Response", "main"]


@dataclass(frozen=True)
class RequestRecord:
    """One request as the replica saw it. `path` is the raw request target (with query);
    header names are lowercase."""

    method: str
    path: str
    headers: dict[str, str]
    status: int
    at: float = field(default_factory=time.time)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx pools connections
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms stall
    server_version = "nginx"
    sys_version = ""
    server: _HTTPServer

    def _answer(self) -> None:
        replica = self.server.replica
        response = replica.site.handle(self.command, self.path, dict(self.headers.items()))
        replica.record(
            RequestRecord(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                response.status,
            )
        )
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is `ReplicaServer.requests`


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    replica: ReplicaServer
    connections = 0  # accepted so far: a client that reuses its connection makes one

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)


class ReplicaServer:
    """A `ReplicaSite` on 127.0.0.1 (port 0: a free port), in a daemon thread."""

    def __init__(
        self, site: ReplicaSite | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.site = site or ReplicaSite()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.replica = self
        self.host, self.port = host, int(self._httpd.server_address[1])
        self.base_url = f"http://{self.host}:{self.port}"
        self.site.base_url = self.base_url
        self._requests: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._thread is None:
            # A short poll interval: shutdown() waits for the loop to look, and tests stop often.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(0.02,), name="replica", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        return self._httpd.connections

    def record(self, entry: RequestRecord) -> None:
        with self._log_lock:
            self._requests.append(entry)

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        with self._log_lock:
            return list(self._requests)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve the ECCI replica site for a human to browse."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--posts", type=int, default=30, help="generated posts besides the seed")
    args = parser.parse_args(argv)
    server = ReplicaServer(
        ReplicaSite(extra_posts=args.posts), host=args.host, port=args.port
    ).start()
    print(f"replica at {server.base_url}/?p={SEED_ID}  (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
