"""Version texts, stored once per distinct content and compressed with zstd above a size.

Rows are keyed by the SHA-256 of the text itself, so a text is stored once however many versions
show it: a title-only edit, a revert older than the flapping window, or the same article on
another page reuse the row already there. Texts over `COMPRESS_ABOVE` bytes are stored as a zstd
frame (Arabic article text shrinks about 3.3× at `LEVEL`, a page's HTML about 4×); smaller ones
stay plain, where compression saves little and the cell stays readable in any SQLite tool.

Readers go through `marsad_text(text, zstd)`, an SQL function registered on every connection
marsad opens (`register`), in Datasette too, so SQL, the `version_texts` view and exports see
plain text whichever way a row is stored. A damaged frame reads as `DAMAGED` (and one log line
per blob): one bad row must not fail a whole export, search, feed or diff page.

The bodies of the answers that became versions (`bodies`, schema 10) are kept the same way, in a
table of the same shape: an upgraded extractor re-reads them instead of seeing every page
"change" (`store.readings`). A body is always over the threshold, so always a zstd frame.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading

import sqlite_utils
import zstandard

from crawler.models import Fetched

COMPRESS_ABOVE = 1024  # bytes of UTF-8; about 500 Arabic letters
# zstd's default level. Level 6 saved another 5% of a text and 9% of a body for three times the
# CPU (0.16 against 0.05 ms a 23 KB page), the largest single cost of writing a version (issue 17).
LEVEL = 3
SQL_FUNCTION = "marsad_text"
log = logging.getLogger("marsad.store")


DAMAGED = "[marsad: the stored text of this version is damaged; restore the database from a backup]"


class TextError(ValueError):
    """A stored text that cannot be read back (a damaged blob)."""


def text_hash(text: str) -> str:
    return _hash(text.encode("utf-8"))


def _hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def encode(text: str) -> tuple[str | None, bytes | None]:
    """The (plain, compressed) pair to store: exactly one of them is set."""
    return _encoded(text, text.encode("utf-8"))


_local = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    """One compressor per thread: building one allocates its tables, which cost more than
    compressing a page; a compressor must not be shared between threads."""
    compressor = getattr(_local, "compressor", None)
    if compressor is None:
        compressor = _local.compressor = zstandard.ZstdCompressor(level=LEVEL)
    return compressor


def _encoded(text: str, raw: bytes) -> tuple[str | None, bytes | None]:
    if len(raw) > COMPRESS_ABOVE:
        packed = _compressor().compress(raw)
        if len(packed) < len(raw):
            return None, packed
    return text, None


def decode(plain: str | None, packed: bytes | None) -> str | None:
    """A stored text back as a string; None when the row has neither (an outer join's miss)."""
    if plain is not None:
        return plain
    if packed is None:
        return None
    try:
        return zstandard.decompress(packed).decode("utf-8")
    except (zstandard.ZstdError, UnicodeDecodeError) as error:
        raise TextError(
            f"stored text is damaged ({error}); restore the database from a backup"
        ) from None


def store_text(db: sqlite_utils.Database, text: str) -> str:
    """Store `text` unless it is there already; returns its key (call inside the write's
    transaction, so a text never outlives the version it was stored for). A text already
    stored (a title-only edit, a revert, a syndicated copy) is not compressed again."""
    return _store(db, "texts", text)


def store_body(db: sqlite_utils.Database, fetched: Fetched) -> str | None:
    """Store an answer's body (the document the extractor read) unless it is there already;
    returns its key (None for an answer without a body). Like `store_text`: call inside the
    write's transaction. The fetch's own UTF-8 bytes and hash are used: not encoded again."""
    if fetched.body is None or fetched.body_utf8 is None or fetched.body_sha256 is None:
        return None
    return _store(db, "bodies", fetched.body, fetched.body_utf8, fetched.body_sha256)


def load_body(db: sqlite_utils.Database, key: str) -> str | None:
    """A stored body back as the document the extractor read; None when there is no such row."""
    row = db.execute("SELECT text, zstd FROM bodies WHERE hash = ?", [key]).fetchone()
    return decode(row[0], row[1]) if row else None


def _store(
    db: sqlite_utils.Database,
    table: str,
    text: str,
    raw: bytes | None = None,
    key: str | None = None,
) -> str:
    raw = text.encode("utf-8") if raw is None else raw
    key = _hash(raw) if key is None else key
    if db.execute(f"SELECT 1 FROM {table} WHERE hash = ?", [key]).fetchone() is None:
        plain, packed = _encoded(text, raw)
        db.execute(
            f"INSERT INTO {table} (hash, size, text, zstd) VALUES (?, ?, ?, ?)",
            [key, len(raw), plain, packed],
        )
    return key


def register(conn: sqlite3.Connection) -> None:
    """Make `marsad_text(text, zstd)` callable in SQL on this connection."""
    conn.create_function(SQL_FUNCTION, 2, _decode_in_sql, deterministic=True)


def _decode_in_sql(plain: str | None, packed: bytes | None) -> str | None:
    # An exception here would fail the whole statement ("user-defined function raised
    # exception"), so one damaged row would hide every other: it reads as a marker instead,
    # and the log says which blob to restore.
    try:
        if plain is None and isinstance(packed, bytes):
            return _decode_bounded(packed)
        return decode(plain, packed)
    except TextError as error:
        log.error("texts row with zstd sha256 %s…: %s", _hash(packed or b"")[:16], error)
        return DAMAGED


SQL_TEXT_BYTES = 32_000_000  # a stored text is at most the fetcher's 5 MB body, 4 bytes a letter


def _decode_bounded(packed: bytes) -> str:
    """A zstd frame given in SQL (any blob a query builds) inflated to `SQL_TEXT_BYTES` at most:
    SQLite's time limit cannot stop a function, and a small frame can unpack to gigabytes."""
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(packed, read_across_frames=True)
        raw = reader.read(SQL_TEXT_BYTES + 1)
        if len(raw) > SQL_TEXT_BYTES:
            raise TextError(
                f"blob unpacks to more than {SQL_TEXT_BYTES:,} bytes; marsad never stored it"
            )
        return raw.decode("utf-8")
    except (zstandard.ZstdError, UnicodeDecodeError) as error:
        raise TextError(
            f"stored text is damaged ({error}); restore the database from a backup"
        ) from None
