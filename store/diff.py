"""The difference between two versions' blocks: which blocks moved in or out, and word by word
inside the blocks that were edited.

Blocks are aligned on their match keys, so a block that only gained harakat or another alef form
is equal. Words are shown as they were written (display text) but compared on their match keys.
A diff is computed once, when a version is written, and stored as compact JSON: runs of equal
blocks are kept as index ranges (the versions hold the text), added and removed blocks keep their
text, and edited blocks keep their word operations, so a feed or a page renders a diff without
reading both versions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any, Literal

from crawler.arabic import display_text, match_key
from crawler.models import Block

BlockOpKind = Literal["equal", "insert", "delete", "change"]
WordOpKind = Literal["equal", "insert", "delete"]
WordOp = tuple[WordOpKind, str]

FORMAT = 1

# Two replaced blocks count as one edited block when at least this share of their words align
# (SequenceMatcher.ratio on word keys). Below it, showing "removed + added" reads better than a
# word diff where almost every word is struck out.
CHANGED_BLOCK_RATIO = 0.5

# Bounds on the work of one diff: a page chooses both versions' blocks, and the diff is written
# inside the check's write lock. 3,000 short edited blocks once took minutes (every new block was
# tried against every old one). Alignment beyond `SMALL_ALIGNMENT` block pairs anchors on blocks
# that occur once in each version (patience diff); pairing edited blocks and their word diffs
# share `WORD_WORK` word comparisons; a word diff of more than `WORD_PAIRS` word pairs (after the
# words both ends share) is shown as the old run removed and the new one added. Any of these
# marks the diff `coarse`: "too many changes to show word by word".
SMALL_ALIGNMENT = 250_000
WORD_WORK = 1_000_000
WORD_PAIRS = 250_000
COARSE_NOTE = "too many changes to show word by word"

# Unicode punctuation (categories P*) of the Basic Multilingual Plane, where all of Arabic's and
# the typographic quotes and dashes live: Arabic comma, semicolon and question mark included.
_PUNCTUATION = "".join(c for c in map(chr, range(0x10000)) if unicodedata.category(c)[0] == "P")

# Word keys repeat across an article and across the two versions; caching them keeps a 12 KB
# article well under the time budget. Bounded, so a long-running daemon does not grow.
_word_key = lru_cache(maxsize=65536)(match_key)


@dataclass(frozen=True)
class BlockOp:
    """One step of the block alignment.

    equal: `count` blocks from `old`/`new` on are unchanged (text not stored).
    insert: block `new` was added; delete: block `old` was removed (their `text` is stored).
    change: block `old` became block `new`; `words` holds the word-level operations, whose
    texts carry the space before them: concatenating the equal and insert texts gives the new
    block, the equal and delete texts the old one (spelled as in the new version).
    """

    op: BlockOpKind
    old: int | None = None
    new: int | None = None
    count: int = 1
    kind: str | None = None
    text: str | None = None
    words: tuple[WordOp, ...] = ()

    def new_text(self) -> str | None:
        if self.op == "insert":
            return self.text
        if self.op == "change":
            return "".join(t for op, t in self.words if op != "delete").strip()
        return None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"op": self.op}
        if self.old is not None:
            out["old"] = self.old
        if self.new is not None:
            out["new"] = self.new
        if self.op == "equal":
            out["count"] = self.count
        if self.kind is not None:
            out["kind"] = self.kind
        if self.text is not None:
            out["text"] = self.text
        if self.words:
            out["words"] = [list(w) for w in self.words]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlockOp:
        return cls(
            op=data["op"],
            old=data.get("old"),
            new=data.get("new"),
            count=int(data.get("count", 1)),
            kind=data.get("kind"),
            text=data.get("text"),
            words=tuple((op, text) for op, text in data.get("words") or ()),
        )


@dataclass(frozen=True)
class Diff:
    blocks: tuple[BlockOp, ...] = field(default_factory=tuple)
    words_added: int = 0
    words_removed: int = 0
    blocks_added: int = 0
    blocks_removed: int = 0
    blocks_changed: int = 0
    coarse: bool = False  # some edits are shown as removed + added: COARSE_NOTE

    @property
    def changed(self) -> bool:
        return any(op.op != "equal" for op in self.blocks)

    def summary(self) -> str:
        """One line for a feed entry or a table cell, e.g. "+12 −3 words in 2 blocks (2 changed)"."""
        touched = self.blocks_added + self.blocks_removed + self.blocks_changed
        if not touched:
            return "no change in the text"
        parts = [
            f"{n} {label}"
            for n, label in (
                (self.blocks_changed, "changed"),
                (self.blocks_added, "added"),
                (self.blocks_removed, "removed"),
            )
            if n
        ]
        noun = "block" if touched == 1 else "blocks"
        # U+2212 MINUS SIGN: a hyphen-minus next to Arabic text is easily read as a dash.
        return (
            f"+{self.words_added} \u2212{self.words_removed} words in {touched} {noun}"
            f" ({', '.join(parts)})" + (f"; {COARSE_NOTE}" if self.coarse else "")
        )

    def to_json(self) -> str:
        coarse = {"coarse": True} if self.coarse else {}  # absent in the diffs stored before
        return json.dumps(
            {
                "format": FORMAT,
                "words_added": self.words_added,
                "words_removed": self.words_removed,
                "blocks_added": self.blocks_added,
                "blocks_removed": self.blocks_removed,
                "blocks_changed": self.blocks_changed,
                **coarse,
                "blocks": [op.to_dict() for op in self.blocks],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str) -> Diff:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise ValueError(
                f"stored diff has format {data.get('format')!r}, this marsad reads {FORMAT};"
                " upgrade marsad or recompute the diff"
            )
        return cls(
            blocks=tuple(BlockOp.from_dict(op) for op in data["blocks"]),
            words_added=data["words_added"],
            words_removed=data["words_removed"],
            blocks_added=data["blocks_added"],
            blocks_removed=data["blocks_removed"],
            blocks_changed=data["blocks_changed"],
            coarse=bool(data.get("coarse")),
        )


class _Budget:
    """Word comparisons one diff may still make; running out makes the diff coarse."""

    def __init__(self, units: int = WORD_WORK) -> None:
        self.left = units
        self.coarse = False

    def take(self, units: int) -> bool:
        if units > self.left:
            self.coarse = True
            return False
        self.left -= units
        return True


def diff_snapshots(old_blocks: Sequence[Block], new_blocks: Sequence[Block]) -> Diff:
    """Diff two versions' blocks (after the ignore rules). A first version: pass `()` as old."""
    if not old_blocks:  # every block is new: nothing to align
        return _tally(tuple(_inserted(new_blocks, j) for j in range(len(new_blocks))))
    old_keys = [match_key(b.text) for b in old_blocks]
    new_keys = [match_key(b.text) for b in new_blocks]
    ops: list[BlockOp] = []
    budget = _Budget()
    for tag, i1, i2, j1, j2 in align(old_keys, new_keys):
        if tag == "equal":
            ops.append(BlockOp("equal", old=i1, new=j1, count=i2 - i1))
        elif tag == "delete":
            ops.extend(_deleted(old_blocks, i) for i in range(i1, i2))
        elif tag == "insert":
            ops.extend(_inserted(new_blocks, j) for j in range(j1, j2))
        else:
            ops.extend(_replaced(old_blocks, new_blocks, range(i1, i2), range(j1, j2), budget))
    return _tally(tuple(ops), coarse=budget.coarse)


Opcode = tuple[str, int, int, int, int]


def align(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """`aligned` without saying whether any part was given up on."""
    return aligned(a, b)[0]


def aligned(a: Sequence[str], b: Sequence[str]) -> tuple[list[Opcode], bool]:
    """SequenceMatcher's opcodes for two lists of keys, in time near linear in their length: the
    shared head and tail are cut off first; a middle of more than `SMALL_ALIGNMENT` pairs is
    anchored on the keys found exactly once on each side, in an order both agree on (patience
    diff), and only gaps between anchors small enough are given to SequenceMatcher. A larger
    gap is one "replace", which the caller handles within its budget; the flag says whether
    there was one (the alignment is coarse)."""
    n, m = len(a), len(b)
    head = 0
    while head < n and head < m and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and tail < m - head and a[n - 1 - tail] == b[m - 1 - tail]:
        tail += 1
    ops: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    ahi, bhi = n - tail, m - tail
    if (ahi - head) * (bhi - head) <= SMALL_ALIGNMENT:
        ops += _gap(a, b, head, ahi, head, bhi)
    else:
        i, j = head, head
        for ai, bj in _anchors(a, b, head, ahi, head, bhi):
            ops += _gap(a, b, i, ai, j, bj)
            ops.append(("equal", ai, ai + 1, bj, bj + 1))
            i, j = ai + 1, bj + 1
        ops += _gap(a, b, i, ahi, j, bhi)
    if tail:
        ops.append(("equal", ahi, n, bhi, m))
    coarse = any(
        op[0] == "replace" and (op[2] - op[1]) * (op[4] - op[3]) > SMALL_ALIGNMENT for op in ops
    )
    return _merged(ops), coarse


def _gap(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[Opcode]:
    if alo == ahi and blo == bhi:
        return []
    if alo == ahi:
        return [("insert", alo, alo, blo, bhi)]
    if blo == bhi:
        return [("delete", alo, ahi, blo, blo)]
    if (ahi - alo) * (bhi - blo) > SMALL_ALIGNMENT:
        return [("replace", alo, ahi, blo, bhi)]
    matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
    return [
        (t, i1 + alo, i2 + alo, j1 + blo, j2 + blo) for t, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def _anchors(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Pairs (i, j) of keys occurring once in a[alo:ahi] and once in b[blo:bhi], the longest
    chain increasing on both sides (patience sorting, O(k log k))."""
    counts: dict[str, list[int]] = {}
    for i in range(alo, ahi):
        counts.setdefault(a[i], [0, 0, i])[0] += 1
    for j in range(blo, bhi):
        entry = counts.get(b[j])
        if entry is not None:
            entry[1] += 1
            entry.append(j)
    pairs = sorted((e[2], e[3]) for e in counts.values() if e[0] == 1 and e[1] == 1)
    tops: list[int] = []  # the smallest j ending a chain of each length
    ends: list[int] = []  # index in pairs of that chain's end
    before: list[int] = [-1] * len(pairs)
    for index, (_i, j) in enumerate(pairs):
        at = bisect_left(tops, j)
        before[index] = ends[at - 1] if at else -1
        if at == len(tops):
            tops.append(j)
            ends.append(index)
        else:
            tops[at], ends[at] = j, index
    chain: list[tuple[int, int]] = []
    index = ends[-1] if ends else -1
    while index >= 0:
        chain.append(pairs[index])
        index = before[index]
    return chain[::-1]


def _merged(ops: list[Opcode]) -> list[Opcode]:
    """Neighbouring opcodes of one kind joined; a delete next to an insert is a replace."""
    out: list[Opcode] = []
    for op in ops:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if out and (out[-1][0] == "equal") == (op[0] == "equal"):
            _tag, i1, _i2, j1, _j2 = out[-1]
            i2, j2 = op[2], op[4]
            tag = "equal" if op[0] == "equal" else (
                "replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert"
            )  # fmt: skip
            out[-1] = (tag, i1, i2, j1, j2)
        else:
            out.append(op)
    return out


def _tokens(text: str) -> list[str]:
    """Display words, with punctuation at a word's edges split off as its own token, so that
    "الحين." → "الحين وحتى اليوم." shows two inserted words, not a replaced one. A token keeps
    the space before it (none for the first token and for split-off punctuation), so the texts
    of a block's word runs, concatenated, give the block back exactly."""
    tokens: list[str] = []
    for word in display_text(text).split():
        lead = len(word) - len(word.lstrip(_PUNCTUATION))
        core = word.strip(_PUNCTUATION)
        trail = len(word) - lead - len(core)
        pieces = [word[:lead], core, word[len(word) - trail :]] if core else [word]
        first = True
        for piece in pieces:
            if piece:
                tokens.append(f" {piece}" if first and tokens else piece)
                first = False
    return tokens


# A run between spaces holding a letter or digit (`[^\W_]` is `str.isalnum`) other than tatweel.
_WORD = re.compile(r"\S*[^\W_\u0640]\S*")


def count_words(text: str) -> int:
    """Words in a run of text: punctuation alone is not a word, nor a lone tatweel, which Arabic
    typesetting uses as a dash ("خاص ـ المركز")."""
    return len(_WORD.findall(text))


def _deleted(blocks: Sequence[Block], i: int) -> BlockOp:
    return BlockOp("delete", old=i, kind=blocks[i].kind, text=display_text(blocks[i].text))


def _inserted(blocks: Sequence[Block], j: int) -> BlockOp:
    return BlockOp("insert", new=j, kind=blocks[j].kind, text=display_text(blocks[j].text))


def _replaced(
    old_blocks: Sequence[Block],
    new_blocks: Sequence[Block],
    olds: range,
    news: range,
    budget: _Budget,
) -> list[BlockOp]:
    """Pair the replaced blocks in order: each old block with the most similar new block still
    ahead of the last pairing; new blocks skipped over are additions, unpaired olds removals.
    Once the budget is spent, the rest are removals and additions."""
    old_words = {i: _tokens(old_blocks[i].text) for i in olds}
    new_words = {j: _tokens(new_blocks[j].text) for j in news}
    old_wkeys = {i: [_word_key(w.lstrip()) for w in ws] for i, ws in old_words.items()}
    new_wkeys = {j: [_word_key(w.lstrip()) for w in ws] for j, ws in new_words.items()}
    ops: list[BlockOp] = []
    next_new = news.start
    for i in olds:
        if budget.coarse:
            ops.append(_deleted(old_blocks, i))
            continue
        best_j, best_ratio = None, CHANGED_BLOCK_RATIO
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(old_wkeys[i])  # seq2 is the one SequenceMatcher indexes: reuse it
        for j in range(next_new, news.stop):
            if not budget.take(1):
                break
            matcher.set_seq1(new_wkeys[j])
            if matcher.real_quick_ratio() < best_ratio:
                continue
            if not budget.take(len(new_wkeys[j]) + len(old_wkeys[i])):
                break
            if matcher.quick_ratio() < best_ratio:
                continue
            # ratio() can be quadratic in the words of a long pair; quick_ratio bounds it above
            big = len(new_wkeys[j]) * len(old_wkeys[i]) > WORD_PAIRS
            ratio = matcher.quick_ratio() if big else matcher.ratio()
            if ratio >= best_ratio and (best_j is None or ratio > best_ratio):
                best_j, best_ratio = j, ratio
        if best_j is None:
            ops.append(_deleted(old_blocks, i))
            continue
        ops.extend(_inserted(new_blocks, j) for j in range(next_new, best_j))
        words = _word_ops(old_words[i], new_words[best_j], old_wkeys[i], new_wkeys[best_j], budget)
        ops.append(BlockOp("change", old=i, new=best_j, kind=new_blocks[best_j].kind, words=words))
        next_new = best_j + 1
    ops.extend(_inserted(new_blocks, j) for j in range(next_new, news.stop))
    return ops


def _word_ops(
    old: list[str],
    new: list[str],
    old_keys: list[str],
    new_keys: list[str],
    budget: _Budget | None = None,
) -> tuple[WordOp, ...]:
    ops: list[WordOp] = []
    budget = budget or _Budget()
    head = 0
    while head < len(old_keys) and head < len(new_keys) and old_keys[head] == new_keys[head]:
        head += 1
    tail = 0
    while (
        tail < len(old_keys) - head
        and tail < len(new_keys) - head
        and old_keys[-1 - tail] == new_keys[-1 - tail]
    ):
        tail += 1
    middle = (len(old_keys) - head - tail) * (len(new_keys) - head - tail)
    if middle > WORD_PAIRS or not budget.take(len(old_keys) + len(new_keys)):
        budget.coarse = True
        opcodes: Sequence[Opcode] = _merged([
            ("equal", 0, head, 0, head),
            ("replace", head, len(old) - tail, head, len(new) - tail),
            ("equal", len(old) - tail, len(old), len(new) - tail, len(new)),
        ])  # fmt: skip
    else:
        opcodes = SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            # The new spelling is what the page shows now (e.g. with harakat added).
            ops.append(("equal", "".join(new[j1:j2])))
            continue
        if i2 > i1:
            ops.append(("delete", "".join(old[i1:i2])))
        if j2 > j1:
            ops.append(("insert", "".join(new[j1:j2])))
    return tuple(ops)


def _tally(ops: tuple[BlockOp, ...], *, coarse: bool = False) -> Diff:
    added = removed = 0
    for op in ops:
        if op.op == "insert":
            added += count_words(op.text or "")
        elif op.op == "delete":
            removed += count_words(op.text or "")
        elif op.op == "change":
            added += sum(count_words(t) for kind, t in op.words if kind == "insert")
            removed += sum(count_words(t) for kind, t in op.words if kind == "delete")
    return Diff(
        blocks=ops,
        words_added=added,
        words_removed=removed,
        blocks_added=sum(op.op == "insert" for op in ops),
        blocks_removed=sum(op.op == "delete" for op in ops),
        blocks_changed=sum(op.op == "change" for op in ops),
        coarse=coarse,
    )
