"""The two layers of Arabic text: display text stays faithful, the match key folds variants."""

import pytest

from crawler.arabic import display_text, match_key, match_tokens


def test_tatweel_standing_alone_is_a_dash_and_stays():
    # The seed's first line: tatweel between spaces is punctuation, not elongation.
    line = "خاص ـ المركز الأوروبي لدراسات مكافحة الارهاب والاستخبارات ـ ألمانيا وهولندا ECCI"
    assert display_text(line) == line
    assert display_text("التشغيل البيني ــ أي العمل معاً") == "التشغيل البيني ــ أي العمل معاً"


def test_tatweel_inside_a_word_is_removed():
    assert display_text("الأوروبـــي والاستخبـارات") == "الأوروبي والاستخبارات"


def test_tatweel_after_a_prefix_before_a_number_is_kept():
    # "بـ 30" (with 30) is how news writes a prefix before digits; not elongation.
    assert display_text("بـ 30 مليون") == "بـ 30 مليون"


def test_presentation_forms_become_base_letters():
    copied = "\ufe8d\ufedf\ufeb4\ufefc\ufee1 \ufecb\ufee0\ufef4\ufedc\ufee2"  # from a PDF
    assert display_text(copied) == "السلام عليكم"
    assert display_text("\ufefb") == "لا"  # lam-alef ligature
    assert display_text("\ufdf2") == "الله"


def test_presentation_form_hamza_letters_compose():
    # alef-with-hamza isolated, seen initial, teh medial, reh final, alef, lam initial, yeh medial
    copied = "\ufe83\ufeb3\ufe98\ufeae\ufe8e\ufedf\ufef4\ufe8e"
    assert display_text(copied) == "أستراليا"
    assert display_text(copied) == display_text("أستراليا")


def test_zero_width_and_bidi_controls_are_removed():
    text = "\u200fحلف\u200b شمال\u202b الأطلسي\u202c\u2066 IP4\u2069\ufeff"
    assert display_text(text) == "حلف شمال الأطلسي IP4"


def test_zwnj_kept_between_letters_only():
    assert display_text("می\u200cخواهم") == "می\u200cخواهم"
    assert display_text("\u200cكلمة \u200c أخرى\u200c") == "كلمة أخرى"


def test_whitespace_collapsed_and_harakat_kept():
    text = "  تُرى\u00a0في\n\tالمقام   الأول\u2028"
    assert display_text(text) == "تُرى في المقام الأول"


def test_display_text_is_nfc():
    decomposed = "\u0627\u0654"  # alef + combining hamza above
    assert display_text(decomposed) == "\u0623"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("أستراليا", "استراليا"),
        ("إدارة", "اداره"),
        ("آثار", "اثار"),
        ("ٱلله", "الله"),
        ("إلى", "الي"),
        ("تُرى", "تري"),
        ("تقدمًا", "تقدما"),
        ("هٰذا", "هذا"),  # superscript alef
        ("٢٠٢٤", "2024"),
        ("۲۰۲۴", "2024"),
        ("IP4", "ip4"),
        ("«الناتو»", '"الناتو"'),
        ("هل؟ نعم، لا؛", "هل? نعم, لا;"),
        ("خاص ـ المركز", "خاص - المركز"),
        ("الناتو – IP4", "الناتو - ip4"),
    ],
)
def test_match_key_folds_what_readers_treat_as_the_same(left, right):
    assert match_key(left) == match_key(right)


def test_match_key_keeps_different_words_different():
    assert match_key("الأمن") != match_key("الأمم")
    assert match_key("كتب") != match_key("كتاب")


def test_match_tokens_drop_punctuation():
    assert match_tokens("في عام ٢٠١٠، حدد «الحلف» ثلاث مهام: الدفاع.") == [
        "في",
        "عام",
        "2010",
        "حدد",
        "الحلف",
        "ثلاث",
        "مهام",
        "الدفاع",
    ]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("أستراليا", "استراليا"),
        ("إدارة", "اداره"),
        ("تُرى", "تري"),
        ("٢٠٢٤", "2024"),
        ("«الناتو»", '"الناتو"'),
        ("هل؟ نعم، لا؛", "هل? نعم, لا;"),
        ("خاص ـ المركز", "خاص - المركز"),
        ("الناتو – IP4…", "الناتو - ip4..."),
    ],
)
def test_a_long_text_is_folded_like_its_words(left, right):
    # Articles take another folding path than words and titles: the two must agree.
    filler = "نص " * 40
    assert match_key(f"{filler}{left} {filler}") == match_key(f"{filler}{right} {filler}")
    assert match_key(f"{filler}{left}").endswith(match_key(left))
