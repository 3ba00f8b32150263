"""Near-duplicates across pages: the same article republished or syndicated under another URL.

Each version gets a MinHash signature (datasketch) of the 3-word shingles of its match key, and
a locality-sensitive hash index kept in SQLite: the signature is cut into `BANDS` bands of
`ROWS` values and each band hashed to a bucket. Two versions land in a shared bucket with
probability 1 − (1 − s^ROWS)^BANDS for shingle resemblance s, so the candidates of a new version
are read from 16 index lookups, whatever the number of stored versions, and only those few are
compared on their full signatures.

Why 16 bands of 8 rows (128 permutations) for a threshold of 0.8: a pair at s = 0.8 becomes a
candidate with probability 1 − (1 − 0.8^8)^16 ≈ 0.95, at 0.85 ≈ 0.994, at 0.9 ≈ 0.9999; at
s = 0.5 only ≈ 0.06 and at 0.3 ≈ 0.001, and those few false candidates are dropped by the
signature comparison. datasketch's own optimum for 0.8 (9 bands of 13 rows) balances false
positives and negatives equally and finds only ≈ 0.4 of the pairs at 0.8; a missed duplicate
costs us more than reading a few extra signatures, so we favour recall. The price is 16 band
rows (≈ 30 bytes each with the primary key) plus a 512-byte signature per version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import NamedTuple

import numpy as np
import sqlite_utils
from datasketch import MinHash

from store.seedmatch import shingles

NUM_PERM = 128
BANDS, ROWS = 16, 8
THRESHOLD = 0.8
# Fixed: signatures persist in the database, so the permutations must never change between runs.
MINHASH_SEED = 1
# datasketch ≥ 2.0's 32-bit affine permutations: no estimator bias on long texts (datasketch
# issue #212), and 4 bytes per value.
SCHEME = "affine32"
# A bucket shared by more versions than this is boilerplate (a cookie notice, an empty template),
# not evidence of a duplicate: reading it whole would make one lookup cost a table scan.
MAX_BUCKET_ROWS = 1000

# Every band's bucket in one statement (each limited alone, as a bucket read alone would be).
_BUCKET_LOOKUP = (
    "SELECT version_id FROM (SELECT version_id FROM near_dup_bands"
    " WHERE band = ? AND bucket = ? AND page_id != ? LIMIT ?)"
)
_BUCKETS_LOOKUP = " UNION ALL ".join([_BUCKET_LOOKUP] * BANDS)

_EMPTY = 0xFFFFFFFF  # datasketch's value for "no shingle hashed yet"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=SCHEME).permutations
_A, _B = (part.astype(np.uint32) for part in _PERMUTATIONS)
_EMPTY_SIGNATURE = np.full(NUM_PERM, _EMPTY, dtype="<u4").tobytes()


class SignatureError(ValueError):
    """Stored signature bytes that this marsad cannot read."""


@dataclass(frozen=True)
class MinHashSignature:
    values: bytes  # NUM_PERM unsigned 32-bit little-endian integers

    def to_bytes(self) -> bytes:
        return self.values

    @classmethod
    def from_bytes(cls, raw: bytes) -> MinHashSignature:
        if len(raw) != NUM_PERM * 4:
            raise SignatureError(
                f"signature of {len(raw)} bytes, expected {NUM_PERM * 4};"
                " it was made with other MinHash settings: re-index the versions"
            )
        return cls(bytes(raw))

    @property
    def array(self) -> np.ndarray:
        return np.frombuffer(self.values, dtype="<u4")

    @property
    def empty(self) -> bool:
        return bool((self.array == _EMPTY).all())

    def jaccard(self, other: MinHashSignature) -> float:
        """Estimated resemblance: the share of permutations whose minimum agrees."""
        return float(np.count_nonzero(self.array == other.array)) / NUM_PERM

    def buckets(self) -> list[int]:
        """One 63-bit bucket per band; the band number is stored beside it, not mixed in."""
        return list(self._buckets)

    @cached_property  # a new version's buckets are both stored and looked up
    def _buckets(self) -> tuple[int, ...]:
        width = ROWS * 4
        return tuple(
            int.from_bytes(
                hashlib.blake2b(self.values[b * width : (b + 1) * width], digest_size=8).digest(),
                "little",
                signed=True,
            )
            for b in range(BANDS)
        )


class Candidate(NamedTuple):
    version_id: int
    page_id: int
    similarity: float  # estimated from the signatures


def signature(text_key: str) -> MinHashSignature:
    """MinHash of a version's match key (3-word shingles, as `seed_similarity` uses).

    datasketch's `affine32` MinHash computed here in one pass (`tests/test_neardup.py` holds it
    to datasketch's own): SHA-1's first 4 bytes of each shingle, MurmurHash3's 32-bit finalizer,
    then every permutation `a·h + b` (mod 2^32) at once, keeping each permutation's minimum.
    datasketch calls a Python hash function per shingle and builds a MinHash object per text,
    a third of a version's signature time; signatures stored in the database stay the same."""
    items = shingles(text_key)
    if not items:
        return MinHashSignature(_EMPTY_SIGNATURE)
    sha1 = hashlib.sha1
    hashed = np.frombuffer(b"".join([sha1(s.encode("utf-8")).digest()[:4] for s in items]), "<u4")
    mixed = _fmix32(hashed.astype(np.uint32))
    permuted = mixed[:, None] * _A + _B  # one row per shingle, one column per permutation
    return MinHashSignature(permuted.min(axis=0).astype("<u4").tobytes())


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer on 32-bit values (datasketch mixes the hashes with it)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


def index_version(
    db: sqlite_utils.Database, version_id: int, page_id: int, sig: MinHashSignature
) -> bool:
    """Store a version's signature and bands. An empty text is not indexed (returns False):
    every empty page would otherwise be everyone's duplicate."""
    if sig.empty:
        return False
    db.execute(
        "INSERT OR REPLACE INTO near_dup_signatures (version_id, page_id, sig) VALUES (?, ?, ?)",
        [version_id, page_id, sig.to_bytes()],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO near_dup_bands (band, bucket, version_id, page_id)"
        " VALUES (?, ?, ?, ?)",
        [(band, bucket, version_id, page_id) for band, bucket in enumerate(sig.buckets())],
    )
    return True


def find_candidates(
    db: sqlite_utils.Database, sig: MinHashSignature, exclude_page_id: int | None = None
) -> list[Candidate]:
    """Versions sharing a bucket with `sig`, most similar first, with estimated resemblance.

    Versions of `exclude_page_id` (the page's own history) are left out.
    """
    if sig.empty:
        return []
    exclude = -1 if exclude_page_id is None else exclude_page_id
    params = [
        value
        for band, bucket in enumerate(sig.buckets())
        for value in (band, bucket, exclude, MAX_BUCKET_ROWS)
    ]
    found = {version_id for (version_id,) in db.execute(_BUCKETS_LOOKUP, params)}
    candidates = []
    ordered = sorted(found)
    for start in range(0, len(ordered), 500):  # SQLite's bound-parameter limit
        chunk = ordered[start : start + 500]
        rows = db.execute(
            "SELECT version_id, page_id, sig FROM near_dup_signatures"
            f" WHERE version_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        for version_id, page_id, raw in rows:
            similarity = sig.jaccard(MinHashSignature.from_bytes(raw))
            candidates.append(Candidate(version_id, page_id, similarity))
    candidates.sort(key=lambda c: (-c.similarity, c.version_id))
    return candidates


def link_near_duplicates(
    db: sqlite_utils.Database,
    version_id: int,
    page_id: int,
    sig: MinHashSignature,
    threshold: float = THRESHOLD,
    found_at: datetime | None = None,
) -> list[Candidate]:
    """Record the near-duplicates of a new version in `near_duplicates`; returns them.

    One link per other page (its most similar version): a page with fifty versions all alike
    is one duplicate, not fifty rows. Does not index the version; call `index_version` too.
    """
    best: dict[int, Candidate] = {}
    for candidate in find_candidates(db, sig, exclude_page_id=page_id):
        if candidate.similarity >= threshold and candidate.page_id not in best:
            best[candidate.page_id] = candidate  # candidates come most similar first
    at = (found_at or datetime.now(UTC)).isoformat(timespec="seconds")
    rows = []
    for other in best.values():
        (va, pa), (vb, pb) = sorted([(other.version_id, other.page_id), (version_id, page_id)])
        rows.append((va, vb, pa, pb, other.similarity, at))
    db.conn.executemany(
        "INSERT OR REPLACE INTO near_duplicates"
        " (version_a, version_b, page_a, page_b, similarity, found_at) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    return list(best.values())
