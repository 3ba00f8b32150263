"""Token-level precision, recall and F1 of an extracted text against the expected one.

Shared by the quality gate (tests/test_extract_corpus.py) and the benchmark (bench/), so both
score the same way. Tokens are match tokens (crawler.arabic): hamza, taa marbuta, digits and
punctuation variants do not count as errors, as in trafilatura's own evaluation (bag of words).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from crawler.arabic import match_key, match_tokens

CORPUS = Path(__file__).resolve().parent / "extraction"


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def token_score(got: str, expected: str) -> Score:
    """Bag-of-words overlap; two empty texts agree perfectly (an empty page is right to be empty)."""
    got_tokens, want_tokens = Counter(match_tokens(got)), Counter(match_tokens(expected))
    if not got_tokens and not want_tokens:
        return Score(1.0, 1.0, 1.0)
    if not got_tokens or not want_tokens:
        return Score(0.0, 0.0, 0.0)
    overlap = sum((got_tokens & want_tokens).values())
    precision = overlap / sum(got_tokens.values())
    recall = overlap / sum(want_tokens.values())
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return Score(precision, recall, f1)


def contains(text: str, segment: str) -> bool:
    """Segment search on match keys, so spacing and spelling variants do not hide a hit."""
    return " ".join(match_tokens(segment)) in " ".join(match_tokens(text))


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    expected: dict

    @property
    def text(self) -> str:
        return "\n\n".join(self.expected.get("paragraphs", []))


def load_pages(corpus: Path = CORPUS) -> list[Page]:
    pages = []
    for sidecar in sorted(corpus.glob("*.json")):
        html_path = sidecar.with_suffix(".html")
        pages.append(
            Page(
                sidecar.stem,
                html_path.read_text(encoding="utf-8"),
                json.loads(sidecar.read_text(encoding="utf-8")),
            )
        )
    return pages


def chrome_leaks(text: str, expected: dict) -> list[str]:
    return [segment for segment in expected.get("must_not_contain", []) if contains(text, segment)]


def missing(text: str, expected: dict) -> list[str]:
    return [segment for segment in expected.get("must_contain", []) if not contains(text, segment)]


__all__ = [
    "Page",
    "Score",
    "chrome_leaks",
    "contains",
    "load_pages",
    "match_key",
    "missing",
    "token_score",
]
