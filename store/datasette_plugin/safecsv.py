"""Datasette's own CSV (`.csv`, `?_format=csv`, streamed or not) with formula cells made text,
as `marsad export --excel` writes them (`store.export.spreadsheet_text`).

Datasette 0.65 writes CSV inside its table view, where no renderer hook reaches, so this is an
ASGI wrapper around the app: it re-reads the CSV body record by record as it streams past (a
record ends at a CRLF outside quotes; `"`, CR and LF are ASCII, so bytes can be scanned without
decoding) and writes each record back with its formula cells quoted by a leading `'`. Any
other answer passes through untouched.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from store.export import spreadsheet_text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


BOM = "\ufeff".encode()
# `?_excel=1` on any CSV address (the "CSV for Excel" link): a UTF-8 byte-order mark first, so
# Excel reads the Arabic as UTF-8 instead of the system's code page.
EXCEL_ARG = "_excel"


def wants_excel(scope: Scope) -> bool:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get(EXCEL_ARG, ["0"])[-1] not in ("", "0")


def wants_csv(scope: Scope) -> bool:
    if scope.get("type") != "http":
        return False
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return str(scope.get("path", "")).endswith(".csv") or query.get("_format") == ["csv"]


def safe_csv(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if not wants_csv(scope):
            await app(scope, receive, send)
            return
        records = _Records()
        rewriting = False
        bom = wants_excel(scope)

        async def rewrite(message: Message) -> None:
            nonlocal rewriting, bom
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                rewriting = kind.startswith((b"text/csv", b"text/plain"))
                if rewriting:  # the length changes with every quoted cell
                    message["headers"] = [(k, v) for k, v in headers
                                          if k.lower() != b"content-length"]  # fmt: skip
            elif message["type"] == "http.response.body" and rewriting:
                more = message.get("more_body", False)
                message["body"] = records.feed(message.get("body", b""), final=not more)
                if bom:
                    message["body"], bom = BOM + message["body"], False
            await send(message)

        await app(scope, receive, rewrite)

    return wrapped


_QUOTE_OR_LF = re.compile(b'["\n]')


class _Records:
    """Complete CSV records out of a stream of byte chunks, with formula cells made text."""

    def __init__(self) -> None:
        self.pending = b""
        self.quoted = False  # inside a quoted field at the end of `pending`
        self.scanned = 0

    def feed(self, chunk: bytes, *, final: bool) -> bytes:
        self.pending += chunk
        out: list[bytes] = []
        start, data = 0, self.pending
        for found in _QUOTE_OR_LF.finditer(data, self.scanned):
            if found.group() == b'"':  # an escaped "" toggles twice, leaving the state as it was
                self.quoted = not self.quoted
            elif not self.quoted:  # LF ending a record (CRLF or a bare LF)
                out.append(_safe_record(data[start : found.end()]))
                start = found.end()
        self.pending, self.scanned = data[start:], len(data) - start
        if final and self.pending:
            out.append(_safe_record(self.pending))
            self.pending, self.scanned = b"", 0
        return b"".join(out)


def _safe_record(raw: bytes) -> bytes:
    text = raw.decode("utf-8", errors="surrogateescape")
    ending = text[len(text.rstrip("\r\n")) :]
    cells = next(csv.reader([text[: len(text) - len(ending)]]), [])
    safe = [spreadsheet_text(cell) for cell in cells]
    if safe == cells:
        return raw
    out = io.StringIO()
    csv.writer(out, lineterminator=ending).writerow(safe)
    return out.getvalue().encode("utf-8", errors="surrogateescape")
