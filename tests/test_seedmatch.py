"""The seed article against pages that carry it whole, extended, edited, reordered or in half."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from store.seedmatch import Alignment, SeedError, align, load_seed, parse_seed, seed_similarity

SEED_PATH = Path(__file__).parents[1] / "seeds" / "000_3b1ee1feec353f5c.txt"
SEED = load_seed(SEED_PATH)
TRUNCATED = next(i for i, p in enumerate(SEED.paragraphs) if p.endswith("أن هذه الشراكات"))
CONTINUATION = " يمكن أن تساعد في تعزيز الردع والدفاع في منطقة المحيطين الهندي والهادئ."


def with_harakat(text: str) -> str:
    return text.replace("حلف", "حِلْفُ").replace("الأطلسي", "الأَطْلَسِيّ")


def test_load_seed_strips_the_short_link_line() -> None:
    assert SEED.name == "000_3b1ee1feec353f5c.txt"
    assert SEED.url == "https://www.europarabct.com/?p=95655"
    assert len(SEED.paragraphs) == 22
    assert not any("europarabct.com" in p for p in SEED.paragraphs)
    assert SEED.paragraphs[0].startswith("خاص ـ المركز الأوروبي")
    assert SEED.text.endswith("تخدم مصالح كلا الجانبين.")


def test_bare_url_last_line_and_blank_lines() -> None:
    seed = parse_seed(
        "x.txt", "\n\nالفقرة الأولى عن الناتو.\n\n  \nالفقرة الثانية.\nhttps://example.org/?p=1\n\n"
    )
    assert seed.paragraphs == ("الفقرة الأولى عن الناتو.", "الفقرة الثانية.")
    assert seed.url == "https://example.org/?p=1"
    no_link = parse_seed(
        "y.txt", "فقرة تذكر الرابط https://example.org في وسطها ثم تكمل الكلام بعده."
    )
    assert no_link.url is None and len(no_link.paragraphs) == 1


def test_a_seed_with_no_text_is_refused_with_its_name(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("رابط مختصر.. https://www.europarabct.com/?p=1\n", encoding="utf-8")
    with pytest.raises(SeedError, match="empty.txt"):
        load_seed(empty)
    with pytest.raises(SeedError, match="absent.txt"):
        load_seed(tmp_path / "absent.txt")


def test_similarity_of_the_same_text_is_one() -> None:
    assert seed_similarity(SEED.text, SEED.text) == 1.0


def test_similarity_ignores_title_line_whitespace_and_harakat() -> None:
    page = "الناتو ومنطقة المحيطين الهندي والهادئ\n\n" + "\n\n  ".join(
        with_harakat(p) for p in SEED.paragraphs
    )
    page = unicodedata.normalize("NFD", page)
    assert seed_similarity(SEED.text, page) >= 0.95


def test_similarity_falls_with_half_the_text_and_is_low_for_another_article() -> None:
    half = "\n".join(SEED.paragraphs[:11])
    assert 0.3 < seed_similarity(SEED.text, half) < 0.7
    other = (
        "أعلنت وزارة الزراعة عن موسم حصاد وفير للقمح في المناطق الشمالية هذا العام بعد أمطار غزيرة."
    )
    assert seed_similarity(SEED.text, other) < 0.01


def test_seed_against_itself_is_all_found() -> None:
    alignment = align(SEED.paragraphs, SEED.paragraphs)
    assert alignment.counts() == {"found": 22, "extended": 0, "changed": 0, "missing": 0}
    assert [m.page for m in alignment.matches] == list(range(22))
    assert alignment.coverage == 1.0 and alignment.extra == () and alignment.in_order


def test_truncated_paragraph_continuing_on_the_page_is_extended_not_changed() -> None:
    page = list(map(with_harakat, SEED.paragraphs))
    page[TRUNCATED] += CONTINUATION
    page.insert(0, "عنوان المقال: الناتو ومنطقة المحيطين الهندي والهادئ")
    alignment = align(SEED.paragraphs, page)
    match = alignment.matches[TRUNCATED]
    assert (match.status, match.page) == ("extended", TRUNCATED + 1)
    assert alignment.counts() == {"found": 21, "extended": 1, "changed": 0, "missing": 0}
    assert alignment.coverage == 1.0
    assert alignment.extra == (0,)  # the page's own title line


def test_truncated_paragraph_joined_with_the_next_one_still_counts_whole() -> None:
    page = list(SEED.paragraphs)
    page[TRUNCATED : TRUNCATED + 2] = [page[TRUNCATED] + " " + page[TRUNCATED + 1]]
    alignment = align(SEED.paragraphs, page)
    assert [m.status for m in alignment.matches[TRUNCATED : TRUNCATED + 2]] == ["extended"] * 2
    assert alignment.coverage == 1.0


def test_a_page_quoting_half_of_the_seed() -> None:
    page = (
        ["رأي: ما الذي تعنيه شراكات الناتو في آسيا؟"]
        + list(SEED.paragraphs[:11])
        + ["وفي رأينا أن هذه الشراكات ستبقى محدودة ما لم تتفق الدول الأعضاء على أولوياتها في آسيا."]
    )
    alignment = align(SEED.paragraphs, page)
    assert [m.status for m in alignment.matches] == ["found"] * 11 + ["missing"] * 11
    assert alignment.coverage == pytest.approx(0.5)
    assert alignment.extra == (0, 12)


def test_an_edited_paragraph_is_changed_with_its_ratio() -> None:
    page = list(SEED.paragraphs)
    page[8] = page[8].replace("التشخيص", "التحليل").replace("بشكل مباشر", "بوضوح")
    alignment = align(SEED.paragraphs, page)
    match = alignment.matches[8]
    assert (match.status, match.page) == ("changed", 8)
    assert 0.9 < match.ratio < 1.0
    assert alignment.coverage == pytest.approx(21 / 22)
    assert alignment.extra == ()


def test_a_rewritten_paragraph_is_missing_and_the_rewrite_is_extra() -> None:
    page = list(SEED.paragraphs)
    page[9] = (
        "وانتقد المفهوم سياسات الصين بشدة وحذر من تقاربها مع روسيا ومن دعم كوريا الشمالية وإيران لها."
    )
    alignment = align(SEED.paragraphs, page)
    assert alignment.matches[9].status == "missing"
    assert alignment.extra == (9,)


def test_reordered_paragraphs_are_all_found_and_reported_out_of_order() -> None:
    page = list(SEED.paragraphs)
    page[2], page[16] = page[16], page[2]
    alignment = align(SEED.paragraphs, page)
    assert alignment.coverage == 1.0
    assert alignment.matches[2].page == 16 and alignment.matches[16].page == 2
    assert not alignment.in_order


def test_alignment_json_is_compact_and_round_trips() -> None:
    page = list(SEED.paragraphs[:15])
    page[3] = page[3].replace("روسيا والصين", "الصين وروسيا وإيران")
    alignment = align(SEED.paragraphs, page)
    raw = alignment.to_json()
    assert len(raw) < 1000
    assert Alignment.from_json(raw) == alignment
