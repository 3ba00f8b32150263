"""Word-level diff of two texts, for the terminal. Equality is on the Arabic match key."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from crawler.arabic import match_key


def word_diff(old: str, new: str) -> Iterator[tuple[str, str]]:
    """Yield (op, words) with op in equal / insert / delete, words joined by spaces."""
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=[match_key(w) for w in a], b=[match_key(w) for w in b],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield "equal", " ".join(b[j1:j2])
        if tag in ("delete", "replace"):
            yield "delete", " ".join(a[i1:i2])
        if tag in ("insert", "replace"):
            yield "insert", " ".join(b[j1:j2])
