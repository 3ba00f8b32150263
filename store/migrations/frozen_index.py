# FROZEN for store.migrations.steps: what the data steps of schemas 3, 8 and 9 need of
# store/texts.py, store/neardup.py (with store/seedmatch.py's shingles) and store/fts.py, copied
# as schema 10 shipped them. Never edit it, never import it from anything but a migration step.
"""Text storage, near-duplicate signatures and the word index, as the migrations wrote them."""

from __future__ import annotations

import hashlib
import logging
import re

import numpy as np
import sqlite_utils
import zstandard
from datasketch import MinHash

from store.migrations.frozen_arabic import match_key

log = logging.getLogger("marsad.store")

# ---- store/texts.py (schema 8) ------------------------------------------------------------------

COMPRESS_ABOVE = 1024  # bytes of UTF-8
LEVEL = 6


def store_text(db: sqlite_utils.Database, text: str) -> str:
    """Store `text` in `texts` unless it is there already; returns its key."""
    raw = text.encode("utf-8")
    key = hashlib.sha256(raw).hexdigest()
    if db.execute("SELECT 1 FROM texts WHERE hash = ?", [key]).fetchone() is None:
        plain: str | None = text
        packed: bytes | None = None
        if len(raw) > COMPRESS_ABOVE:
            squeezed = zstandard.compress(raw, LEVEL)
            if len(squeezed) < len(raw):
                plain, packed = None, squeezed
        db.execute(
            "INSERT INTO texts (hash, size, text, zstd) VALUES (?, ?, ?, ?)",
            [key, len(raw), plain, packed],
        )
    return key


def _decoded(plain: str | None, packed: bytes | None) -> str | None:
    if plain is not None or packed is None:
        return plain
    return zstandard.decompress(packed).decode("utf-8")


# ---- store/neardup.py and store/seedmatch.py's shingles (schema 3) ------------------------------

NUM_PERM = 128
BANDS, ROWS = 16, 8
MINHASH_SEED = 1
SCHEME = "affine32"
SHINGLE_WORDS = 3
_EMPTY = 0xFFFFFFFF
_permutations: object = None


def _shingles(text_key: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = text_key.split()
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def signature(text_key: str) -> bytes:
    """MinHash of a version's match key: NUM_PERM unsigned 32-bit little-endian values."""
    global _permutations
    if _permutations is None:
        _permutations = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=SCHEME).permutations
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_permutations)
    minhash.update_batch([s.encode("utf-8") for s in sorted(_shingles(text_key))])
    return bytes(minhash.hashvalues.astype("<u4").tobytes())


def index_version(db: sqlite_utils.Database, version_id: int, page_id: int, sig: bytes) -> bool:
    """Store a version's signature and band buckets; an empty text is not indexed."""
    if bool((np.frombuffer(sig, dtype="<u4") == _EMPTY).all()):
        return False
    db.execute(
        "INSERT OR REPLACE INTO near_dup_signatures (version_id, page_id, sig) VALUES (?, ?, ?)",
        [version_id, page_id, sig],
    )
    width = ROWS * 4
    buckets = [
        int.from_bytes(
            hashlib.blake2b(sig[b * width : (b + 1) * width], digest_size=8).digest(),
            "little",
            signed=True,
        )
        for b in range(BANDS)
    ]
    db.conn.executemany(
        "INSERT OR IGNORE INTO near_dup_bands (band, bucket, version_id, page_id)"
        " VALUES (?, ?, ?, ?)",
        [(band, bucket, version_id, page_id) for band, bucket in enumerate(buckets)],
    )
    return True


# ---- store/fts.py (schema 9) --------------------------------------------------------------------

TABLE = "versions_fts"
_CONJUNCTIONS = ("", "و", "ف")
_CLITICS = tuple(
    sorted(
        {c + p for c in _CONJUNCTIONS for p in ("", "ب", "ك", "ل", "ال", "بال", "كال", "لل")}
        - {""},
        key=len,
        reverse=True,
    )
)
_MIN_STEM = 3
_WORD = re.compile(r"[^\W_]+")


def _indexed(key: str) -> str:
    words = dict.fromkeys(_WORD.findall(key))
    stems = [
        word[len(clitic) :]
        for word in words
        for clitic in _CLITICS
        if word.startswith(clitic) and len(word) - len(clitic) >= _MIN_STEM
    ]
    return f"{key} {' '.join(stems)}" if stems else key


def _readable(version_id: int, plain: str | None, packed: bytes | None) -> str:
    # One damaged blob must not stop the upgrade of the whole database.
    try:
        return _decoded(plain, packed) or ""
    except (zstandard.ZstdError, UnicodeDecodeError) as error:
        log.warning("version %d is not searchable by its text: %s", version_id, error)
        return ""


def rebuild_word_search(db: sqlite_utils.Database) -> None:
    """The word index of every stored version, from its text (schema 9's step)."""
    db.execute(f"DROP TABLE IF EXISTS {TABLE}")
    db.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
        "text_key, title_key, content='', detail=none,"
        " tokenize='unicode61 remove_diacritics 0', prefix='3 4 5')"
    )
    rows = db.conn.execute(
        "SELECT v.id, t.text, t.zstd, v.title FROM versions v"
        " LEFT JOIN texts t ON t.hash = v.text_hash ORDER BY v.id"
    )
    db.conn.executemany(
        f"INSERT INTO {TABLE} (rowid, text_key, title_key) VALUES (?, ?, ?)",
        (
            (
                version_id,
                _indexed(match_key(_readable(version_id, plain, packed))),
                _indexed(match_key(title or "")),
            )
            for version_id, plain, packed, title in rows
        ),
    )
