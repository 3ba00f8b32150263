"""Bounded decompression, sniffing and charset decoding: pure functions on bytes."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from crawler.decode import (
    BadEncoding,
    BoundedDecoder,
    TooLarge,
    decode_html,
    parse_content_type,
    parse_encodings,
    unsupported_type,
)
from tests.servers.misbehaving import ARABIC, arabic_page, gzip_bomb_pieces

PAGE = arabic_page()


def decode_all(layers: list[str], data: bytes, limit: int = 1_000_000, step: int = 1000) -> bytes:
    decoder = BoundedDecoder(layers, limit)
    return b"".join(decoder.feed(data[i : i + step]) for i in range(0, len(data), step))


@pytest.mark.parametrize(
    ("layers", "encode"),
    [
        (["gzip"], gzip.compress),
        (["deflate"], zlib.compress),
        (["deflate"], lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
        (["br"], brotli.compress),
        (["gzip", "br"], lambda b: brotli.compress(gzip.compress(b))),
        ([], lambda b: b),
    ],
)
def test_advertised_encodings_round_trip(layers, encode):
    body = PAGE.encode()
    assert decode_all(layers, encode(body), step=7) == body


def test_a_gzip_bomb_stops_just_past_the_cap():
    decoder = BoundedDecoder(["gzip"], 5_000_000)
    wire = 0
    with pytest.raises(TooLarge):
        for piece in gzip_bomb_pieces():
            wire += len(piece)
            decoder.feed(piece)
    assert decoder.size == 5_000_001 and wire < 20_000  # one byte past the cap proves the overflow


def test_two_layer_bomb_stays_bounded():
    inner = gzip.compress(b"<p>" + b"a" * 50_000_000)
    with pytest.raises(TooLarge):
        decode_all(["gzip", "gzip"], gzip.compress(inner), limit=1_000_000)


@pytest.mark.parametrize(
    "header", ["compress", "zstd", "gzip, gzip, gzip", ", ".join(["gzip"] * 60)]
)
def test_unadvertised_or_stacked_encodings_are_refused(header):
    with pytest.raises(BadEncoding):
        parse_encodings(header)


def test_corrupt_data_is_a_bad_encoding():
    with pytest.raises(BadEncoding, match="corrupt gzip"):
        decode_all(["gzip"], b"\x1f\x8b\x08\x00garbage-garbage-garbage")


def test_content_type_and_sniffing():
    assert parse_content_type('text/html; charset="Windows-1256"') == ("text/html", "Windows-1256")
    assert unsupported_type("text/html", b"<!doctype html>") is None
    assert unsupported_type(None, b"  %PDF-1.4") == "body is PDF"
    assert "PNG" in unsupported_type("text/html", b"\x89PNG\r\n\x1a\n....")
    assert unsupported_type("application/pdf", b"x") == "content type application/pdf is not a page"
    assert unsupported_type("application/rss+xml", b"<?xml") is None


@pytest.mark.parametrize(
    ("body", "http_charset", "encoding", "source"),
    [
        (arabic_page("windows-1256").encode("cp1256"), None, "cp1256", "meta"),
        (arabic_page().encode("cp1256"), None, "cp1256", "detected"),
        (arabic_page("utf-8").encode("cp1256"), None, "cp1256", "detected"),
        (arabic_page().encode("cp1256"), "iso-8859-1", "cp1256", "detected"),
        (arabic_page().encode("cp1256"), "windows-1256", "cp1256", "http"),
        (arabic_page("windows-1256").encode(), "utf-8", "utf-8", "http"),
        (b"\xef\xbb\xbf" + arabic_page("windows-1256").encode(), "windows-1256", "utf-8", "bom"),
        (arabic_page().encode(), None, "utf-8", "detected"),
    ],
)
def test_arabic_comes_out_right(body, http_charset, encoding, source):
    decoded = decode_html(body, http_charset)
    assert (decoded.encoding, decoded.source) == (encoding, source)
    assert ARABIC in decoded.text and decoded.replaced == 0


def test_iso_8859_6_without_declaration():
    body = arabic_page().encode("iso-8859-6", errors="ignore")
    decoded = decode_html(body)
    assert decoded.encoding == "iso8859-6"
    assert (
        "المركز الأوروبي"
        in decode_html(
            arabic_page(body="خاص ـ المركز الأوروبي لدراسات مكافحة الارهاب").encode(
                "iso-8859-6", "ignore"
            )
        ).text
    )


def test_undecodable_bytes_are_replaced_and_counted():
    body = arabic_page("utf-8").encode() + b"<p>\xff\xfe broken</p>"
    decoded = decode_html(body, "utf-8")
    assert decoded.replaced == 2 and ARABIC in decoded.text
    assert decoded.text.count("\ufffd") == 2


def test_utf8_bytes_decoded_whole_are_kept_for_the_check_and_nothing_else_is():
    """A page read as UTF-8 with nothing replaced keeps the bytes it came from: the check hashes
    and stores those instead of encoding the text again. Any other decoding keeps none, and a
    body changed after decoding is encoded afresh."""
    from dataclasses import replace

    from crawler.models import Fetched

    raw = PAGE.encode("utf-8")
    decoded = decode_html(raw, "utf-8")
    assert decoded.utf8 is raw and decoded.utf8 == decoded.text.encode("utf-8")
    assert decode_html(b"\xef\xbb\xbf" + raw).utf8 == raw  # the BOM is not the text's
    assert decode_html(PAGE.encode("cp1256"), "windows-1256").utf8 is None
    assert decode_html(raw[:200] + b"\xff" + raw[200:], "utf-8").utf8 is None  # one replaced
    page = Fetched(url="https://a.example/", final_url="https://a.example/", outcome="ok",
                   body=decoded.text, decoded_from=(decoded.text, raw))  # fmt: skip
    assert page.body_utf8 is raw
    edited = replace(page, body=decoded.text.replace(ARABIC[:5], "تعديل"))
    assert edited.body_utf8 == edited.body.encode("utf-8") != raw
