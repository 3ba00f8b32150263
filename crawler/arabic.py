"""Arabic text in two layers: display text (faithful) and match key (for hashing and search).

First cut: the extraction issue completes the rule set; the function names are the contract.
"""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def display_text(text: str) -> str:
    """Text as shown to people: NFKC for presentation forms is too lossy, so NFC plus whitespace."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def match_key(text: str) -> str:
    """Text as compared: spelling variants that readers treat as the same word become one."""
    key = _HARAKAT.sub("", display_text(text)).replace("\u0640", "")
    return key.translate(_ALEF).translate(_DIGITS).lower()
