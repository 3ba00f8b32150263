"""Arabic text in two layers: display text (faithful to the page) and match key (never shown).

Display text is what people read and what a version stores; it keeps harakat and the spelling the
page used, and only removes what a reader cannot see or what copy-paste damaged (presentation
forms, elongation, invisible controls). The match key folds the spelling variants that Arabic
readers treat as one word (hamza on alef, alef maqsura, taa marbuta, digit systems, punctuation),
so that hashing, comparing and searching do not flag a change nobody would call a change.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic letters that take part in joining (tatweel U+0640 itself excluded), plus the marks that
# may sit between a letter and an elongation. Used to tell elongation from a dash.
_LETTER = "\u0620-\u063f\u0641-\u064a\u066e-\u06d3\u06d5\u06ee-\u06ff"
_MARK = "\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06ed"


# Presentation forms A (U+FB50–U+FDFF) and B (U+FE70–U+FEFF) are what PDF copies and old
# pages carry instead of letters; NFKC maps each to its base letters. The isolated harakat forms
# (e.g. U+FE76) decompose to SPACE + mark, so the space is dropped to keep the mark on its letter.
def _presentation_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for start, end in ((0xFB50, 0xFDFF), (0xFE70, 0xFEFE)):
        for code in range(start, end + 1):
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char)
            if folded != char:
                # Medial harakat forms (e.g. U+FE77) fold to tatweel + mark: keep the mark only.
                table[code] = folded.lstrip(" \u0640") or folded
    return table


# Invisible characters a reader cannot see: zero-width space/joiner, word joiner, BOM, soft hyphen,
# Arabic letter mark, LRM/RLM, bidi embeddings/overrides (U+202A–E) and isolates (U+2066–9).
# ZWNJ (U+200C) is handled apart: Persian and some Arabic typing uses it between letters.
_INVISIBLE = {
    code: None
    for code in (
        0x200B,
        0x200D,
        0x2060,
        0xFEFF,
        0x00AD,
        0x061C,
        0x200E,
        0x200F,
        0x180E,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}
_DISPLAY_TABLE = {**_presentation_table(), **_INVISIBLE}

_ZWNJ_STRAY = re.compile(f"\u200c+(?![{_LETTER}])|(?<![{_LETTER}{_MARK}])\u200c+")
# Elongation: tatweel with a letter (or mark) on both sides. A tatweel with a space (or the text's
# edge) on a side is kept: Arabic news uses it as a dash, as the seed does ("خاص ـ المركز").
_ELONGATION = re.compile(f"(?<=[{_LETTER}{_MARK}])\u0640+(?=[{_LETTER}{_MARK}])")
_WS = re.compile(r"\s+")


# str.translate with a dict walks the string in Python-level steps; search first, in C.
_NEEDS_TABLE = re.compile(
    "["
    + "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF)))
    + "".join(f"\\U{code:08x}" for code in _INVISIBLE)
    + "]"
)


# C0 and C1 controls that are not whitespace (those become a space like any other): ESC and BEL
# in a scraped page would reach a terminal as escape sequences (`ESC]0;…BEL` retitles it,
# `ESC[2J` clears it). `isprintable` is False for all of them, so printable text never pays.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def display_text(text: str) -> str:
    """Text as shown to people: invisible and copy-paste damage removed, nothing readers see."""
    if text.isascii():  # none of the steps below touches ASCII but the last
        return _single_spaced(text)
    if _NEEDS_TABLE.search(text):
        text = text.translate(_DISPLAY_TABLE)
    text = unicodedata.normalize("NFC", text)
    if "\u200c" in text:
        text = _ZWNJ_STRAY.sub("", text)
    if "\u0640" in text:
        text = _ELONGATION.sub("", text)
    return _single_spaced(text)


def _single_spaced(text: str) -> str:
    """`" ".join(text.split())` without making a string of every word, which was most of the
    cost of normalising an article. The space is the one whitespace character `isprintable`
    accepts, so printable text needs only its runs of spaces and its ends looked at."""
    if "\n" in text:  # line breaks of the HTML source, the usual unprintable character
        text = text.replace("\n", " ")
    if not text.isprintable():
        if _CONTROL.search(text):
            text = _CONTROL.sub("", text)
        return " ".join(text.split())
    while "  " in text:
        text = text.replace("  ", " ")
    if text.startswith(" ") or text.endswith(" "):
        text = text.strip(" ")
    return text


# Harakat (U+064B–U+065F), superscript alef (U+0670), Quranic annotation marks.
_HARAKAT = re.compile(f"[{_MARK}]")
_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"
_FOLD = str.maketrans(
    {
        # Hamza forms of alef and wasla are written interchangeably in news text.
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        # Alef maqsura and yaa, taa marbuta and haa are confused at word ends.
        "ى": "ي",
        "ة": "ه",
        # Persian keyboards type keheh and Farsi yeh for kaf and yaa.
        "ک": "ك",
        "ی": "ي",
        **{digit: str(index % 10) for index, digit in enumerate(_DIGITS)},
        # Punctuation: the Arabic marks and their Latin twins compare equal.
        "،": ",",
        "؛": ";",
        "؟": "?",
        "٪": "%",
        "٫": ".",
        "٬": ",",
        "۔": ".",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‹": '"',
        "›": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "′": "'",
        "–": "-",
        "—": "-",
        "‒": "-",
        "―": "-",
        "−": "-",
        "ـ": "-",
        "…": "...",
        "\u200c": None,
    }
)


# str.translate looks every character up in the table, one Python dictionary lookup each. A
# short text (a word, a title) is folded by a regular expression that finds the few characters
# to fold; a long one has hundreds of them (ة and أ are in most Arabic words), so it is folded
# by one `str.replace` per character it holds, each a pass in C: 8× faster on an article.
_FOLDED = re.compile("[" + "".join(re.escape(chr(code)) for code in _FOLD) + "]")
_FOLD_AS = {chr(code): folded or "" for code, folded in _FOLD.items()}
_FOLD_PAIRS = tuple(_FOLD_AS.items())  # no folded form is itself folded: one pass each is all
_LONG = 64  # characters; from here the passes cost less than the regular expression


def _fold(match: re.Match[str]) -> str:
    return _FOLD_AS[match.group()]


def _folded(text: str) -> str:
    if len(text) < _LONG:
        return _FOLDED.sub(_fold, text)
    for char, folded in _FOLD_PAIRS:
        if char in text:
            text = text.replace(char, folded)
    return text


def match_key(text: str) -> str:
    """Text as compared and hashed: spelling variants readers treat as one word become one."""
    if text.isascii():  # no harakat, nothing to fold
        return _single_spaced(text).lower()
    return displayed_match_key(display_text(text))


def displayed_match_key(text: str) -> str:
    """`match_key` of a text already in display form (a stored version's block), without doing
    the display step again: that step is two thirds of the cost on an article."""
    return _folded(_HARAKAT.sub("", text)).lower()


_WORD = re.compile(r"\w+")


def match_tokens(text: str) -> list[str]:
    """The words of `text` as compared: match key without punctuation, in order."""
    return _WORD.findall(match_key(text))


_ASCII_RUNS = re.compile("[\x00-\x7f]+")
_ASCII_NOT_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())


def arabic_ratio(text: str) -> float:
    """Share of letters in the first 2000 characters of `text` that are Arabic script, to guess
    language and direction. In a text mostly ASCII (what most pages without `lang` or `dir`
    hold), the ASCII letters are counted in C and only the other characters one by one."""
    sample = text[:2000]
    ascii_part = sample.encode("ascii", "ignore")
    if 2 * len(ascii_part) < len(sample):
        letters, others = 0, sample
    else:
        letters = len(ascii_part.translate(None, _ASCII_NOT_LETTERS))
        others = _ASCII_RUNS.sub("", sample)
    arabic = 0
    for char in others:
        if char.isalpha():
            letters += 1
            if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f":
                arabic += 1
    return arabic / letters if letters else 0.0
