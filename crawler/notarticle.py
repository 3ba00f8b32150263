"""Pages that answer 200 but are not the article: a "page not found", a challenge, a wall.

Recording one of them as a version would replace the article's text with "Just a moment..." and
then, when the article comes back, record it again as a change. So a check that lands on one is
recorded with its reason and compared against nothing. Pure: the HTML, the extraction and the
status in, a one-line reason or None out.

Markers are of two strengths. Strong ones (WordPress' `error404` body class, a not-found title,
Cloudflare's challenge script and form) decide alone. Weak ones (a sentence asking to enable
JavaScript or cookies) appear in the `<noscript>` of ordinary pages too, so they count only when
the page carries little text of its own.
"""

from __future__ import annotations

import html as html_lib
import re

from crawler.arabic import match_key
from crawler.bodytag import body_classes
from crawler.models import Extracted

# Titles of "not found" pages, compared on match keys (so "الصفحة غير موجودة" matches with or
# without harakat and any alef form). WordPress themes title them "Page not found – Site" or
# "لم يتم العثور على الصفحة"; Arabic themes also use "خطأ 404".
_NOT_FOUND_TITLES = tuple(
    re.compile(pattern)
    for pattern in (
        r"\bpage not found\b",
        r"\bnothing (?:was )?found\b",
        # not a bare leading "404": a news title may well start "404 قتيلا ..."
        r"\b404\b.*\bnot found\b|\bnot found\b.*\b404\b|\berror 404\b",
        match_key("الصفحة غير موجودة"),
        match_key("الصفحة المطلوبة غير موجودة"),
        # WordPress' Arabic "Page not found" / "Nothing found"; not any title with the phrase:
        # "لم يتم العثور على الطائرة" is news
        match_key("لم يتم العثور على") + r" (?:الصفحه|شيء|اي شيء|نتائج|المحتوي)",
        r"^" + match_key("لم يتم العثور") + r"\s*(?:$|[-–|:•])",
        match_key("الصفحة التي تبحث عنها غير موجودة"),
        match_key("خطأ 404"),
    )
)
# Challenge interstitials (Cloudflare, Sucuri, DDoS-Guard): their titles...
_CHALLENGE_TITLES = tuple(
    re.compile(pattern)
    for pattern in (
        r"^just a moment",
        r"^attention required",
        r"^checking your browser",
        r"^please wait\b.*cloudflare",
        r"^ddos-guard",
        r"^access denied.*sucuri",
        r"^one more step",
    )
)
# ...and markup only a challenge page carries. Not `/cdn-cgi/challenge-platform/`: Cloudflare
# injects that script into ordinary pages of protected sites too.
_CHALLENGE_MARKUP = re.compile(
    r"window\._cf_chl_opt|id=[\"']challenge-form[\"']|class=[\"'][^\"']*\bcf-challenge\b"
    r"|cf-browser-verification|id=[\"']cf-wrapper[\"']|sucuri-firewall-block",
    re.IGNORECASE,
)
_WALL_PHRASES = re.compile(
    r"enable javascript and cookies|checking your browser before accessing|please enable cookies"
    r"|verify you are (?:a )?human|الرجاء تفعيل (?:ملفات تعريف الارتباط|الكوكيز|جافا ?سكريبت)",
    re.IGNORECASE,
)
# Fixed strings one of which every _CHALLENGE_MARKUP match contains: a substring test over the
# lowered page is far cheaper than the case-insensitive alternation, which then runs only on
# the rare page that has one.
_CHALLENGE_HINTS = (
    "_cf_chl_opt",
    "challenge-form",
    "cf-challenge",
    "cf-browser-verification",
    "cf-wrapper",
    "sucuri-firewall-block",
)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
# Below this many words of article text, a weak marker is taken as the page's whole message. Kept
# low: a short news item with a <noscript> cookie notice is still an article.
THIN_ARTICLE_WORDS = 30


def not_article_reason(
    html: str, extracted: Extracted, status: int, utf8: bytes | None = None
) -> str | None:
    """Why this answer is not the article (one line), or None when it may be. `utf8` is the
    page's UTF-8 encoding when the caller has it already (a check does: `Fetched.body_utf8`)."""
    if not html:
        return None
    # The extractor has parsed the page already; the body's classes and the <title> are read
    # with two anchored regular expressions rather than a second parse.
    lowered = _Lowered(html, utf8)
    if lowered.in_tag("<body", "error404") and "error404" in body_classes(html):
        return f"a 'page not found' answered with HTTP {status} (WordPress error404 page)"
    title_match = _TITLE.search(html, max(0, lowered.find("<title")))
    page_title = html_lib.unescape(title_match.group(1)) if title_match else ""
    titles = [page_title, extracted.title or ""]
    for title in filter(None, (match_key(t) for t in titles)):
        if any(p.search(title) for p in _NOT_FOUND_TITLES):
            return f"a 'page not found' answered with HTTP {status} (title {title[:60]!r})"
        if any(p.search(title) for p in _CHALLENGE_TITLES):
            return f"a challenge page instead of the article (title {title[:60]!r})"
    if any(hint in lowered for hint in _CHALLENGE_HINTS) and _CHALLENGE_MARKUP.search(html):
        return "a challenge page instead of the article (bot-check markup)"
    if _thin(extracted) and (phrase := _WALL_PHRASES.search(html)):
        return f"a cookie or JavaScript wall instead of the article ({phrase.group(0)!r})"
    return None


def _thin(extracted: Extracted) -> bool:
    """Whether the article has fewer than THIN_ARTICLE_WORDS words, counted block by block
    (the blocks' words are the text's words) until there are enough."""
    words = 0
    for block in extracted.blocks:
        words += len(block.text.split())
        if words >= THIN_ARTICLE_WORDS:
            return False
    return True


class _Lowered:
    """`html.lower()` as far as the markers are looked for in it, all of them ASCII: whether one
    is in it, and where. Lowering a whole page character by character costs as much as the rest
    of this module together; its UTF-8 bytes are lowered (ASCII letters only) in a pass in C.
    Only two characters lower to ASCII: U+0130 to "i" and a combining dot (which also moves
    every position after it), U+212A (Kelvin) to "k"; a page holding either is lowered as text,
    so every answer is the one `html.lower()` gives."""

    __slots__ = ("_bytes", "_text")

    def __init__(self, html: str, utf8: bytes | None = None) -> None:
        self._text: str | None = None
        self._bytes = b""
        if "\u0130" in html or "\u212a" in html:
            self._text = html.lower()
        else:
            self._bytes = (html.encode("utf-8", "surrogatepass") if utf8 is None else utf8).lower()

    def __contains__(self, marker: str) -> bool:
        if self._text is not None:
            return marker in self._text
        return marker.encode("ascii") in self._bytes

    def in_tag(self, tag: str, marker: str) -> bool:
        """Whether `marker` is in the first `tag` ("<body"), up to its ">": all a regular
        expression reading that tag could find it in. (Lowered as text, where positions may
        have moved: whether it is anywhere.)"""
        if self._text is not None:
            return marker in self._text
        start = self._bytes.find(tag.encode("ascii"))
        end = self._bytes.find(b">", start) if start >= 0 else -1
        return end >= 0 and marker.encode("ascii") in self._bytes[start:end]

    def find(self, marker: str) -> int:
        """The index of the first `marker`, in characters, or -1."""
        if self._text is not None:
            return self._text.find(marker)
        at = self._bytes.find(marker.encode("ascii"))
        return at if at <= 0 else len(self._bytes[:at].decode("utf-8", "surrogatepass"))
