"""Word-level diff of two texts, for the terminal and the diff page. Equality is on the Arabic
match key; the alignment is `store.diff.aligned`, near linear in the words, so two long texts
with thousands of edits cost seconds at most, not minutes."""

from __future__ import annotations

from collections.abc import Iterator

from crawler.arabic import match_key
from store.diff import aligned


def word_runs(old: str, new: str) -> tuple[list[tuple[str, str]], bool]:
    """(op, words) runs with op in equal / insert / delete, words joined by spaces, and whether
    some edits were too many to align word by word (shown as removed + added)."""
    a, b = old.split(), new.split()
    opcodes, coarse = aligned([match_key(w) for w in a], [match_key(w) for w in b])
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            runs.append(("equal", " ".join(b[j1:j2])))
        if tag in ("delete", "replace"):
            runs.append(("delete", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            runs.append(("insert", " ".join(b[j1:j2])))
    return runs, coarse


def word_diff(old: str, new: str) -> Iterator[tuple[str, str]]:
    """Yield (op, words) with op in equal / insert / delete, words joined by spaces."""
    yield from word_runs(old, new)[0]
