"""How far a page's text still matches the seed document it was watched for.

Two measures, both on match keys so harakat, alef forms and whitespace never count:
`seed_similarity` is the resemblance (Jaccard) of word shingles of the whole texts, one number to
chart over time; `align` says, paragraph by paragraph, what of the seed is still on the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise
from pathlib import Path
from typing import Literal

from crawler.arabic import display_text, match_key

SHINGLE_WORDS = 3

# A seed paragraph whose best page paragraph aligns at least this share of words is "changed"
# (an edit of it); below, the page no longer carries it ("missing"). Unrelated paragraphs of one
# article share topic words but rarely word order, so their ratio stays well under this.
CHANGED_RATIO = 0.6

# A seed paragraph shorter than this is only matched whole: a two-word heading is a prefix of
# too many paragraphs to count as "extended".
MIN_EXTENDED_WORDS = 3

# The last line of a seed document names its short link: "رابط مختصر.. https://…" or a bare URL.
_SHORT_LINK = re.compile(r"^\s*(?:[^\n]{0,40}?[\s:.…\-–]+)?(https?://\S+)\s*$")

Status = Literal["found", "extended", "changed", "missing"]


class SeedError(ValueError):
    """A seed document cannot be used; the message names the file and what to do."""


@dataclass(frozen=True)
class Seed:
    name: str
    url: str | None
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def parse_seed(name: str, raw: str) -> Seed:
    """One paragraph per non-empty line; a trailing short-link line becomes `url`."""
    lines = [shown for line in raw.splitlines() if (shown := display_text(line))]
    url = None
    if lines and (link := _SHORT_LINK.match(lines[-1])):
        url = link.group(1)
        lines.pop()
    if not lines:
        raise SeedError(
            f"seed {name}: no text besides the short link; put the article's text in it"
        )
    return Seed(name=name, url=url, paragraphs=tuple(lines))


def load_seed(path: str | Path) -> Seed:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SeedError(f"seed {path}: {error}; it must be a readable UTF-8 text file") from None
    return parse_seed(path.name, raw)


def shingles(text_key: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Overlapping runs of `size` words of a match key; a shorter text is one shingle."""
    words = text_key.split()
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def seed_similarity(seed_text: str, page_text: str) -> float:
    """Resemblance (Jaccard of 3-word shingles of match keys), 0–1; 1.0 for the same text."""
    a, b = shingles(match_key(seed_text)), shingles(match_key(page_text))
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class ParagraphMatch:
    """Seed paragraph `seed` is `status` at page paragraph `page` (None when missing);
    `ratio` is how closely the two align (SequenceMatcher on word keys, to 4 places; 1.0 when
    found or extended, 0.0 when missing)."""

    seed: int
    status: Status
    page: int | None
    ratio: float


@dataclass(frozen=True)
class Alignment:
    matches: tuple[ParagraphMatch, ...]
    extra: tuple[int, ...]  # page paragraphs carrying no seed paragraph: the page's own text

    @property
    def coverage(self) -> float:
        """Share of the seed's paragraphs still on the page, whole (found or extended)."""
        if not self.matches:
            return 0.0
        kept = sum(m.status in ("found", "extended") for m in self.matches)
        return kept / len(self.matches)

    @property
    def in_order(self) -> bool:
        """Whether the page keeps the seed's paragraph order (paragraphs moved → False)."""
        pages = [m.page for m in self.matches if m.page is not None]
        return all(a <= b for a, b in pairwise(pages))

    def counts(self) -> dict[str, int]:
        out = {"found": 0, "extended": 0, "changed": 0, "missing": 0}
        for m in self.matches:
            out[m.status] += 1
        return out

    def to_json(self) -> str:
        return json.dumps(
            {
                "coverage": round(self.coverage, 4),
                "in_order": self.in_order,
                "counts": self.counts(),
                "seed": [[m.seed, m.status, m.page, m.ratio] for m in self.matches],
                "extra": list(self.extra),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str) -> Alignment:
        data = json.loads(raw)
        matches = tuple(
            ParagraphMatch(seed=i, status=status, page=page, ratio=ratio)
            for i, status, page, ratio in data["seed"]
        )
        return cls(matches=matches, extra=tuple(data["extra"]))


def align(seed_paragraphs: Sequence[str], page_paragraphs: Sequence[str]) -> Alignment:
    """Where each seed paragraph is on the page, whatever the page's paragraph order.

    found: a page paragraph has the same match key. extended: a page paragraph holds it whole
    with more text (the seed's truncated "…أن هذه الشراكات" continues on the page, or two seed
    paragraphs were joined into one). changed: the best page paragraph aligns at least
    `CHANGED_RATIO` of the words. Otherwise missing.
    """
    seed_keys = [match_key(p) for p in seed_paragraphs]
    page_keys = [match_key(p) for p in page_paragraphs]
    by_key: dict[str, list[int]] = {}
    for j, key in enumerate(page_keys):
        if key:
            by_key.setdefault(key, []).append(j)
    page_words = [key.split() for key in page_keys]

    matches: list[ParagraphMatch] = []
    used: set[int] = set()
    for i, key in enumerate(seed_keys):
        if not key:
            continue
        match = (
            _found(i, key, by_key, used)
            or _extended(i, key, page_keys)
            or _changed(i, key.split(), page_words)
        )
        if match.page is not None:
            used.add(match.page)
        matches.append(match)
    extra = tuple(j for j, key in enumerate(page_keys) if key and j not in used)
    return Alignment(matches=tuple(matches), extra=extra)


def _found(i: int, key: str, by_key: dict[str, list[int]], used: set[int]) -> ParagraphMatch | None:
    places = by_key.get(key)
    if not places:
        return None
    # a repeated paragraph takes the next copy on the page, not the first one again
    page = next((j for j in places if j not in used), places[0])
    return ParagraphMatch(i, "found", page, 1.0)


def _extended(i: int, key: str, page_keys: list[str]) -> ParagraphMatch | None:
    if len(key.split()) < MIN_EXTENDED_WORDS:
        return None
    best = None
    for j, page_key in enumerate(page_keys):
        at = page_key.find(key)
        if at < 0 or len(page_key) == len(key):
            continue
        if at == 0:  # a prefix is the usual case (a truncated seed paragraph): prefer it
            return ParagraphMatch(i, "extended", j, 1.0)
        if best is None and page_key[at - 1] == " ":
            best = ParagraphMatch(i, "extended", j, 1.0)
    return best


def _changed(i: int, words: list[str], page_words: list[list[str]]) -> ParagraphMatch:
    best_page, best_ratio = None, 0.0
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(words)  # SequenceMatcher indexes seq2: index the seed paragraph once
    for j, candidate in enumerate(page_words):
        floor = max(best_ratio, CHANGED_RATIO)
        total = len(words) + len(candidate)
        # cheap upper bounds first: the ratio 2·matched/total cannot exceed 2·min(len)/total
        # (lengths alone) nor quick_ratio (the shared multiset of words, order ignored)
        if not candidate or 2 * min(len(words), len(candidate)) < floor * total:
            continue
        matcher.set_seq1(candidate)
        if matcher.quick_ratio() < floor:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best_page, best_ratio = j, ratio
    if best_page is None:
        return ParagraphMatch(i, "missing", None, 0.0)
    return ParagraphMatch(i, "changed", best_page, round(best_ratio, 4))
