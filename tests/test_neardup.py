"""Near-duplicates across pages, in a real SQLite file: found when syndicated, not otherwise,
and looked up through the band index rather than by reading every stored version."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils

from crawler.arabic import match_key
from store import neardup
from store.neardup import (
    MinHashSignature,
    SignatureError,
    find_candidates,
    index_version,
    link_near_duplicates,
    signature,
)
from store.schema import connect
from store.seedmatch import load_seed, shingles

ROOT = Path(__file__).parents[1]
SEED = load_seed(ROOT / "seeds" / "000_3b1ee1feec353f5c.txt")
ORIGINAL = match_key(SEED.text)
# A syndicated copy: its own byline, a few words changed, a closing line of its own.
SYNDICATED = match_key(
    "نقلا عن المركز الأوروبي لدراسات مكافحة الإرهاب\n"
    + "\n".join(SEED.paragraphs[1:])
    .replace("الناتو", "حلف الناتو", 2)
    .replace("المحيطين الهندي والهادئ", "المحيطين الهادئ والهندي", 1)
    .replace("قمة واشنطن", "قمة العاصمة الأمريكية", 1)
    + "\nجميع الحقوق محفوظة للناشر الأصلي."
)
UNRELATED = match_key(
    "أعلنت وزارة الزراعة اليوم عن موسم حصاد وفير للقمح في المناطق الشمالية بعد أمطار غزيرة"
    " شهدتها البلاد خلال فصل الشتاء. وقال المتحدث باسم الوزارة إن الإنتاج المتوقع يتجاوز"
    " حاجة السوق المحلية للمرة الأولى منذ عشر سنوات، وإن الحكومة تدرس تصدير الفائض إلى دول"
    " الجوار. وأضاف أن برامج دعم المزارعين ساهمت في توسيع المساحات المزروعة وتحسين البذور"
    " وأنظمة الري الحديثة التي خفضت استهلاك المياه بنسبة كبيرة."
)
HALF = match_key("\n".join(SEED.paragraphs[:11]))


@pytest.fixture()
def db(tmp_path: Path) -> sqlite_utils.Database:
    database = connect(tmp_path / "marsad.db")

    return database


def true_jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


@pytest.mark.parametrize(
    "text_key",
    [
        ORIGINAL,
        SYNDICATED,
        UNRELATED,
        HALF,
        "كلمة",
        "ثلاث كلمات هنا",
        "أ ب ت ث أ ب ت ث أ ب ت ث",
        "",
    ],
)
def test_signature_is_datasketchs_minhash(text_key: str) -> None:
    """Signatures are stored: computing them in one pass must give datasketch's own values,
    so a database written before keeps finding its duplicates (and an upgrade of datasketch
    that changed its scheme would fail here rather than split old and new signatures)."""
    from datasketch import MinHash

    reference = MinHash(num_perm=neardup.NUM_PERM, scheme=neardup.SCHEME,
                        seed=neardup.MINHASH_SEED)  # fmt: skip
    reference.update_batch([s.encode("utf-8") for s in shingles(text_key)])
    assert signature(text_key).values == reference.hashvalues.astype("<u4").tobytes()


def test_signature_round_trips_and_rejects_foreign_bytes() -> None:
    sig = signature(ORIGINAL)
    assert MinHashSignature.from_bytes(sig.to_bytes()) == sig
    assert len(sig.to_bytes()) == neardup.NUM_PERM * 4
    with pytest.raises(SignatureError, match="re-index"):
        MinHashSignature.from_bytes(sig.to_bytes()[:256])


def test_signature_is_the_same_in_another_process() -> None:
    # Signatures persist: Python's per-process string hash must play no part in them.
    code = (
        "import sys; from store.neardup import signature;"
        "sys.stdout.write(signature(sys.argv[1]).to_bytes().hex())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, ORIGINAL],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    ).stdout
    assert out == signature(ORIGINAL).to_bytes().hex()


def test_estimated_similarity_tracks_the_shingle_resemblance() -> None:
    for text in (SYNDICATED, HALF, UNRELATED):
        estimate = signature(ORIGINAL).jaccard(signature(text))
        assert abs(estimate - true_jaccard(ORIGINAL, text)) < 0.12


def test_syndicated_copy_is_linked_and_unrelated_article_is_not(db: sqlite_utils.Database) -> None:
    assert true_jaccard(ORIGINAL, SYNDICATED) > 0.9
    for version_id, page_id, text in ((1, 10, ORIGINAL), (2, 20, UNRELATED), (3, 30, HALF)):
        assert index_version(db, version_id, page_id, signature(text))

    at = datetime(2024, 8, 2, 9, 0, tzinfo=UTC)
    linked = link_near_duplicates(db, 4, 40, signature(SYNDICATED), found_at=at)
    assert [(c.version_id, c.page_id) for c in linked] == [(1, 10)]
    assert linked[0].similarity >= 0.8
    rows = list(db["near_duplicates"].rows)
    assert rows == [
        {
            "version_a": 1,
            "version_b": 4,
            "page_a": 10,
            "page_b": 40,
            "similarity": linked[0].similarity,
            "found_at": "2024-08-02T09:00:00+00:00",
        }
    ]

    reworded = signature(UNRELATED.replace("القمح", "الشعير"))
    assert [c.page_id for c in link_near_duplicates(db, 5, 50, reworded)] == [20]
    assert [c.page_id for c in link_near_duplicates(db, 6, 60, signature(UNRELATED))] == [20]
    half_links = link_near_duplicates(db, 7, 70, signature(HALF[: len(HALF) // 2]))
    assert half_links == []  # a page quoting a quarter of the article is not a duplicate


def test_own_page_history_is_not_a_duplicate_and_relinking_adds_no_rows(
    db: sqlite_utils.Database,
) -> None:
    index_version(db, 1, 10, signature(ORIGINAL))
    index_version(db, 2, 10, signature(SYNDICATED))  # a later version of the same page
    assert find_candidates(db, signature(ORIGINAL), exclude_page_id=10) == []
    assert {c.version_id for c in find_candidates(db, signature(ORIGINAL))} == {1, 2}

    index_version(db, 3, 20, signature(ORIGINAL))
    first = link_near_duplicates(db, 3, 20, signature(ORIGINAL))
    again = link_near_duplicates(db, 3, 20, signature(ORIGINAL))
    # one link to page 10, to its most similar version (the identical one)
    assert [(c.version_id, c.page_id, c.similarity) for c in first] == [(1, 10, 1.0)]
    assert again == first
    assert db["near_duplicates"].count == 1


def test_empty_text_is_not_indexed_or_matched(db: sqlite_utils.Database) -> None:
    empty = signature("")
    assert empty.empty
    assert not index_version(db, 1, 10, empty)
    assert find_candidates(db, empty) == []
    assert db["near_dup_signatures"].count == 0


def random_signatures(count: int, seed: int) -> list[MinHashSignature]:
    values = np.random.default_rng(seed).integers(0, 2**32 - 1, (count, neardup.NUM_PERM))
    return [MinHashSignature(row.astype("<u4").tobytes()) for row in values]


def steps(db: sqlite_utils.Database, work: Callable[[], object]) -> int:
    """SQLite virtual-machine steps spent on `work`, counted in 10s: the work SQLite does."""
    counter = [0]

    def tick() -> int:
        counter[0] += 1
        return 0

    db.conn.set_progress_handler(tick, 10)
    try:
        work()
    finally:
        db.conn.set_progress_handler(None, 0)
    return counter[0]


def test_candidates_come_from_buckets_not_a_scan(db: sqlite_utils.Database) -> None:
    index_version(db, 1, 1, signature(ORIGINAL))
    query = signature(SYNDICATED)
    generated = random_signatures(20_000, seed=7)

    def fill(start: int, stop: int) -> None:
        with db.conn:
            db.execute("BEGIN")
            for n in range(start, stop):
                index_version(db, 100 + n, 100 + n, generated[n])

    fill(0, 2_000)
    small = steps(db, lambda: find_candidates(db, query, exclude_page_id=2))
    fill(2_000, 20_000)
    assert db["near_dup_bands"].count == 20_001 * neardup.BANDS
    large = steps(db, lambda: find_candidates(db, query, exclude_page_id=2))
    scan = steps(
        db, lambda: db.execute("SELECT count(*) FROM near_dup_bands WHERE page_id = 1").fetchone()
    )

    # ten times the versions, (about) the same work; a scan of the bands costs far more
    assert large <= small * 1.5  # a B-tree a level deeper at most, not ten times the rows
    assert large * 500 < scan

    plan = " ".join(
        row[-1]
        for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT version_id FROM near_dup_bands"
            " WHERE band = ? AND bucket = ? AND page_id != ? LIMIT ?",
            [0, 0, 0, 10],
        )
    )
    assert "SEARCH near_dup_bands USING PRIMARY KEY (band=? AND bucket=?)" in plan

    found = find_candidates(db, query, exclude_page_id=2)
    assert [c.version_id for c in found if c.similarity >= 0.8] == [1]
    assert all(c.version_id == 1 or c.similarity < 0.2 for c in found)
