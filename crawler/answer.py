"""Reading one HTTP answer into a `Fetched`: what each status means, the size cap, the content
types a fetch reads, and decoding. Pure but for the response stream it reads, so `crawler.fetch`
keeps the walk (redirects, retries, politeness) and this module the meaning of one answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

from crawler.decode import (
    BadEncoding,
    BoundedDecoder,
    TooLarge,
    decode_html,
    parse_content_type,
    parse_encodings,
    unsupported_type,
)
from crawler.models import Fetched, Hop, Validators
from crawler.politeness import parse_retry_after
from crawler.robots import ROBOTS_MAX_BYTES
from crawler.safety import CheckedURL, Refused
from crawler.settings import FetchSettings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SHORT_BODY = (
    65_536  # bytes: an error page or a redirect's note worth reading to keep the connection
)
_SNIFF_BYTES = 512


class Retry(Exception):
    """One attempt failed in a way that may pass: 5xx, 429, timeouts, broken connections."""

    def __init__(
        self,
        error_class: str,
        message: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.error_class, self.message = error_class, message
        self.status, self.retry_after = status, retry_after


@dataclass
class Run:
    """What one `fetch` has gathered so far, to build its `Fetched` whatever happens."""

    url: str
    clock: Callable[[], float]
    started: float
    current: str
    hops: list[Hop] = field(default_factory=list)
    retries: int = 0
    deadline: float | None = None
    accept: tuple[str, ...] = ()  # content types allowed for this fetch besides the settings'

    def result(self, outcome: str, **fields: Any) -> Fetched:
        elapsed = int((self.clock() - self.started) * 1000)
        return Fetched(
            url=self.url,
            final_url=self.current,
            outcome=outcome,  # type: ignore[arg-type]
            redirects=tuple(self.hops),
            retries=self.retries,
            elapsed_ms=elapsed,
            **fields,
        )

    def refused(self, error: Refused, **fields: Any) -> Fetched:
        return self.result("skipped", error_class=error.error_class, error=str(error), **fields)

    def failed(self, error_class: str, message: str, **fields: Any) -> Fetched:
        return self.result("error", error_class=error_class, error=message, **fields)


def read_answer(
    run: Run,
    checked: CheckedURL,
    response: httpx.Response,
    validators: Validators | None,
    settings: FetchSettings,
) -> Fetched | str:
    """One hop's answer: a redirect's absolute target, a `Fetched`, or `Retry` raised for an
    answer that may pass (5xx, 429, a deadline passed while reading)."""
    status = response.status_code
    got = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
    if status in REDIRECT_STATUSES:
        location = response.headers.get("location")
        if not location:
            return run.failed(
                "HTTPStatus",
                f"HTTP {status} without Location from {checked.url}",
                status=status,
            )
        target: str = urljoin(checked.url, location.strip())
        run.hops.append(Hop(url=checked.url, status=status, location=target))
        return target
    common: dict[str, Any] = {
        "status": status,
        "content_type": response.headers.get("content-type"),
    }
    if status == 304:
        sent = validators or Validators()
        kept = Validators(got.etag or sent.etag, got.last_modified or sent.last_modified)
        return run.result("not_modified", validators=kept, **common)
    if status in (429, 503):
        wait = parse_retry_after(response.headers.get("retry-after"), run.clock())
        raise Retry("HTTPStatus", f"HTTP {status} from {checked.url}", status, wait)
    if status >= 500:
        raise Retry("HTTPStatus", f"HTTP {status} from {checked.url}", status)
    if status >= 300:
        return run.failed("HTTPStatus", f"HTTP {status} from {checked.url}", **common)
    return _read_page(run, checked, response, got, common, settings)


def finish_short_body(response: httpx.Response) -> None:
    """Read to its end an answer whose body nobody needs (a 304, a redirect, a 4xx page) when it
    is short, so the connection goes back to the pool: httpx closes a connection whose answer
    was left unread, and each re-check of an unchanged page, each short link's redirect, then
    paid a new TCP (and TLS) handshake. A page (2xx) is read by `_read_page`; a body of unknown
    or large size, or from a server in trouble (5xx, 429: it is backed off anyway), is left, and
    the connection with it. Call it within `PinnedBackend.hurry`: a failure or a slow body here
    only costs the connection, never the answer."""
    status = response.status_code
    if 200 <= status < 300 and status != 204 or status >= 500 or status == 429:
        return
    length = response.headers.get("content-length", "")
    if status not in (204, 304) and not (length.isdigit() and int(length) <= SHORT_BODY):
        return
    try:
        for _ in response.iter_raw():
            pass
    except (httpx.TransportError, httpx.StreamError):
        pass


def _read_page(
    run: Run,
    checked: CheckedURL,
    response: httpx.Response,
    got: Validators,
    common: dict[str, Any],
    settings: FetchSettings,
) -> Fetched:
    assert run.deadline is not None
    cap = settings.max_bytes
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        return run.failed(
            "TooLarge",
            f"{checked.url} announces {int(length)} bytes, over the {cap} byte cap; not read",
            **common,
        )
    mime, charset = parse_content_type(response.headers.get("content-type"))
    allowed = settings.allowed_content_types + run.accept
    if mime and mime not in allowed:
        return run.result(
            "skipped",
            error_class="UnsupportedContentType",
            error=f"skipped {checked.url}: content type {mime} is not a page",
            **common,
        )
    body, received, sniffed = bytearray(), 0, False
    try:
        decoder = BoundedDecoder(parse_encodings(response.headers.get("content-encoding")), cap)
        for chunk in response.iter_raw():
            received += len(chunk)
            body += decoder.feed(chunk)
            if not sniffed and len(body) >= _SNIFF_BYTES:
                sniffed = True
                if reason := _refusal(run, mime, bytes(body[:_SNIFF_BYTES])):
                    return run.result(
                        "skipped",
                        error_class="UnsupportedContentType",
                        error=f"skipped {checked.url}: {reason}",
                        bytes=received,
                        **common,
                    )
            if run.clock() >= run.deadline:
                raise Retry("Timeout", late_message(checked, settings))
    except TooLarge as error:
        return run.failed("TooLarge", f"{checked.url}: {error}; not kept", bytes=received, **common)
    except BadEncoding as error:
        return run.failed("BadEncoding", f"{checked.url}: {error}", **common)
    if not sniffed and (reason := _refusal(run, mime, bytes(body[:_SNIFF_BYTES]))):
        return run.result(
            "skipped",
            error_class="UnsupportedContentType",
            error=f"skipped {checked.url}: {reason}",
            bytes=received,
            **common,
        )
    if _gzip_accepted(run) and body[:2] == GZIP_MAGIC:
        try:  # a `.xml.gz` sitemap served as a file, not with Content-Encoding
            gunzip = BoundedDecoder(["gzip"], cap)
            body = bytearray(gunzip.feed(bytes(body)))
        except TooLarge as error:
            return run.failed("TooLarge", f"{checked.url}: {error}; not kept", **common)
        except BadEncoding as error:
            return run.failed("BadEncoding", f"{checked.url}: {error}", **common)
    decoded = decode_html(bytes(body), charset)
    return run.result(
        "ok",
        body=decoded.text,
        decoded_from=None if decoded.utf8 is None else (decoded.text, decoded.utf8),
        encoding=decoded.encoding,
        replaced_chars=decoded.replaced,
        validators=got,
        bytes=received,
        **common,
    )


def late_message(checked: CheckedURL, settings: FetchSettings) -> str:
    return (
        f"no complete answer from {checked.url} within the {settings.deadline:g} s fetch deadline"
    )


GZIP_MAGIC = b"\x1f\x8b"
GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})


def _gzip_accepted(run: Run) -> bool:
    return bool(GZIP_TYPES.intersection(run.accept))


def _refusal(run: Run, mime: str | None, head: bytes) -> str | None:
    """Why the body is not something this fetch reads, or None. Types in `run.accept` pass, and
    gzip bytes pass when gzip was asked for."""
    if _gzip_accepted(run) and head[:2] == GZIP_MAGIC:
        return None
    if mime and mime in run.accept:
        return unsupported_type(None, head)
    return unsupported_type(mime, head)


def read_robots_body(response: httpx.Response) -> str:
    decoder = BoundedDecoder(
        parse_encodings(response.headers.get("content-encoding")), ROBOTS_MAX_BYTES
    )
    body = bytearray()
    try:
        for chunk in response.iter_raw():
            body += decoder.feed(chunk)
    except TooLarge:
        pass  # RFC 9309 §2.5: content past the limit may be ignored
    return body.decode("utf-8", errors="replace")


TRANSPORT_TEXT = {
    "ConnectError": "could not connect for",
    "ReadError": "connection broken while reading",
    "ProtocolError": "malformed or truncated answer from",
}


def one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else error.__class__.__name__
