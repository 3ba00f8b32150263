"""Version texts, stored once per distinct content and compressed with zstd above a size.

Rows are keyed by the SHA-256 of the text itself, so a text is stored once however many versions
show it: a title-only edit, a revert older than the flapping window, or the same article on
another page reuse the row already there. Texts over `COMPRESS_ABOVE` bytes are stored as a zstd
frame (Arabic article text shrinks about 3.4× at `LEVEL`); smaller ones stay plain, where
compression saves little and the cell stays readable in any SQLite tool.

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

import sqlite_utils
import zstandard

COMPRESS_ABOVE = 1024  # bytes of UTF-8; about 500 Arabic letters
LEVEL = 6  # 3.4× on the seed article at about 0.2 ms; level 19 gains 5% for 20× the time
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


def _encoded(text: str, raw: bytes) -> tuple[str | None, bytes | None]:
    if len(raw) > COMPRESS_ABOVE:
        packed = zstandard.compress(raw, LEVEL)
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
        raise TextError(f"stored text is damaged ({error}); restore the database from a backup") from None


def store_text(db: sqlite_utils.Database, text: str) -> str:
    """Store `text` unless it is there already; returns its key (call inside the write's
    transaction, so a text never outlives the version it was stored for). A text already
    stored (a title-only edit, a revert, a syndicated copy) is not compressed again."""
    return _store(db, "texts", text)


def store_body(db: sqlite_utils.Database, body: str) -> str:
    """Store an answer's body (the document the extractor read) unless it is there already;
    returns its key. Like `store_text`: call inside the write's transaction."""
    return _store(db, "bodies", body)


def load_body(db: sqlite_utils.Database, key: str) -> str | None:
    """A stored body back as the document the extractor read; None when there is no such row."""
    row = db.execute("SELECT text, zstd FROM bodies WHERE hash = ?", [key]).fetchone()
    return decode(row[0], row[1]) if row else None


def _store(db: sqlite_utils.Database, table: str, text: str) -> str:
    raw = text.encode("utf-8")
    key = _hash(raw)
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
        raise TextError(f"stored text is damaged ({error}); restore the database from a backup") from None
