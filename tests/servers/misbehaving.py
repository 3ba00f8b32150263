"""A server on 127.0.0.1 whose resources misbehave on purpose (after scrapy's mockserver).

It speaks HTTP/1.1 by hand over raw sockets, so it can do what no polite framework lets it:
drip bytes, reset mid-body, break chunked encoding, lie about lengths and types. Every response
closes the connection. Tests steer it through `robots`, `pages` and `counts`, and read `hits`.

Paths (query parameters in brackets):
  /page, /article          an Arabic UTF-8 page with ETag and Last-Modified; honours both validators
  /hang                    accepts, reads the request, never answers
  /drip                    headers, then one body byte a second
  /drip-headers            one header byte a second
  /reset                   promises 100,000 bytes, sends 500, then a TCP reset
  /truncated-chunked       a chunk that announces 4,096 bytes and sends 10
  /status/N[?retry_after=V]   status N (500, 502, 503, 429...) with an optional Retry-After
  /flaky/N[?times=K&retry_after=V]  status N for the first K requests, then the page
  /redirect/N              N redirects in a row, ending at /page
  /loop/a, /loop/b         redirect to each other
  /redirect-to?url=U       302 to U, verbatim
  /big                     50 MB of HTML, chunked, no Content-Length
  /huge-length             Content-Length: 50 GB
  /gzip-layers             60 gzip layers, each named in Content-Encoding
  /gzip-in-gzip            60 gzip layers, one named in Content-Encoding
  /gzip-bomb               gzip that inflates to 1 GB, streamed (about 1 MB on the wire)
  /brotli-bomb             brotli that inflates to 1 GB
  /pdf, /png, /pdf-as-html binary answers, the last one labelled text/html
  /nested                  100,000 nested <div>s
  /unclosed                an article followed by 40,000 "<a" that never close
  /many-edits              3,000 short paragraphs, all different at every request
  /cp1256-meta, /cp1256-none, /cp1256-wrong, /cp1256-latin1, /utf8-bom   charset cases
  /wp-post[?api=U]         a WordPress post whose `<link rel="https://api.w.org/">` names U
"""

from __future__ import annotations

import functools
import gzip
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlsplit

SEED = next((Path(__file__).resolve().parents[2] / "seeds").glob("000_*.txt"))
ARABIC = SEED.read_text(encoding="utf-8").splitlines()[1]  # one real paragraph of the seed
ETAG = '"v1-95655"'
LAST_MODIFIED = "Tue, 04 Jun 2024 10:00:00 GMT"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 2048


def arabic_page(charset_meta: str | None = None, body: str = ARABIC) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head>{meta}<title>مرصد</title></head>'
        f"<body><article><h1>خاص</h1><p>{body}</p></article></body></html>"
    )


def many_edits(round_: int) -> str:
    """A page of 3,000 short paragraphs, every one different from the last request's."""
    paragraphs = "".join(
        f"<p>فقرة {n} في النسخة {round_} رقم {n * round_}</p>" for n in range(3000)
    )
    return (
        '<!doctype html><html lang="ar" dir="rtl"><head><title>تعديلات</title></head>'
        f'<body><div class="entry-content">{paragraphs}</div></body></html>'
    )


def wp_post(api_root: str) -> str:
    """A WordPress post (body class `postid-7`) announcing its REST API root at `api_root`."""
    page = arabic_page("utf-8")
    link = f'<link rel="https://api.w.org/" href="{api_root}">'
    return page.replace("<head>", "<head>" + link).replace(
        "<body>", '<body class="single postid-7">'
    )


class Request:
    def __init__(self, method: str, target: str, headers: dict[str, str]) -> None:
        self.method, self.target, self.headers = method, target, headers
        split = urlsplit(target)
        self.path = split.path
        self.query = {k: v[0] for k, v in parse_qs(split.query).items()}


class _Handler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                piece = sock.recv(4096)
                if not piece:
                    return
                data += piece
        except OSError:
            return
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target, _ = (head[0].split(" ") + ["", ""])[:3]
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        request = Request(method, target, headers)
        owner = self.server.owner
        with owner.lock:
            owner.hits.append(request)
            owner.counts[request.path] = owner.counts.get(request.path, 0) + 1
        try:
            owner.route(request, sock)
        except OSError:
            pass  # the client hung up, which is often the point


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: MisbehavingServer


def _head(status: int, headers: dict[str, str] | list[tuple[str, str]]) -> bytes:
    items = headers.items() if isinstance(headers, dict) else headers
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in items] + ["Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def send(
    sock: socket.socket, status: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> None:
    all_headers = {"Content-Length": str(len(body)), **(headers or {})}
    sock.sendall(_head(status, all_headers) + body)


def _chunked(
    sock: socket.socket, status: int, headers: dict[str, str], pieces: Iterator[bytes]
) -> None:
    sock.sendall(_head(status, {**headers, "Transfer-Encoding": "chunked"}))
    for piece in pieces:
        sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
    sock.sendall(b"0\r\n\r\n")


BOMB_BLOCK = (b"<p>" + b"a" * 1020 + b"</p>") * 1024  # 1 MiB of harmless-looking HTML


def gzip_bomb_pieces(total: int = 1 << 30) -> Iterator[bytes]:
    """A valid gzip stream that inflates to `total` bytes of HTML, built from one compressed block
    repeated: after a full flush deflate starts afresh, so equal blocks compress to equal bytes.
    About 1 MB on the wire, and nothing large is ever held in memory."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    one = squeeze.compress(BOMB_BLOCK) + squeeze.flush(zlib.Z_FULL_FLUSH)
    blocks = total // len(BOMB_BLOCK)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    for _ in range(blocks):
        yield one
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(BOMB_BLOCK, crc)
    yield zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush() + struct.pack(
        "<II", crc, total & 0xFFFFFFFF
    )


@functools.cache
def brotli_bomb(total: int = 1 << 30) -> bytes:
    """Brotli that inflates to `total` bytes of HTML (a few KB; built once, about a second)."""
    import brotli

    squeeze = brotli.Compressor(quality=1)
    out = bytearray()
    for _ in range(total // len(BOMB_BLOCK)):
        out += squeeze.process(BOMB_BLOCK)
    return bytes(out + squeeze.finish())


class MisbehavingServer:
    """Start with `with MisbehavingServer() as server:`; `server.url("/page")` is the address."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: list[Request] = []
        self.counts: dict[str, int] = {}
        self.robots: tuple[int, str] = (200, "User-agent: *\nAllow: /\n")
        self.robots_for_host: dict[str, tuple[int, str]] = {}
        self.robots_location: str | None = None  # robots.txt answers 302 to it when set
        self._stop = threading.Event()
        self._tcp = _TCPServer(("127.0.0.1", 0), _Handler)
        self._tcp.owner = self
        self.port = self._tcp.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._tcp.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._tcp.shutdown()
        self._tcp.server_close()

    def page_hits(self) -> list[Request]:
        return [hit for hit in self.hits if hit.path != "/robots.txt"]

    def route(self, request: Request, sock: socket.socket) -> None:
        path, q = request.path, request.query
        if path == "/robots.txt":
            host = request.headers.get("host", "").split(":")[0]
            if self.robots_location:
                return send(sock, 302, headers={"Location": self.robots_location})
            status, text = self.robots_for_host.get(host, self.robots)
            return send(sock, status, text.encode(), {"Content-Type": "text/plain"})
        if path in ("/page", "/article"):
            return self._page(request, sock)
        simple: dict[str, Callable[[], None]] = {
            "/hang": lambda: self._stop.wait(5),
            "/drip": lambda: self._drip(sock, body=True),
            "/drip-headers": lambda: self._drip(sock, body=False),
            "/redirect-drip": lambda: self._drip_redirect(sock),
            "/reset": lambda: self._reset(sock),
            "/truncated-chunked": lambda: sock.sendall(
                _head(200, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"})
                + b"a\r\n<html><p>x\r\n1000\r\n<p>cut off"
            ),
            "/loop/a": lambda: send(sock, 302, headers={"Location": "/loop/b"}),
            "/loop/b": lambda: send(sock, 302, headers={"Location": "/loop/a"}),
            "/redirect-to": lambda: send(sock, 302, headers={"Location": q["url"]}),
            "/big": lambda: _chunked(
                sock,
                200,
                {"Content-Type": "text/html"},
                (b"<p>" + b"x" * 65533 for _ in range(800)),
            ),
            "/huge-length": lambda: send(
                sock, 200, b"<html>", {"Content-Type": "text/html", "Content-Length": "50000000000"}
            ),
            "/gzip-layers": lambda: self._layers(sock, named=60),
            "/gzip-in-gzip": lambda: self._layers(sock, named=1),
            "/gzip-bomb": lambda: _chunked(
                sock,
                200,
                {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                gzip_bomb_pieces(),
            ),
            "/brotli-bomb": lambda: send(
                sock, 200, brotli_bomb(), {"Content-Type": "text/html", "Content-Encoding": "br"}
            ),
            "/pdf": lambda: send(sock, 200, PDF, {"Content-Type": "application/pdf"}),
            "/png": lambda: send(sock, 200, PNG, {"Content-Type": "image/png"}),
            "/pdf-as-html": lambda: send(sock, 200, PDF, {"Content-Type": "text/html"}),
            "/nested": lambda: send(
                sock,
                200,
                (
                    "<html><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000 + "</body></html>"
                ).encode(),
                {"Content-Type": "text/html; charset=utf-8"},
            ),
            "/cp1256-meta": lambda: self._html(sock, arabic_page("windows-1256").encode("cp1256")),
            "/cp1256-none": lambda: self._html(sock, arabic_page().encode("cp1256")),
            "/cp1256-wrong": lambda: self._html(sock, arabic_page("utf-8").encode("cp1256")),
            "/cp1256-latin1": lambda: self._html(
                sock, arabic_page().encode("cp1256"), "text/html; charset=iso-8859-1"
            ),
            "/iso8859-6-none": lambda: self._html(
                sock, arabic_page().encode("iso-8859-6", errors="ignore")
            ),
            "/utf8-bom": lambda: self._html(sock, b"\xef\xbb\xbf" + arabic_page().encode()),
            "/wp-post": lambda: self._html(sock, wp_post(q.get("api", "/wp-json/")).encode()),
            # issue 18: an article followed by 40,000 unclosed tags (the old pre-scan rescanned
            # the rest of the body from every "<"), and 3,000 short blocks that all change at
            # every request (the old diff paired each new block with every old one).
            "/unclosed": lambda: self._html(
                sock, arabic_page(body=ARABIC + "<a" * 40_000).encode()
            ),
            "/many-edits": lambda: self._html(sock, many_edits(self.counts[path]).encode()),
        }
        if path in simple:
            return simple[path]()
        parts = path.strip("/").split("/")
        if parts[0] == "status" and len(parts) == 2:
            return self._status(sock, int(parts[1]), q.get("retry_after"))
        if parts[0] == "flaky" and len(parts) == 2:
            if self.counts[path] <= int(q.get("times", "1")):
                return self._status(sock, int(parts[1]), q.get("retry_after"))
            return self._page(request, sock)
        if parts[0] == "redirect" and len(parts) == 2:
            left = int(parts[1])
            return send(
                sock, 302, headers={"Location": f"/redirect/{left - 1}" if left > 1 else "/page"}
            )
        return send(sock, 404, b"not here", {"Content-Type": "text/plain"})

    def _page(self, request: Request, sock: socket.socket) -> None:
        headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        if (
            request.headers.get("if-none-match") == ETAG
            or request.headers.get("if-modified-since") == LAST_MODIFIED
        ):
            return send(sock, 304, headers=headers)
        self._html(sock, arabic_page("utf-8").encode(), headers=headers)

    def _html(
        self,
        sock: socket.socket,
        body: bytes,
        content_type: str = "text/html",
        headers: dict[str, str] | None = None,
    ) -> None:
        send(sock, 200, body, {"Content-Type": content_type, **(headers or {})})

    def _status(self, sock: socket.socket, status: int, retry_after: str | None) -> None:
        headers = {"Content-Type": "text/plain"}
        if retry_after is not None:
            # a number is seconds; "date:EPOCH" asks for that moment as an HTTP-date
            headers["Retry-After"] = (
                formatdate(float(retry_after[5:]), usegmt=True)
                if retry_after.startswith("date:")
                else retry_after
            )
        send(sock, status, b"busy", headers)

    def _drip(self, sock: socket.socket, body: bool) -> None:
        text = _head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
        if body:
            sock.sendall(text)
            text = b"<html>" + b"x" * 1000
        for byte in text:
            if self._stop.wait(1.0 if body else 0.5):
                return
            sock.sendall(bytes([byte]))

    def _drip_redirect(self, sock: socket.socket) -> None:
        """A redirect to /page whose short note of a body comes one byte a second."""
        sock.sendall(_head(302, {"Location": "/page", "Content-Length": "100"}))
        for _ in range(100):
            if self._stop.wait(1.0):
                return
            sock.sendall(b"x")

    def _reset(self, sock: socket.socket) -> None:
        sock.sendall(
            _head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
            + b"<html><p>"
            + b"x" * 500
        )
        time.sleep(0.05)
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def _layers(self, sock: socket.socket, named: int) -> None:
        body = arabic_page("utf-8").encode()
        for _ in range(60):
            body = gzip.compress(body, compresslevel=1)
        encoding = ", ".join(["gzip"] * named)
        send(sock, 200, body, {"Content-Type": "text/html", "Content-Encoding": encoding})


class FakeClock:
    """Wall clock and sleep for the fetcher: sleeping only moves the clock, and is recorded."""

    def __init__(self, now: float = 1_717_500_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds
