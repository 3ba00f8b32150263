"""Block and word diffs between versions of the seed article."""

from __future__ import annotations

from collections.abc import Iterator
from difflib import SequenceMatcher
from pathlib import Path

import pytest

import store.diff
from crawler.arabic import display_text
from crawler.models import Block
from store.diff import SMALL_ALIGNMENT, WORD_PAIRS, WORD_WORK, Diff, diff_snapshots

SEED = Path(__file__).parents[1] / "seeds" / "000_3b1ee1feec353f5c.txt"
PARAGRAPHS = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()][:-1]
OLD = tuple(Block("heading" if len(p) < 80 else "paragraph", p) for p in PARAGRAPHS)


# What one diff may cost, in word (or block) comparisons: twice the sum of its bounds. Counted,
# not timed: a time limit fails on a busy shared machine and passes on a fast one that hides a
# quadratic step.
WORK_LIMIT = 2 * (WORD_WORK + SMALL_ALIGNMENT + WORD_PAIRS)


class WorkExceeded(AssertionError):
    pass


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every SequenceMatcher the diff makes charges the most its calls can cost: indexing a
    sequence its length, `real_quick_ratio` one, `quick_ratio` both lengths, and the matching
    blocks (`ratio`, `get_opcodes`) the product of the lengths. Past WORK_LIMIT it stops the
    diff, so an unbounded step fails at once instead of running for minutes."""
    spent = [0]

    def charge(units: int) -> None:
        spent[0] += units
        if spent[0] > WORK_LIMIT:
            raise WorkExceeded(f"the diff compared more than {WORK_LIMIT:,} pairs")

    class Counted(SequenceMatcher):  # type: ignore[type-arg]
        def set_seq2(self, b):  # type: ignore[no-untyped-def]
            charge(len(b))
            super().set_seq2(b)

        def real_quick_ratio(self) -> float:
            charge(1)
            return super().real_quick_ratio()

        def quick_ratio(self) -> float:
            charge(len(self.a) + len(self.b))
            return super().quick_ratio()

        def get_matching_blocks(self):  # type: ignore[no-untyped-def]
            if self.matching_blocks is None:
                charge(len(self.a) * len(self.b))
            return super().get_matching_blocks()

    monkeypatch.setattr(store.diff, "SequenceMatcher", Counted)
    yield spent


def edited(index: int, text: str, blocks: tuple[Block, ...] = OLD) -> tuple[Block, ...]:
    out = list(blocks)
    out[index] = Block(out[index].kind, text)
    return tuple(out)


def rebuild_new(old: tuple[Block, ...], diff: Diff) -> list[str]:
    """The new version's texts from the old one plus the stored diff: a diff that loses
    anything cannot render the new version faithfully."""
    texts: list[str] = []
    for op in diff.blocks:
        if op.op == "equal":
            assert op.old is not None
            texts.extend(display_text(b.text) for b in old[op.old : op.old + op.count])
        elif op.op in ("insert", "change"):
            texts.append(op.new_text() or "")
    return texts


def test_one_edited_paragraph_gives_word_operations_in_one_changed_block() -> None:
    source = PARAGRAPHS[7]
    new_text = source.replace("الجوهرية", "العميقة").replace(
        "منذ ذلك الحين", "منذ ذلك الحين وحتى اليوم"
    )
    new = edited(7, new_text)
    diff = diff_snapshots(OLD, new)
    assert (diff.blocks_changed, diff.blocks_added, diff.blocks_removed) == (1, 0, 0)
    assert (diff.words_added, diff.words_removed) == (3, 1)
    [change] = [op for op in diff.blocks if op.op == "change"]
    assert (change.old, change.new) == (7, 7)
    assert [(op, text.strip()) for op, text in change.words if op != "equal"] == [
        ("delete", "الجوهرية"),
        ("insert", "العميقة"),
        ("insert", "وحتى اليوم"),  # the full stop after الحين stays equal
    ]
    old_text = "".join(text for op, text in change.words if op != "insert").strip()
    assert old_text == display_text(source)
    assert change.new_text() == display_text(new_text)
    assert diff.summary() == "+3 \u22121 words in 1 block (1 changed)"
    assert rebuild_new(OLD, diff) == [display_text(b.text) for b in new]


def test_stored_diff_of_a_12kb_article_with_one_edit_is_small_and_round_trips() -> None:
    article_bytes = sum(len(p.encode()) for p in PARAGRAPHS)
    assert article_bytes > 12_000
    diff = diff_snapshots(OLD, edited(12, PARAGRAPHS[12].replace("أربعة", "خمسة")))
    raw = diff.to_json()
    assert len(raw.encode()) < len(PARAGRAPHS[12].encode()) + 400
    assert "\\u" not in raw and "خمسة" in raw  # Arabic stored as itself, readable in Datasette
    assert Diff.from_json(raw) == diff


def test_first_version_is_all_words_added() -> None:
    diff = diff_snapshots((), OLD)
    # dashes ("–", and the tatweel the byline uses as one) are not words
    dashes = {"–", "ـ", "ــ"}
    assert diff.words_added == sum(w not in dashes for p in PARAGRAPHS for w in p.split())
    assert (diff.blocks_added, diff.words_removed) == (len(OLD), 0)
    assert rebuild_new((), diff) == [display_text(p) for p in PARAGRAPHS]


def test_identical_versions_have_no_change() -> None:
    diff = diff_snapshots(OLD, OLD)
    assert not diff.changed
    assert [op.op for op in diff.blocks] == ["equal"]
    assert diff.summary() == "no change in the text"


def test_harakat_and_alef_forms_are_not_word_changes() -> None:
    noisy = PARAGRAPHS[6].replace("الأطلسي", "الأَطْلَسِيّ").replace("أظهرت", "اظهرت")
    assert noisy != PARAGRAPHS[6]
    assert not diff_snapshots(OLD, edited(6, noisy)).changed


def test_harakat_next_to_a_real_edit_show_in_new_spelling_but_not_as_changes() -> None:
    noisy = PARAGRAPHS[6].replace("أظهرت قمة", "أَظْهَرَتْ قمة").replace("مدريد", "مدريد الإسبانية")
    [change] = [op for op in diff_snapshots(OLD, edited(6, noisy)).blocks if op.op == "change"]
    assert [w for w in change.words if w[0] != "equal"] == [("insert", " الإسبانية")]
    assert change.words[0][1].startswith("أَظْهَرَتْ قمة")


def test_punctuation_edit_is_a_change_but_not_a_word() -> None:
    diff = diff_snapshots(OLD, edited(3, PARAGRAPHS[3].replace("المتغيرة", "المتغيرة،")))
    [change] = [op for op in diff.blocks if op.op == "change"]
    assert [w for w in change.words if w[0] != "equal"] == [("insert", "،")]
    assert (diff.words_added, diff.words_removed, diff.blocks_changed) == (0, 0, 1)


def test_added_and_removed_paragraphs() -> None:
    new = list(OLD)
    del new[9]
    new.insert(3, Block("heading", "تحديثات بعد قمة واشنطن"))
    diff = diff_snapshots(OLD, tuple(new))
    assert (diff.blocks_added, diff.blocks_removed, diff.blocks_changed) == (1, 1, 0)
    assert diff.words_added == 4
    assert diff.words_removed == len(PARAGRAPHS[9].split())
    inserted = [op for op in diff.blocks if op.op == "insert"]
    assert [(op.new, op.kind, op.text) for op in inserted] == [
        (3, "heading", "تحديثات بعد قمة واشنطن")
    ]
    assert [op.old for op in diff.blocks if op.op == "delete"] == [9]
    assert rebuild_new(OLD, diff) == [display_text(b.text) for b in new]


def test_a_paragraph_replaced_by_unrelated_text_is_removed_and_added_not_changed() -> None:
    unrelated = "أعلنت وزارة الزراعة اليوم عن موسم حصاد وفير للقمح في المناطق الشمالية هذا العام."
    diff = diff_snapshots(OLD, edited(14, unrelated))
    assert (diff.blocks_changed, diff.blocks_added, diff.blocks_removed) == (0, 1, 1)


def test_replaced_run_pairs_the_similar_block_and_adds_the_new_one() -> None:
    new = list(OLD)
    new[10:11] = [
        Block("paragraph", "فقرة جديدة تماما عن اجتماع وزراء الدفاع في بروكسل الأسبوع المقبل."),
        Block("paragraph", PARAGRAPHS[10].replace("قوي", "متين")),
    ]
    diff = diff_snapshots(OLD, tuple(new))
    kinds = [(op.op, op.old, op.new) for op in diff.blocks if op.op != "equal"]
    assert kinds == [("insert", None, 10), ("change", 10, 11)]
    assert rebuild_new(OLD, diff) == [display_text(b.text) for b in new]


def test_diff_is_deterministic() -> None:
    new = edited(3, PARAGRAPHS[3] + " وهذا أمر مهم."), edited(17, "نص مختلف كليا")
    assert diff_snapshots(OLD, new[0]).to_json() == diff_snapshots(OLD, new[0]).to_json()
    assert diff_snapshots(OLD, new[1]).to_json() == diff_snapshots(OLD, new[1]).to_json()


def test_unknown_stored_format_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="format 99"):
        Diff.from_json('{"format":99,"blocks":[]}')


def _short_blocks(seed: int, count: int) -> tuple[Block, ...]:
    words = [f"كلمة{n}" for n in range(5000)]
    pick = __import__("random").Random(seed).choice
    return tuple(Block("paragraph", " ".join(pick(words) for _ in range(5))) for _ in range(count))


def test_three_thousand_short_changed_blocks_diff_in_bounded_work_and_say_so(work) -> None:
    # Every new block was tried against every old one: 1,000 took 1 s, 3,000 about 9 s, all
    # inside the check's write lock (and 10 minutes in the diff page): 9,000,000 pairs.
    old, new = _short_blocks(1, 3000), _short_blocks(2, 3000)
    diff = diff_snapshots(old, new)
    assert work[0] <= WORK_LIMIT
    assert diff.coarse
    assert diff.summary().endswith("; too many changes to show word by word")
    assert rebuild_new(old, diff) == [b.text for b in new]  # coarse, but nothing lost
    assert Diff.from_json(diff.to_json()) == diff
    assert '"coarse"' not in diff_snapshots(OLD, edited(3, OLD[3].text + " جديد")).to_json()


def test_many_edits_between_unchanged_blocks_stay_word_by_word(work) -> None:
    old = _short_blocks(3, 3000)
    new = tuple(b if n % 2 else Block(b.kind, b.text + " زيادة") for n, b in enumerate(old))
    diff = diff_snapshots(old, new)
    assert 0 < work[0] <= WORK_LIMIT
    assert (diff.blocks_changed, diff.words_added, diff.coarse) == (1500, 1500, False)
    assert rebuild_new(old, diff) == [b.text for b in new]


def test_one_huge_rewritten_block_is_not_diffed_word_by_word(work) -> None:
    vocabulary = [f"w{n}" for n in range(30)]
    pick = __import__("random").Random(5).choice
    old = (Block("paragraph", " ".join(pick(vocabulary) for _ in range(20_000))),)
    new = (Block("paragraph", " ".join(pick(vocabulary) for _ in range(20_000))),)
    diff = diff_snapshots(old, new)
    assert work[0] <= WORK_LIMIT  # word by word: 400,000,000 pairs
    assert diff.coarse and rebuild_new(old, diff) == [new[0].text]


def test_the_work_counter_stops_an_unbounded_diff(work, monkeypatch) -> None:
    """The counter can fail: with the bound on a word diff's pairs lifted, the huge rewritten
    block is compared word by word until the counter stops it."""
    monkeypatch.setattr(store.diff, "WORD_PAIRS", 10**12)
    vocabulary = [f"w{n}" for n in range(30)]
    pick = __import__("random").Random(5).choice
    old = (Block("paragraph", " ".join(pick(vocabulary) for _ in range(20_000))),)
    new = (Block("paragraph", " ".join(pick(vocabulary) for _ in range(20_000))),)
    with pytest.raises(WorkExceeded):
        diff_snapshots(old, new)
