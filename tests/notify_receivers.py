"""Real receivers for notification tests, on 127.0.0.1: an HTTP server taking webhooks (and
checking their HMAC the way docs/notifications.md tells receivers to), and an SMTP server
(aiosmtpd) with a password, as a mail relay would have."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signed_ok: bool | None  # None: no signature header

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers 500 to the first `fail_first` requests on a path, never answers on paths in
    `hang`, and otherwise 200; `received` keeps every request that was answered 200."""

    secret: str | None = None
    fail_first: dict[str, int] = field(default_factory=dict)
    hang: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    attempts: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._closing = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                path = self.path
                with receiver._lock:
                    receiver.attempts.setdefault(path, []).append(time.monotonic())
                    failures = receiver.fail_first.get(path, 0)
                    if failures:
                        receiver.fail_first[path] = failures - 1
                if path in receiver.hang:
                    receiver._closing.wait(60)
                    return
                if failures:
                    self.send_response(500)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.received.append(
                        Received(
                            path,
                            dict(self.headers.items()),
                            body,
                            receiver.verify(self.headers, body),
                        )
                    )
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def verify(self, headers: Any, body: bytes) -> bool | None:
        """What docs/notifications.md asks of a receiver: recompute, compare in constant time."""
        sent = headers.get("X-Marsad-Signature")
        if sent is None or self.secret is None:
            return None
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(sent, expected)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def on(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def wait_for(self, path: str, count: int, timeout: float = 10.0) -> list[Received]:
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(self.on(path)) < count:
            time.sleep(0.02)
        return self.on(path)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()


class MailRelay:
    """aiosmtpd on 127.0.0.1 with AUTH LOGIN/PLAIN for one user (no TLS: loopback only)."""

    def __init__(self, user: str, password: str) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[EmailMessage] = []
        relay = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                relay.messages.append(
                    message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
                )
                return "250 OK"

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
        ) -> AuthResult:
            ok = auth_data.login == user.encode() and auth_data.password == password.encode()
            return AuthResult(success=ok)

        with socket.socket() as probe:  # Controller checks readiness by connecting: no port 0
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=free,
            authenticator=authenticator,
            auth_require_tls=False,
        )

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(self.messages) < count:
            time.sleep(0.02)
        return list(self.messages)
