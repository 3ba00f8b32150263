"""Bytes to text, bounded: Content-Encoding layers, content-type sniffing, charset decoding.

Pure functions and one small stateful decoder, no network: the fetcher feeds raw bytes in.
"""

from __future__ import annotations

import codecs
import re
import threading
import zlib
from dataclasses import dataclass

import charset_normalizer

try:  # brotli is a dependency, but a broken wheel must not take fetching down with it
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

ACCEPT_ENCODING = "gzip, deflate, br" if brotli is not None else "gzip, deflate"
_ERRORS: tuple[type[Exception], ...] = (zlib.error,) + ((brotli.error,) if brotli else ())
MAX_ENCODING_LAYERS = 2  # real servers use one; two covers a proxy re-compressing; more is a trap


class TooLarge(Exception):
    """The decoded body grew past the cap."""


class BadEncoding(Exception):
    """A Content-Encoding we did not advertise, too many layers, or corrupt compressed data."""


def parse_encodings(header: str | None) -> list[str]:
    """The Content-Encoding layers in the order the server applied them; refuses what we did not
    advertise (RFC 9110 §8.4: the client names what it accepts) and more than two layers."""
    layers = [part.strip().lower() for part in (header or "").split(",")]
    layers = [layer for layer in layers if layer and layer != "identity"]
    accepted = {"gzip", "x-gzip", "deflate"} | ({"br"} if brotli is not None else set())
    for layer in layers:
        if layer not in accepted:
            raise BadEncoding(f"Content-Encoding {layer!r} was not asked for")
    if len(layers) > MAX_ENCODING_LAYERS:
        raise BadEncoding(f"{len(layers)} Content-Encoding layers (at most {MAX_ENCODING_LAYERS})")
    return layers


class _Layer:
    """One decompression step that never produces more than `limit` bytes per call."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._brotli = brotli.Decompressor() if name == "br" else None
        wbits = 16 + zlib.MAX_WBITS if name in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._zlib = None if self._brotli else zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            if self._brotli is not None:
                return bytes(self._brotli.process(data, output_buffer_limit=limit))
            assert self._zlib is not None
            if not self._started and self.name == "deflate" and data:
                # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
                self._started = True
                if data[0] & 0x0F != 8:
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            data = self._zlib.unconsumed_tail + data
            return self._zlib.decompress(data, limit)
        except _ERRORS as error:
            raise BadEncoding(f"corrupt {self.name} data: {error}") from None

    def pending(self) -> bool:
        if self._brotli is not None:
            return not self._brotli.can_accept_more_data()
        return bool(self._zlib is not None and self._zlib.unconsumed_tail)


class BoundedDecoder:
    """Undoes Content-Encoding layers as chunks arrive, raising `TooLarge` as soon as the decoded
    size passes `limit`: memory stays near `limit` whatever the compression ratio (gzip bombs)."""

    def __init__(self, layers: list[str], limit: int) -> None:
        self._layers = [_Layer(name) for name in reversed(layers)]  # undo the last applied first
        self.limit = limit
        self.size = 0

    def feed(self, chunk: bytes) -> bytes:
        out = self._through(0, chunk)
        self.size += len(out)
        if self.size > self.limit:
            raise TooLarge(f"body over {self.limit} bytes once decompressed")
        return out

    def _through(self, index: int, data: bytes) -> bytes:
        if index == len(self._layers):
            return data
        layer = self._layers[index]
        room = self.limit - self.size + 1
        produced = bytearray()
        piece = layer.feed(data, room)
        while True:
            produced += self._through(index + 1, piece)
            if len(produced) + self.size > self.limit or not layer.pending():
                break
            piece = layer.feed(b"", room)
        return bytes(produced)


ALLOWED_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
)

_MAGIC = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"%!PS", "PostScript"),
)


def parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """`text/html; charset=windows-1256` → ("text/html", "windows-1256")."""
    if not header:
        return None, None
    mime, _, params = header.partition(";")
    match = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", params, re.IGNORECASE)
    return mime.strip().lower() or None, match.group(1) if match else None


def sniff_binary(head: bytes) -> str | None:
    """What non-text thing the first bytes are, whatever the Content-Type claimed."""
    stripped = head.lstrip(b" \t\r\n")
    for magic, name in _MAGIC:
        if stripped.startswith(magic):
            return name
    if stripped[8:12] == b"WEBP" and stripped.startswith(b"RIFF"):
        return "WebP image"
    if b"\x00" in head[:1024] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary data"
    return None


def unsupported_type(mime: str | None, head: bytes) -> str | None:
    """Why a response is not a page we extract (one phrase), or None when it is."""
    sniffed = sniff_binary(head)
    if sniffed:
        claimed = f" although served as {mime}" if mime else ""
        return f"body is {sniffed}{claimed}"
    if mime and mime not in ALLOWED_TYPES and not mime.endswith("+xml"):
        return f"content type {mime} is not a page"
    return None


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int
    source: str  # "bom", "http", "meta", "detected" or "default": how we chose
    # The bytes `text` was decoded from when they are exactly its UTF-8 (UTF-8 decoded with
    # nothing replaced), so a check need not encode the text again to hash and store it.
    utf8: bytes | None = None


def _as_decoded(text: str, encoding: str, replaced: int, source: str, raw: bytes) -> Decoded:
    exact = encoding == "utf-8" and not replaced
    return Decoded(text, encoding, replaced, source, raw if exact else None)


_META = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:-]+)", re.IGNORECASE)
# WHATWG Encoding Standard maps these labels to windows-1252; Python's latin-1 would not.
_LATIN_LABELS = {
    "iso-8859-1",
    "iso8859-1",
    "latin1",
    "latin-1",
    "l1",
    "ascii",
    "us-ascii",
    "windows-1252",
    "cp1252",
    "iso_8859-1",
}
_ARABIC = re.compile("[\u0621-\u064a]")
_counter = threading.local()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _counter.n = getattr(_counter, "n", 0) + (error.end - error.start)
    return "\ufffd", error.end


codecs.register_error("marsad-count", _count_and_replace)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _LATIN_LABELS:
        return "cp1252"
    if label in ("x-user-defined",):
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _decode(body: bytes, encoding: str) -> tuple[str, int]:
    _counter.n = 0
    text = body.decode(encoding, errors="marsad-count")
    return text, _counter.n


def _looks_wrong(body: bytes, text: str, replaced: int, encoding: str) -> bool:
    """A declaration is wrong when it leaves many bytes undecodable, or when it is a Latin
    single-byte charset (which decodes anything) over bytes that detection reads as Arabic."""
    if replaced > max(8, len(text) // 200):
        return True
    if encoding == "cp1252" and not body.isascii() and not _ARABIC.search(text):
        guess = charset_normalizer.from_bytes(body).best()
        return guess is not None and bool(_ARABIC.search(str(guess)))
    return False


def decode_html(body: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a page: BOM, then the HTTP charset, then `<meta>` in the first 4 KB, then detection.

    The BOM goes first, as in the WHATWG Encoding Standard: it cannot be there by accident and
    servers' headers often are. A declaration that is plainly wrong (see `_looks_wrong`) gives way
    to the next source, so cp1256 pages declared as UTF-8 or Latin-1 still come out as Arabic.
    Undecodable bytes become U+FFFD and are counted; decoding never fails.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            text, replaced = _decode(body[len(bom) :], encoding)
            return _as_decoded(text, encoding, replaced, "bom", body[len(bom) :])
    meta = _META.search(body[:4096])
    for source, label in (
        ("http", http_charset),
        ("meta", meta.group(1).decode() if meta else None),
    ):
        codec = _codec(label)
        # a utf-16 label on bytes we could read it from (ASCII-compatible) is a lie
        if codec is None or codec.startswith("utf-16"):
            continue
        text, replaced = _decode(body, codec)
        if not _looks_wrong(body, text, replaced, codec):
            return _as_decoded(text, codec, replaced, source, body)
    return _detect(body)


def _detect(body: bytes) -> Decoded:
    try:
        return Decoded(body.decode("utf-8"), "utf-8", 0, "detected", body)
    except UnicodeDecodeError:
        pass
    guess = charset_normalizer.from_bytes(body).best()
    if guess is not None:
        encoding = codecs.lookup(guess.encoding).name
        text, replaced = _decode(body, encoding)
        return Decoded(text, encoding, replaced, "detected")
    text, replaced = _decode(body, "utf-8")
    return _as_decoded(text, "utf-8", replaced, "default", body)
