"""Diffing two versions of an article: the seed article (about 12 KB) with one paragraph edited
and one added, as a check that finds a change computes it.

The goal was a timing test once (`tests/test_diff.py`, "under 10 ms"); a wall-clock bound on a
shared machine fails for reasons that are not marsad's, so it is measured here instead.
"""

from __future__ import annotations

from typing import Any

from bench import synthetic
from bench.measure import goal, median, ms, repeat
from crawler.models import Block
from store.diff import diff_snapshots

RUNS = {"smoke": 3, "full": 50, "issue": 200}


def _versions() -> tuple[tuple[Block, ...], tuple[Block, ...]]:
    lines = synthetic.SEED_FILE.read_text(encoding="utf-8").splitlines()
    paragraphs = [line for line in lines if line.strip()][:-1]  # the last line is the short link
    old = tuple(Block("heading" if len(p) < 80 else "paragraph", p) for p in paragraphs)
    new = list(old)
    new[8] = Block(new[8].kind, new[8].text.replace("الدولية", "العالمية"))
    new.insert(4, Block("paragraph", "فقرة مضافة قصيرة."))
    return old, tuple(new)


def run(scale: str = "full") -> dict[str, Any]:
    old, new = _versions()
    seconds = repeat(lambda: diff_snapshots(old, new), RUNS[scale])
    best, typical = min(seconds), median(seconds)
    size = sum(len(b.text.encode()) for b in old)
    return {
        "title": "Diff of one article version",
        "goals": [
            goal(
                "a 12 KB article with one edit diffs in under 10 ms",
                f"{ms(typical)} ms (median of {len(seconds)})",
                typical < 0.010,
            )
        ],
        "figures": {"article_bytes": size, "median_ms": ms(typical), "best_ms": ms(best)},
    }
