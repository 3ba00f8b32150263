"""Generated marsad databases for the benchmarks, built with the real schema and cached.

`versions_db(n)` holds n versions of Arabic articles (2–12 KB of text each) over about n/5
pages, with their events, full-text index and near-duplicate index; the Datasette and export
benchmarks read it. `neardup_db(n)` holds only the near-duplicate index of n versions, which is
all the deduplication lookup reads. Both are cached under bench/out/, keyed by size, the schema
version, the schema's columns and this generator's version, so a re-run costs nothing.

The schema is being extended while these benchmarks are written, so rows are written through
the columns the tables have at run time: known columns get realistic values, a NOT NULL column
this generator does not know gets an empty value of its type.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from crawler.arabic import match_key
from store import fts, neardup, texts
from store.schema import SCHEMA_VERSION, connect
from store.timestamps import iso

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
SEED_NAME = "000_3b1ee1feec353f5c.txt"
SEED_FILE = REPO / "seeds" / SEED_NAME
SITE = "https://www.europarabct.com"
GENERATOR_VERSION = 2  # bump when the generated content changes, to drop stale caches
BATCH = 5000  # versions per transaction: big enough to be fast, small enough to stay in memory
SEED_PAGES_EVERY = 20  # one page in 20 is watched with the seed document (has seed_similarity)
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=365)


# ---- text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str
    key: str  # match_key(text), computed once: keys of joined paragraphs are joined keys
    words: int


class Corpus:
    """A pool of Arabic paragraphs drawn from the seed document's vocabulary.

    Articles are built from pool paragraphs, so the match key of a whole text is the join of its
    paragraphs' keys (whitespace collapses to one space) and `match_key` never runs on 12 KB
    strings a million times.
    """

    def __init__(self, seed: int = 1, size: int = 4000) -> None:
        rng = random.Random(seed)
        vocabulary = sorted(set(SEED_FILE.read_text(encoding="utf-8").split()) - {"..", "رابط"})
        vocabulary = [w for w in vocabulary if not w.startswith("http")]
        self.vocabulary = vocabulary
        self.paragraphs = [self._paragraph(rng, 40, 130) for _ in range(size)]
        self.titles = [self._paragraph(rng, 5, 12) for _ in range(500)]

    def _paragraph(self, rng: random.Random, low: int, high: int) -> Paragraph:
        text = " ".join(rng.choices(self.vocabulary, k=rng.randint(low, high)))
        return Paragraph(text, match_key(text), len(text.split()))

    def text(self, indexes: Iterable[int]) -> tuple[str, str, list[Paragraph]]:
        chosen = [self.paragraphs[i] for i in indexes]
        return "\n\n".join(p.text for p in chosen), " ".join(p.key for p in chosen), chosen


# ---- writing through the live schema ---------------------------------------------------------


class TableWriter:
    """INSERTs into `table` for whatever columns it has now (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection, table: str, known: Iterable[str]) -> None:
        info = conn.execute(f"PRAGMA table_info({table})").fetchall()
        columns = {row[1]: row for row in info}
        self.known = [c for c in known if c in columns]
        # a NOT NULL column without a default that we do not know: give it its type's empty value
        self.fillers = {
            name: (0 if "INT" in (row[2] or "").upper() or "REAL" in (row[2] or "").upper() else "")
            for name, row in columns.items()
            if name not in self.known and row[3] and row[4] is None and not row[5]
        }
        names = self.known + list(self.fillers)
        self.sql = (
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        )
        self.conn = conn

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        extra = tuple(self.fillers.values())
        self.conn.executemany(
            self.sql, (tuple(row.get(c) for c in self.known) + extra for row in rows)
        )


_iso = iso  # the stored form (store.timestamps)


def _schema_tag() -> str:
    """Schema version plus a digest of every table's columns in a freshly made database."""
    probe = OUT / "schema-probe.db"
    OUT.mkdir(parents=True, exist_ok=True)
    for leftover in OUT.glob("schema-probe.db*"):
        leftover.unlink()
    db = connect(probe)
    rows = db.execute(
        "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p"
        " WHERE m.type = 'table' ORDER BY m.name, p.cid"
    ).fetchall()
    db.conn.close()
    for leftover in OUT.glob("schema-probe.db*"):
        leftover.unlink()
    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:10]
    return f"s{SCHEMA_VERSION}-{digest}-g{GENERATOR_VERSION}"


def _cached(kind: str, size: int, build: Any) -> Path:
    path = OUT / f"{kind}-{size}-{_schema_tag()}.db"
    done = path.with_suffix(".done")
    if path.exists() and done.exists():
        return path
    for stale in OUT.glob(f"{kind}-{size}-*"):
        stale.unlink()
    partial = path.with_suffix(".partial")
    db = connect(partial)  # the real schema and its migrations
    db.conn.close()
    conn = sqlite3.connect(partial, isolation_level=None)
    # Bulk load of a file that is thrown away on failure: no journal, no fsync.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    started = time.perf_counter()
    build(conn, size)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")  # as marsad runs it
    conn.close()
    partial.rename(path)
    done.write_text(json.dumps({"size": size, "seconds": round(time.perf_counter() - started, 1)}))
    return path


def build_seconds(path: Path) -> float | None:
    """How long the cached database took to generate (for the report)."""
    try:
        return float(json.loads(path.with_suffix(".done").read_text())["seconds"])
    except (OSError, ValueError, KeyError):
        return None


# ---- near-duplicate index --------------------------------------------------------------------

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _band_buckets(signatures: np.ndarray) -> np.ndarray:
    """A 63-bit bucket per band, like `MinHashSignature.buckets` but vectorized: synthetic rows
    only need buckets that agree exactly when a band's values agree. (Real versions planted by
    a benchmark are indexed with `neardup.index_version`.)"""
    rows = signatures.reshape(len(signatures), neardup.BANDS, neardup.ROWS).astype(np.uint64)
    bucket = np.zeros(rows.shape[:2], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(neardup.ROWS):
            bucket = (bucket ^ rows[:, :, r]) * _MIX
            bucket ^= bucket >> np.uint64(29)
    return (bucket >> np.uint64(1)).astype(np.int64)


def synthetic_signatures(page_of_version: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """MinHash-like signatures: versions of one page share most values (small edits), and one
    page in 50 is a republished copy of another page (most values shared across pages)."""
    pages = int(page_of_version.max()) + 1
    base = rng.integers(0, 2**32 - 1, size=(pages, neardup.NUM_PERM), dtype=np.uint32)
    copies = np.arange(pages)[rng.random(pages) < 0.02]
    if len(copies):
        originals = rng.integers(0, pages, size=len(copies))
        keep = rng.random((len(copies), neardup.NUM_PERM)) < 0.9
        base[copies] = np.where(keep, base[originals], base[copies])
    sigs = base[page_of_version]
    edited = rng.random(sigs.shape) < 0.05  # an edit changes the minimum of ~5% of permutations
    noise = rng.integers(0, 2**32 - 1, size=sigs.shape, dtype=np.uint32)
    return np.where(edited, noise, sigs).astype("<u4")


def write_near_dup(
    conn: sqlite3.Connection, version_ids: np.ndarray, page_ids: np.ndarray, seed: int
) -> None:
    """Signatures and bands of the given versions, bands inserted in key order (fast appends)."""
    rng = np.random.default_rng(seed)
    for start in range(0, len(version_ids), 200_000):
        vids = version_ids[start : start + 200_000]
        pids = page_ids[start : start + 200_000]
        sigs = synthetic_signatures(pids, rng)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO near_dup_signatures (version_id, page_id, sig) VALUES (?, ?, ?)",
            zip(vids.tolist(), pids.tolist(), (s.tobytes() for s in sigs)),
        )
        buckets = _band_buckets(sigs)
        bands = np.broadcast_to(np.arange(neardup.BANDS), buckets.shape)
        order = np.lexsort((np.repeat(vids, neardup.BANDS), buckets.ravel(), bands.ravel()))
        conn.executemany(
            "INSERT OR IGNORE INTO near_dup_bands (band, bucket, version_id, page_id)"
            " VALUES (?, ?, ?, ?)",
            zip(
                bands.ravel()[order].tolist(),
                buckets.ravel()[order].tolist(),
                np.repeat(vids, neardup.BANDS)[order].tolist(),
                np.repeat(pids, neardup.BANDS)[order].tolist(),
            ),
        )
        conn.execute("COMMIT")


def _build_neardup(conn: sqlite3.Connection, size: int) -> None:
    version_ids = np.arange(1, size + 1, dtype=np.int64)
    write_near_dup(conn, version_ids, (version_ids - 1) // 5 + 1, seed=size)


def neardup_db(size: int) -> Path:
    """A database whose near-duplicate index holds `size` versions (about 5 per page)."""
    return _cached("neardup", size, _build_neardup)


# ---- whole databases -------------------------------------------------------------------------


@dataclass
class _Plan:
    """What one page looks like: its paragraphs per version, its title, when it was seen."""

    page_id: int
    versions: int
    first_seen: datetime


def _plans(size: int, rng: random.Random) -> Iterator[_Plan]:
    left, page_id = size, 0
    while left > 0:
        page_id += 1
        # Page 1 stands for the seed article, checked for a long time: the longest history.
        count = min(left, 50 if page_id == 1 else rng.randint(1, 9))
        left -= count
        yield _Plan(page_id, count, START + SPAN * rng.random() * 0.5)


def _build_versions(conn: sqlite3.Connection, size: int) -> None:
    rng = random.Random(size)
    corpus = Corpus()
    pages = TableWriter(
        conn,
        "pages",
        (
            "id",
            "url",
            "url_key",
            "final_url",
            "canonical_url",
            "shortlink",
            "target",
            "seed",
            "reason",
            "depth",
            "state",
            "first_seen",
            "last_checked",
            "last_outcome",
            "next_check_at",
            "checks",
            "versions",
            "etag",
            "last_modified",
        ),
    )
    versions = TableWriter(
        conn,
        "versions",
        (
            "id",
            "page_id",
            "version",
            "fetched_at",
            "final_url",
            "title",
            "text_hash",
            "blocks",
            "metadata",
            "content_hash",
            "changed_fields",
            "diff",
            "words_added",
            "words_removed",
            "seed_similarity",
        ),
    )
    events = TableWriter(conn, "events", ("page_id", "at", "kind", "version_id", "detail"))
    seed_text = SEED_FILE.read_text(encoding="utf-8")
    conn.execute(
        "INSERT INTO seeds (name, url, text, loaded_at) VALUES (?, ?, ?, ?)",
        [SEED_NAME, f"{SITE}/?p=95655", seed_text, _iso(START)],
    )
    version_id = 0
    page_rows: list[dict[str, Any]] = []
    version_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    search_rows: list[tuple[int, str, str]] = []
    text_rows: list[tuple[str, int, str | None, bytes | None]] = []
    page_of_version: list[int] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT OR IGNORE INTO texts (hash, size, text, zstd) VALUES (?, ?, ?, ?)", text_rows
        )
        pages.write(page_rows)
        versions.write(version_rows)
        events.write(event_rows)
        conn.executemany(
            "INSERT INTO versions_fts (rowid, text_key, title_key) VALUES (?, ?, ?)", search_rows
        )
        conn.execute("COMMIT")
        for batch in (page_rows, version_rows, event_rows, search_rows, text_rows):
            batch.clear()

    for plan in _plans(size, rng):
        slug = quote("-".join(rng.choice(corpus.vocabulary) for _ in range(4)))
        url = f"{SITE}/?p={100000 + plan.page_id}"
        final_url = f"{SITE}/{plan.first_seen:%Y/%m/%d}/{slug}/"
        title = rng.choice(corpus.titles)
        has_seed = plan.page_id == 1 or plan.page_id % SEED_PAGES_EVERY == 0
        layout = rng.sample(range(len(corpus.paragraphs)), rng.randint(2, 8))
        moment = plan.first_seen
        event_rows.append({"page_id": plan.page_id, "at": _iso(moment), "kind": "first_seen"})
        previous: list[Any] = []
        for number in range(1, plan.versions + 1):
            if number > 1:  # an edit: one paragraph rewritten, sometimes one added
                layout = list(layout)
                layout[rng.randrange(len(layout))] = rng.randrange(len(corpus.paragraphs))
                if rng.random() < 0.2 and len(layout) < 9:
                    layout.append(rng.randrange(len(corpus.paragraphs)))
                moment += timedelta(hours=rng.randint(6, 24 * 20))
            text, key, chosen = corpus.text(layout)
            added = sum(p.words for p in chosen if p not in previous) if previous else 0
            removed = sum(p.words for p in previous if p not in chosen)
            previous = chosen
            version_id += 1
            at = _iso(moment)
            text_key = texts.text_hash(text)
            text_rows.append((text_key, len(text.encode("utf-8")), *texts.encode(text)))
            version_rows.append(
                {
                    "id": version_id,
                    "page_id": plan.page_id,
                    "version": number,
                    "fetched_at": at,
                    "final_url": final_url,
                    "title": title.text,
                    "text_hash": text_key,
                    "blocks": json.dumps(
                        [{"kind": "paragraph", "text": p.text} for p in chosen], ensure_ascii=False
                    ),
                    "metadata": json.dumps(
                        {
                            "title": title.text,
                            "author": "المركز الأوروبي",
                            "language": "ar",
                            "direction": "rtl",
                            "published": _iso(plan.first_seen),
                        },
                        ensure_ascii=False,
                    ),
                    "content_hash": hashlib.sha256(f"{title.key}\n{key}".encode()).hexdigest(),
                    "changed_fields": '["text"]' if number > 1 else '["text", "title"]',
                    "words_added": added,
                    "words_removed": removed,
                    "seed_similarity": round(1.0 - 0.6 * rng.random(), 4) if has_seed else None,
                }
            )
            event_rows.append(
                {"page_id": plan.page_id, "at": at, "kind": "changed", "version_id": version_id}
            )
            search_rows.append((version_id, fts.indexed(key), fts.indexed(title.key)))
            page_of_version.append(plan.page_id)
        page_rows.append(
            {
                "id": plan.page_id,
                "url": url,
                "url_key": url,
                "final_url": final_url,
                "canonical_url": final_url,
                "shortlink": url,
                "target": url,
                "seed": SEED_NAME if has_seed else None,
                "reason": "target" if has_seed else "linked",
                "depth": 0 if has_seed else 1,
                "state": "ok",
                "first_seen": _iso(plan.first_seen),
                "last_checked": _iso(moment),
                "last_outcome": "unchanged",
                "next_check_at": _iso(moment + timedelta(hours=6)),
                "checks": plan.versions * 3,
                "versions": plan.versions,
                "etag": f'"{plan.page_id}-{plan.versions}"',
                "last_modified": moment.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            }
        )
        if len(version_rows) >= BATCH:
            flush()
    flush()
    ids = np.arange(1, version_id + 1, dtype=np.int64)
    write_near_dup(conn, ids, np.array(page_of_version, dtype=np.int64), seed=size)


def versions_db(size: int) -> Path:
    """A whole marsad database holding `size` versions of about size/5 pages."""
    return _cached("versions", size, _build_versions)


def sample_page(path: Path) -> tuple[int, str, int]:
    """The page with the longest history: (page id, its URL, its number of versions)."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT id, url, versions FROM pages ORDER BY versions DESC, id LIMIT 1")
        page_id, url, count = row.fetchone()
        return int(page_id), str(url), int(count)
    finally:
        conn.close()
