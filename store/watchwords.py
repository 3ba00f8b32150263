"""Watch words: words whose arrival in (or departure from) a page is worth a message.

Matched exactly as the search matches (`store.fts`): on match keys, so harakat and alef forms
never matter, and through the clitics Arabic writes onto a word (و ف ب ك ل ال), so `الناتو`
finds `وبالناتو`. A watch word of several words matches where all of them are found. What is
looked at is only what a version's diff added and removed, never the whole text: an edit
elsewhere on a page that mentions the word all along tells nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crawler.arabic import match_key
from store.diff import Diff
from store.fts import word_matches, words_of


@dataclass(frozen=True)
class Found:
    appeared: tuple[str, ...] = ()
    disappeared: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.appeared or self.disappeared)


def added_and_removed(diff: Diff) -> tuple[list[str], list[str]]:
    """The texts a diff added and removed, block by block (a changed block's inserted and
    deleted words, each run as one piece)."""
    added: list[str] = []
    removed: list[str] = []
    for op in diff.blocks:
        if op.op == "insert" and op.text:
            added.append(op.text)
        elif op.op == "delete" and op.text:
            removed.append(op.text)
        elif op.op == "change":
            added += [text.strip() for kind, text in op.words if kind == "insert" and text.strip()]
            removed += [
                text.strip() for kind, text in op.words if kind == "delete" and text.strip()
            ]
    return added, removed


def _holds(words: Sequence[str], wanted: str) -> bool:
    terms = words_of(match_key(wanted))
    return bool(terms) and all(any(word_matches(t, w) for w in words) for t in terms)


def find(watch_words: Iterable[str], added: Iterable[str], removed: Iterable[str]) -> Found:
    """Which watch words the added texts hold and which the removed ones held, as written in
    the watch list."""
    added_words = words_of(match_key(" ".join(added)))
    removed_words = words_of(match_key(" ".join(removed)))
    wanted = list(watch_words)
    return Found(
        appeared=tuple(w for w in wanted if _holds(added_words, w)),
        disappeared=tuple(w for w in wanted if _holds(removed_words, w)),
    )
