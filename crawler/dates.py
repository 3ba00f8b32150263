"""Publication dates as ISO 8601 strings, from machine values and from Arabic or English prose.

A date with a time and a known UTC offset becomes a full datetime ("2024-07-22T10:15:00+03:00");
anything less certain becomes a plain day ("2024-07-22"), because a local time without its
offset would claim a precision the page does not give.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from crawler.arabic import match_key

# Month names as written in Arabic news: the Gregorian names used in Egypt and the Gulf, the
# Levantine (Syriac) names used in Syria, Lebanon, Jordan and Iraq, and the French-derived names
# of the Maghreb. Keys pass through `match_key`, so hamza and taa-marbuta variants fold together.
_MONTH_NAMES: dict[str, int] = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "أبريل": 4,
    "إبريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يونيه": 6,
    "يوليو": 7,
    "يوليه": 7,
    "أغسطس": 8,
    "سبتمبر": 9,
    "أكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
    "كانون الثاني": 1,
    "شباط": 2,
    "آذار": 3,
    "نيسان": 4,
    "أيار": 5,
    "حزيران": 6,
    "تموز": 7,
    "آب": 8,
    "أيلول": 9,
    "تشرين الأول": 10,
    "تشرين الثاني": 11,
    "كانون الأول": 12,
    "جانفي": 1,
    "فيفري": 2,
    "أفريل": 4,
    "ماي": 5,
    "جوان": 6,
    "جويلية": 7,
    "أوت": 8,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTHS = {match_key(name): number for name, number in _MONTH_NAMES.items()}
_MONTH = "|".join(sorted((re.escape(name) for name in _MONTHS), key=len, reverse=True))
# "22 يوليو/تموز 2024": news agencies give both the Gregorian and the Levantine name.
_MONTH_PAIR = rf"(?P<month>{_MONTH})\.?(?:\s*[/\\(-]\s*(?:{_MONTH})\)?)?"
_B = r"(?<![\w])"  # a left word boundary that also works for Arabic
_E = r"(?![\w])"

_PATTERNS = (
    # 19 أغسطس 2019, ١٩ أغسطس ٢٠١٩, 22 يوليو/تموز 2024, 3 July 2024
    re.compile(
        rf"{_B}(?P<day>\d{{1,2}})\s*(?:من\s+)?{_MONTH_PAIR}\s*[,،]?\s*(?P<year>\d{{4}}){_E}"
    ),
    # أغسطس 19, 2019 ; July 3, 2024
    re.compile(
        rf"{_B}{_MONTH_PAIR}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s*[,،]?\s*(?P<year>\d{{4}}){_E}"
    ),
    # 2019-08-19, 2019/08/19
    re.compile(rf"{_B}(?P<year>\d{{4}})[-/.](?P<month>\d{{1,2}})[-/.](?P<day>\d{{1,2}}){_E}"),
    # 19/08/2019, 19-8-2019: day first, as Arabic sites write it
    re.compile(rf"{_B}(?P<day>\d{{1,2}})[-/.](?P<month>\d{{1,2}})[-/.](?P<year>\d{{4}}){_E}"),
)

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _plausible(year: int, month: int, day: int) -> str | None:
    # Web articles: nothing before 1990, nothing far in the future (Hijri years like 1446 fail).
    if not 1990 <= year <= 2100:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _from_datetime(moment: datetime) -> str | None:
    if _plausible(moment.year, moment.month, moment.day) is None:
        return None
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.replace(microsecond=0).isoformat()


def parse_date(value: str | None) -> str | None:
    """A machine or human date string as ISO 8601, or None when it is not a plausible date."""
    if not value or not isinstance(value, str):
        return None
    text = match_key(value).strip()
    if not text:
        return None
    if _ISO.match(text):
        try:
            return _from_datetime(datetime.fromisoformat(text.upper().replace(" ", "T")))
        except ValueError:
            pass
    if compact := _COMPACT.match(text):
        return _plausible(*(int(part) for part in compact.groups()))
    try:
        return _from_datetime(parsedate_to_datetime(value.strip()))  # RFC 2822, from feeds
    except (TypeError, ValueError, IndexError):
        pass
    return find_date(value)


def find_date(text: str | None) -> str | None:
    """The first plausible calendar date written in `text` (Arabic or English), as YYYY-MM-DD."""
    if not text:
        return None
    key = match_key(text[:5000])
    found: list[tuple[int, str]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(key):
            month = match["month"]
            number = int(month) if month.isdigit() else _MONTHS.get(month.rstrip("."), 0)
            day = _plausible(int(match["year"]), number, int(match["day"]))
            if day:
                found.append((match.start(), day))
                break
    return min(found)[1] if found else None
