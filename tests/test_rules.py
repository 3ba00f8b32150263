"""The one rule set: what changes the hash, the field mask and the diff, and what never does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from crawler.models import Block, Extracted
from store.diff import diff_snapshots
from store.rules import IgnoreRules, RuleError, changed_fields, content_hash, snapshot

SEED = Path(__file__).parents[1] / "seeds" / "000_3b1ee1feec353f5c.txt"
PARAGRAPHS = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()][:-1]
TITLE = "شراكات حلف شمال الأطلسي مع دول المحيطين الهندي والهادئ"


def article(**changes: object) -> Extracted:
    base = Extracted(
        title=TITLE,
        author="المركز الأوروبي لدراسات مكافحة الإرهاب",
        published="2024-08-01T10:00:00+00:00",
        modified="2024-08-01T10:00:00+00:00",
        categories=("دراسات", "الناتو"),
        tags=("IP4", "الأمن السيبراني"),
        blocks=tuple(Block("paragraph", p) for p in PARAGRAPHS),
    )
    return replace(base, **changes)


def with_block(index: int, text: str) -> tuple[Block, ...]:
    blocks = list(article().blocks)
    blocks[index] = Block(blocks[index].kind, text)
    return tuple(blocks)


def test_noise_only_edit_is_not_a_change() -> None:
    old = snapshot(article())
    # harakat, another alef/yeh form, tatweel and reflowed whitespace: what readers see as the same
    noisy = (
        PARAGRAPHS[1]
        .replace("حلف شمال الأطلسي", "حِلْفُ شَمَالِ الأَطْلَسِيّ")
        .replace("إلى", "الى")
        .replace("الأمن", "الأمـــن")
        .replace(" ", "  \n ")
    )
    new = snapshot(article(blocks=with_block(1, noisy), title=f"  {TITLE}\u064b "))
    assert noisy != PARAGRAPHS[1]
    assert content_hash(new) == content_hash(old)
    assert changed_fields(old, new) == ()
    assert not diff_snapshots(old.blocks, new.blocks).changed


def test_modified_timestamp_alone_is_not_a_change() -> None:
    old = snapshot(article())
    new = snapshot(article(modified="2024-09-15T08:30:00+00:00"))
    assert content_hash(new) == content_hash(old)
    assert changed_fields(old, new) == ()


def test_title_only_change_masks_only_the_title() -> None:
    old = snapshot(article())
    new = snapshot(article(title=TITLE + ": قراءة في قمة واشنطن"))
    assert content_hash(new) != content_hash(old)
    assert changed_fields(old, new) == ("title",)


def test_text_and_tags_change_masks_both_in_fixed_order() -> None:
    old = snapshot(article())
    edited = PARAGRAPHS[4].replace("تغييرات نوعية كبيرة", "تغييرات طفيفة")
    assert edited != PARAGRAPHS[4]
    new = snapshot(article(blocks=with_block(4, edited), tags=("IP4", "الناتو")))
    assert changed_fields(old, new) == ("text", "tags")


def test_reordered_categories_are_not_a_change_but_a_new_category_is() -> None:
    old = snapshot(article())
    assert changed_fields(old, snapshot(article(categories=("الناتو", "دراسات")))) == ()
    assert changed_fields(old, snapshot(article(categories=("الناتو", "دراسات", "آسيا")))) == (
        "categories",
    )


def test_author_and_published_are_tracked() -> None:
    old = snapshot(article())
    new = snapshot(article(author="هيئة التحرير", published="2024-08-02T10:00:00+00:00"))
    assert changed_fields(old, new) == ("author", "published")


def test_first_version_masks_every_field_that_has_a_value() -> None:
    first = snapshot(article(author=None, tags=()))
    assert changed_fields(None, first) == ("title", "text", "published", "categories")


def test_ignored_view_counter_changes_neither_hash_nor_mask_nor_diff() -> None:
    def counted(views: str) -> Extracted:
        return article(blocks=article().blocks + (Block("paragraph", f"عدد المُشاهدات: {views}"),))

    rules = IgnoreRules.from_patterns([r"^عدد المشاهدات: \d+$"])
    old, new = snapshot(counted("١٥٢٠"), rules), snapshot(counted("1633"), rules)
    assert content_hash(old) == content_hash(new) == content_hash(snapshot(article()))
    assert changed_fields(old, new) == ()
    assert not diff_snapshots(old.blocks, new.blocks).changed
    assert "المُشاهدات" not in new.text

    # without the rule the counter is text like any other
    bare_old, bare_new = snapshot(counted("١٥٢٠")), snapshot(counted("1633"))
    assert changed_fields(bare_old, bare_new) == ("text",)
    assert diff_snapshots(bare_old.blocks, bare_new.blocks).blocks_changed == 1


def test_ignore_rule_only_drops_the_blocks_it_matches() -> None:
    rules = IgnoreRules.from_patterns(["^اقرأ أيضا"])
    snap = snapshot(
        article(blocks=(Block("paragraph", "اقرأ أيضاً: الناتو واليابان"),) + article().blocks),
        rules,
    )
    assert [b.text for b in snap.blocks] == PARAGRAPHS


def test_bad_pattern_is_named_in_a_one_line_error() -> None:
    with pytest.raises(RuleError) as caught:
        IgnoreRules.from_patterns([r"\d+", "عدد (المشاهدات"])
    message = str(caught.value)
    assert "عدد (المشاهدات" in message and "\n" not in message


def test_empty_blocks_do_not_count() -> None:
    old = snapshot(article())
    new = snapshot(article(blocks=article().blocks + (Block("paragraph", " \u0640 "),)))
    assert content_hash(new) == content_hash(old)
    assert new.blocks == old.blocks


def test_a_block_split_in_two_is_a_text_change() -> None:
    # Paragraph breaks are visible to readers; the diff shows the split, so the hash must see it.
    first, rest = PARAGRAPHS[2].split("، ", 1)
    blocks = list(article().blocks)
    blocks[2:3] = [Block("paragraph", first + "،"), Block("paragraph", rest)]
    assert changed_fields(snapshot(article()), snapshot(article(blocks=tuple(blocks)))) == ("text",)
