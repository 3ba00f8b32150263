"""A diff between any two versions, shaped for the page: paragraphs of highlighted word runs.

Two arbitrary versions have no stored diff, so this one is computed on read with the same word
diff as the terminal (`store.textdiff.word_runs`, equality on the Arabic match key), bounded in
its work; the page runs it off the event loop with a time limit (`views.diff`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from store.textdiff import word_runs

# A private-use character stands for a paragraph break while diffing words, so the diff keeps the
# article's paragraphs; it is removed from scraped text first so a page cannot forge one.
_BREAK = "\ue000"
# Fields shown above the text when they differ, in the order a reader cares about them.
FIELDS = ("title", "author", "published", "modified", "categories", "tags", "canonical_url",
          "shortlink", "image", "final_url", "lang", "direction")


@dataclass(frozen=True)
class Run:
    op: str  # equal, insert, delete
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class TextDiff:
    inline: list[list[Run]]  # paragraphs of runs, insertions and deletions together
    old: list[list[Run]]  # the older text with its deletions marked
    new: list[list[Run]]  # the newer text with its insertions marked
    words_added: int
    words_removed: int
    coarse: bool = False  # some edits shown as removed + added: too many to show word by word


def _marked(text: str) -> str:
    paragraphs = text.replace(_BREAK, "").split("\n\n")
    return f" {_BREAK} ".join(paragraphs)


def _paragraphs(runs: list[Run], ops: tuple[str, ...]) -> list[list[Run]]:
    paragraphs: list[list[Run]] = [[]]
    for run in runs:
        if run.op not in ops:
            continue
        for index, piece in enumerate(run.text.split(_BREAK)):
            if index:
                paragraphs.append([])
            if piece.strip():
                paragraphs[-1].append(Run(run.op, piece.strip()))
    return [p for p in paragraphs if p]


def text_diff(old: str, new: str) -> TextDiff:
    found, coarse = word_runs(_marked(old or ""), _marked(new or ""))
    runs = [Run(op, words) for op, words in found]
    counted = [(r.op, len(r.text.replace(_BREAK, " ").split())) for r in runs]
    return TextDiff(
        inline=_paragraphs(runs, ("equal", "delete", "insert")),
        old=_paragraphs(runs, ("equal", "delete")),
        new=_paragraphs(runs, ("equal", "insert")),
        words_added=sum(n for op, n in counted if op == "insert"),
        words_removed=sum(n for op, n in counted if op == "delete"),
        coarse=coarse,
    )


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "، ".join(str(v) for v in value)  # the Arabic comma
    return str(value)


def field_changes(old: dict[str, object] | None, new: dict[str, object]) -> list[FieldChange]:
    """Title and metadata that differ between two version rows (title, final_url, metadata)."""

    def fields(row: dict[str, object] | None) -> dict[str, object]:
        if not row:
            return {}
        try:
            metadata = json.loads(str(row.get("metadata") or "{}"))
        except ValueError:
            metadata = {}
        if not isinstance(metadata, dict):
            metadata = {}
        return {**metadata, "title": row.get("title"), "final_url": row.get("final_url")}

    before, after = fields(old), fields(new)
    changes = []
    for name in FIELDS:
        a, b = _shown(before.get(name)), _shown(after.get(name))
        if a != b:
            changes.append(FieldChange(name, a, b))
    return changes
