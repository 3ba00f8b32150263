"""A diff between any two versions, shaped for the page: paragraphs of highlighted word runs.

Two arbitrary versions have no stored diff, so this one is computed on read with the same word
diff as the terminal (`store.textdiff.word_runs`, equality on the Arabic match key), bounded in
its work; the page runs it off the event loop with a time limit (`views.diff`).
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from store.textdiff import word_runs

# A private-use character stands for a paragraph break while diffing words, so the diff keeps the
# article's paragraphs; it is removed from scraped text first so a page cannot forge one.
_BREAK = "\ue000"
# Fields shown above the text when they differ, in the order a reader cares about them.
FIELDS = (
    "title",
    "author",
    "published",
    "modified",
    "categories",
    "tags",
    "canonical_url",
    "shortlink",
    "image",
    "final_url",
    "lang",
    "direction",
)


@dataclass(frozen=True)
class Run:
    op: str  # equal, insert, delete
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


Paragraph = list[Run]


@dataclass(frozen=True)
class Row:
    """One level of the side-by-side view: a paragraph of the older text and the newer one's
    paragraph beside it; None where a paragraph was inserted or deleted, so the rest stays level."""

    old: Paragraph | None
    new: Paragraph | None


@dataclass(frozen=True)
class Section:
    """A piece of the inline view: one paragraph (numbered `change` when it holds an edit), or a
    run of unchanged paragraphs folded away (`folded`)."""

    paragraph: Paragraph | None = None
    change: int = 0  # 1, 2, … for a paragraph with an insertion or deletion; 0 if unchanged
    folded: tuple[Paragraph, ...] = ()


@dataclass(frozen=True)
class TextDiff:
    inline: list[Paragraph]  # paragraphs of runs, insertions and deletions together
    old: list[Paragraph]  # the older text with its deletions marked
    new: list[Paragraph]  # the newer text with its insertions marked
    words_added: int
    words_removed: int
    coarse: bool = False  # some edits shown as removed + added: too many to show word by word
    rows: tuple[Row, ...] = ()  # the two texts paragraph by paragraph, aligned
    changes: int = 0  # paragraphs of the inline view holding an insertion or deletion

    def sections(self, context: int | None = 1) -> list[Section]:
        """The inline view with the unchanged paragraphs more than `context` paragraphs away
        from a change folded (two or more together; one is shown); None shows everything."""
        changed = [_changed(p) for p in self.inline]
        near = [
            context is None or any(changed[max(0, i - context) : i + context + 1])
            for i in range(len(self.inline))
        ]
        out: list[Section] = []
        folded: list[Paragraph] = []
        number = 0

        def fold() -> None:
            if len(folded) == 1:
                out.append(Section(paragraph=folded[0]))
            elif folded:
                out.append(Section(folded=tuple(folded)))
            folded.clear()

        for paragraph, is_changed, shown in zip(self.inline, changed, near):
            if not shown:
                folded.append(paragraph)
                continue
            fold()
            if is_changed:
                number += 1
            out.append(Section(paragraph=paragraph, change=number if is_changed else 0))
        fold()
        return out


def _changed(paragraph: Paragraph) -> bool:
    return any(run.op != "equal" for run in paragraph)


def _aligned(runs: list[Run]) -> tuple[Row, ...]:
    """The two texts paragraph by paragraph. A paragraph break both texts share is a point where
    they are level. Between two such points, the paragraphs sharing the most unchanged words
    face each other (in order, the largest overlaps first); the others face a gap, or face each
    other when both sides have one at the same place (a paragraph rewritten)."""
    rows: list[Row] = []
    old: list[Paragraph] = [[]]
    new: list[Paragraph] = [[]]
    shared: dict[tuple[int, int], int] = {}

    def level() -> None:
        rows.extend(_pair(old, new, shared))
        old[:] = [[]]
        new[:] = [[]]
        shared.clear()

    for run in runs:
        for index, piece in enumerate(run.text.split(_BREAK)):
            if index:
                if run.op == "equal":
                    level()
                elif run.op == "delete":
                    old.append([])
                else:
                    new.append([])
            if not piece.strip():
                continue
            if run.op != "insert":
                old[-1].append(Run(run.op, piece.strip()))
            if run.op != "delete":
                new[-1].append(Run(run.op, piece.strip()))
            if run.op == "equal":
                at = (len(old) - 1, len(new) - 1)
                shared[at] = shared.get(at, 0) + len(piece.split())
    level()
    return tuple(rows)


def _pair(
    old: list[Paragraph], new: list[Paragraph], shared: dict[tuple[int, int], int]
) -> list[Row]:
    anchors: list[tuple[int, int]] = []  # paragraphs facing each other, in order on both sides
    for (i, j), _words in sorted(shared.items(), key=lambda item: -item[1]):
        at = bisect.bisect(anchors, (i, j))
        before = anchors[at - 1] if at else (-1, -1)
        after = anchors[at] if at < len(anchors) else (len(old), len(new))
        if before[0] < i < after[0] and before[1] < j < after[1]:
            anchors.insert(at, (i, j))
    rows: list[Row] = []
    i = j = 0
    for a, b in [*anchors, (len(old), len(new))]:
        left = [p for p in old[i:a] if p]
        right = [p for p in new[j:b] if p]
        for k in range(max(len(left), len(right))):
            rows.append(
                Row(left[k] if k < len(left) else None, right[k] if k < len(right) else None)
            )
        if a < len(old):
            rows.append(Row(old[a], new[b]))
        i, j = a + 1, b + 1
    return rows


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
    inline = _paragraphs(runs, ("equal", "delete", "insert"))
    return TextDiff(
        inline=inline,
        changes=sum(1 for p in inline if _changed(p)),
        old=_paragraphs(runs, ("equal", "delete")),
        new=_paragraphs(runs, ("equal", "insert")),
        words_added=sum(n for op, n in counted if op == "insert"),
        words_removed=sum(n for op, n in counted if op == "delete"),
        coarse=coarse,
        rows=_aligned(runs),
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
