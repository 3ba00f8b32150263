"""Deduplication cost as the store grows: comparing a new version with the seed, and finding its
near-duplicates among 1,000 … 1,000,000 stored versions.

The goal (issue 9): the cost at the largest size within 2× of the cost at 1,000. The seed
comparison reads no stored version, so it is flat by construction and measured to show its
size; the near-duplicate lookup reads the LSH index (`store.neardup`), which is where growth
would show. Each size's database holds only the near-duplicate index (see bench.synthetic),
plus three real near-copies of the new version planted on other pages, so the lookup has
something to find; the plants and the links are rolled back after each size.
"""

from __future__ import annotations

from typing import Any

from bench import synthetic
from bench.measure import goal, median, ms, repeat
from crawler.arabic import match_key
from store import neardup
from store.schema import connect
from store.seedmatch import align, load_seed, seed_similarity

SIZES = {
    "smoke": (200, 1000),
    "full": (1_000, 10_000, 100_000, 1_000_000),
    "issue": (1_000, 10_000, 100_000, 1_000_000),
}
RUNS = {"smoke": 3, "full": 7, "issue": 7}
PLANTED = 3  # near-copies of the new version stored under other pages


def _new_version() -> tuple[list[str], list[str]]:
    """The seed article as a page shows it after an edit: one paragraph rewritten, two added.
    Returns (seed paragraphs, page paragraphs)."""
    seed = load_seed(synthetic.SEED_FILE)
    corpus = synthetic.Corpus()
    page = list(seed.paragraphs)
    page[3] = corpus.paragraphs[0].text
    page += [corpus.paragraphs[1].text, corpus.paragraphs[2].text]
    return list(seed.paragraphs), page


def _variant(paragraphs: list[str], k: int) -> str:
    """A republished copy: the same article with paragraph k dropped and a line of chrome."""
    kept = [p for i, p in enumerate(paragraphs) if i != k]
    return "\n\n".join([*kept, f"نشر في موقع شريك رقم {k}"])


def measure_size(
    size: int, runs: int, seed_paragraphs: list[str], page: list[str]
) -> dict[str, Any]:
    path = synthetic.neardup_db(size)
    db = connect(path)
    page_text = "\n\n".join(page)
    seed_text = "\n\n".join(seed_paragraphs)
    key = match_key(page_text)
    new_page = 10 * size + 1  # a page id no synthetic version uses
    new_version = 10 * size + 1
    try:
        db.execute("BEGIN")
        for k in range(PLANTED):
            copy = neardup.signature(match_key(_variant(page, k + 1)))
            neardup.index_version(db, new_version + 1 + k, new_page + 1 + k, copy)
        sig = neardup.signature(key)
        compare = repeat(
            lambda: (seed_similarity(seed_text, page_text), align(seed_paragraphs, page)), runs
        )
        signing = repeat(lambda: neardup.signature(key), runs)
        lookup = repeat(lambda: neardup.link_near_duplicates(db, new_version, new_page, sig), runs)
        found = neardup.link_near_duplicates(db, new_version, new_page, sig)
        candidates = len(neardup.find_candidates(db, sig, exclude_page_id=new_page))
    finally:
        db.execute("ROLLBACK")
        db.conn.close()
    total = median(compare) + median(signing) + median(lookup)
    return {
        "versions": size,
        "seed_compare_ms": ms(median(compare)),
        "signature_ms": ms(median(signing)),
        "lookup_and_link_ms": ms(median(lookup)),
        "total_ms": ms(total),
        "candidates": candidates,
        "near_duplicates_found": len(found),
        "generated_in_s": synthetic.build_seconds(path),
    }


def run(scale: str = "full") -> dict[str, Any]:
    seed_paragraphs, page = _new_version()
    rows = [measure_size(n, RUNS[scale], seed_paragraphs, page) for n in SIZES[scale]]
    first, last = rows[0], rows[-1]
    total_ratio = last["total_ms"] / first["total_ms"]
    lookup_ratio = last["lookup_and_link_ms"] / first["lookup_and_link_ms"]
    found_all = all(r["near_duplicates_found"] == PLANTED for r in rows)
    columns = [
        "versions",
        "seed_compare_ms",
        "signature_ms",
        "lookup_and_link_ms",
        "total_ms",
        "candidates",
        "near_duplicates_found",
        "generated_in_s",
    ]
    return {
        "title": "Deduplication: seed comparison and near-duplicate lookup as the store grows",
        "tables": [
            {
                "title": f"Median of {RUNS[scale]} runs per size (milliseconds)",
                "columns": columns,
                "rows": [[r[c] for c in columns] for r in rows],
            }
        ],
        "goals": [
            goal(
                f"dedup cost at {last['versions']:,} versions within 2× of the cost at"
                f" {first['versions']:,}",
                f"{total_ratio:.2f}× (lookup and link alone: {lookup_ratio:.2f}×)",
                total_ratio <= 2.0,
            ),
            goal(
                f"the {PLANTED} planted near-copies found at every size",
                f"{[r['near_duplicates_found'] for r in rows]}",
                found_all,
            ),
        ],
        "figures": {
            "sizes": rows,
            "total_ratio": round(total_ratio, 3),
            "lookup_ratio": round(lookup_ratio, 3),
        },
        "notes": [
            (
                "The new version is the seed article with one paragraph rewritten and two added"
                " (about 1,500 words); seed comparison is `seed_similarity` + `align`, the"
                " near-duplicate step is `signature` then `link_near_duplicates` (which calls"
                " `find_candidates`)."
            ),
            (
                "Stored versions are synthetic MinHash signatures (about 5 versions per page, one"
                " page in 50 a republished copy of another), written straight into"
                " near_dup_signatures and near_dup_bands."
            ),
        ],
    }
