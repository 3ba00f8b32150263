"""The real-page development set (`../shared/extract-dev/`, a WCXB dev-split subset) and its score.

Shared by the quality gate (tests/test_extract_realpages.py) and the benchmark
(bench/bench_extract.py), so both score alike. The tokens are the set's own definition (its
README), not marsad's match tokens: NFKC, casefold, Arabic harakat and tatweel removed, then runs
of word characters, a CJK ideograph or kana counting as one token by itself. Every extractor is
scored with the same tokens.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# The set lives beside the checkout (../shared/extract-dev); MARSAD_EXTRACT_DEV points elsewhere.
DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "extract-dev"
LOW_F1 = 0.1
MID_F1 = 0.5


def location() -> Path:
    return Path(os.environ.get("MARSAD_EXTRACT_DEV") or DEFAULT)


@dataclass(frozen=True)
class RealPage:
    id: str
    url: str
    page_type: str
    lang: str
    html: str
    main_content: str


def load(folder: Path | None = None) -> list[RealPage]:
    """Every page of the set, in the ground truth's order. Raises FileNotFoundError when absent."""
    folder = folder or location()
    pages = []
    with gzip.open(folder / "gt.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            raw = gzip.decompress((folder / "pages" / f"{row['id']}.html.gz").read_bytes())
            pages.append(
                RealPage(
                    id=row["id"],
                    url=row.get("url") or "",
                    page_type=row.get("page_type") or "unknown",
                    lang=row.get("lang") or "",
                    html=raw.decode("utf-8", errors="replace"),
                    main_content=row.get("main_content") or "",
                )
            )
    return pages


_MARKS = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]"
)
# A CJK ideograph or kana is a token alone; other word characters form runs.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")


def tokens(text: str) -> list[str]:
    text = _MARKS.sub("", unicodedata.normalize("NFKC", text).casefold())
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def score(got: str, expected: str) -> Score:
    """Bag-of-words overlap; an empty extraction scores 0."""
    have, want = Counter(tokens(got)), Counter(tokens(expected))
    if not have or not want:
        return Score(0.0, 0.0, 0.0)
    overlap = sum((have & want).values())
    if not overlap:
        return Score(0.0, 0.0, 0.0)
    precision = overlap / sum(have.values())
    recall = overlap / sum(want.values())
    return Score(precision, recall, 2 * precision * recall / (precision + recall))


def summary(pages: list[RealPage], texts: list[str]) -> dict:
    """Macro means, the pages under F1 0.1 and 0.5, the same per page type, and each page's F1."""
    scores = [score(text, page.main_content) for page, text in zip(pages, texts)]

    def figures(chosen: list[int]) -> dict:
        if not chosen:
            return {"pages": 0}
        return {
            "pages": len(chosen),
            "precision": statistics.fmean(scores[i].precision for i in chosen),
            "recall": statistics.fmean(scores[i].recall for i in chosen),
            "f1": statistics.fmean(scores[i].f1 for i in chosen),
            "under_0.1": sum(scores[i].f1 < LOW_F1 for i in chosen),
            "under_0.5": sum(scores[i].f1 < MID_F1 for i in chosen),
        }

    everything = list(range(len(pages)))
    by_type = {
        kind: figures([i for i in everything if pages[i].page_type == kind])
        for kind in sorted({page.page_type for page in pages})
    }
    return {
        "all": figures(everything),
        "by_type": by_type,
        "per_page": {page.id: round(s.f1, 4) for page, s in zip(pages, scores)},
    }
