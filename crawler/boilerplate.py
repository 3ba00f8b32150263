"""What is not the article: page chrome recognised by markup, and chrome recognised by its words.

WordPress plugins put their widgets inside `.entry-content` (Jetpack sharing and related posts,
AddToAny, YARPP, Simple Author Box, Ad Inserter, WP-Polls, Mailchimp forms), so these selectors
are applied inside the content container too, not only around it. Class substrings are chosen to
be specific (`[class*=share]`, never `[class*=ad]`, which would hit "header" and "read").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "form",
    "nav",
    "aside",
    "footer",
    "header",
    "iframe",
    "svg",
    "canvas",
    "button",
    "select",
    "input",
    "textarea",
    "label",
    "object",
    "embed",
    "video",
    "audio",
    "map",
    "dialog",
    "figcaption",
    "ins.adsbygoogle",
    # AMP components that carry text of their own (ad fallbacks, menus, share bars).
    "amp-ad",
    "amp-embed",
    "amp-sidebar",
    "amp-social-share",
    "amp-iframe",
    "amp-analytics",
)

_CLASS_PARTS = (
    "share",
    "sharing",
    "social",
    "related",
    "newsletter",
    "subscribe",
    "subscription",
    "poll",
    "comment",
    "respond",
    "author-box",
    "author-bio",
    "about-author",
    "authorbox",
    "author-info",
    "read-more",
    "readmore",
    "also-read",
    "more-stories",
    "more-news",
    "advert",
    "adsbygoogle",
    "sponsor",
    "promo",
    "breadcrumb",
    "pagination",
    "post-navigation",
    "nav-links",
    "navigation",
    "sidebar",
    "widget_",
    "tags-links",
    "cat-links",
    "post-tags",
    "tagcloud",
    "tag-list",
    "entry-meta",
    "post-meta",
    "article-meta",
    "byline",
    "print-",
    "printfriendly",
    "cookie",
    "popup",
    "modal",
    "banner",
    "jp-relatedposts",
    "yarpp",
    "crp_",
    "wp-polls",
    "mc4wp",
    "tnp-",
    "heateor",
    "addtoany",
    "a2a_",
    "screen-reader",
    "sr-only",
    "visually-hidden",
    "wp-block-embed",
    "twitter-tweet",
    "instagram-media",
    "ez-toc",
    "lwptoc",
    "toc-",
    "whatsapp",
    "telegram",
    "facebook",
    "twitter",
    "follow-us",
    "app-download",
    "most-read",
    "most-viewed",
    "trending",
    "ticker",
    "breaking-news",
    "video-player",
    "gallery-nav",
    # Theme-specific ad slots: tagDiv (Newspaper), TieLabs (Jannah), JNews.
    "td-a-rec",
    "stream-item",
    "jeg_ad",
    # Image captions and comment threads by other names.
    "caption",
    "img-desc",
    "discuss",
    # Simple Author Box; Drupal's tag field.
    "saboxplugin",
    "field-tags",
)
# Elementor names its content wrappers "elementor-widget-…", hence "widget" only as a whole class.
_EXACT_CLASSES = (
    "ad",
    "ads",
    "adv",
    "hidden",
    "d-none",
    "hide",
    "meta",
    "tags",
    "author",
    "widget",
    "sharedaddy",
    "code-block",
    "post-footer",
    "entry-footer",
    "copyright",
)
_ID_PARTS = (
    "comment",
    "respond",
    "share",
    "related",
    "sidebar",
    "secondary",
    "newsletter",
    "poll",
    "div-gpt-ad",
    "google_ads",
    "taboola",
    "outbrain",
    "disqus",
)
CHROME_TAGS = ", ".join(_TAGS)
CHROME_TAG_NAMES = frozenset(tag for tag in _TAGS if "." not in tag)


_Tree = dict[str, "_Tree"]


def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern that finds any of `words`, written as a prefix tree ("a(?:d(?:vert|…)|…)"):
    Python's regex engine tries the branches of a flat alternation one by one at every position,
    which made the 90 class parts cost microseconds per class attribute."""
    tree: _Tree = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: _Tree) -> str:
        branches = [re.escape(char) + pattern(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{group})?" if "" in node else group  # a word may end here

    return re.compile(pattern(tree))


_CLASS_PART = _any_of(_CLASS_PARTS)
_EXACT = frozenset(_EXACT_CLASSES)
_ID_PART = _any_of(_ID_PARTS)
_ROLES = ("navigation", "complementary", "banner", "contentinfo", "dialog")
_CHROME_ROLES = frozenset(_ROLES)
_MARKED_STYLES = ("display:none", "display: none", "visibility:hidden", "visibility: hidden")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
# Values compare case-sensitively in Lexbor, and `~=` splits on ASCII whitespace only (not on
# the no-break space `str.split` also splits on).
_ASCII_SPACE = re.compile("[ \t\n\f\r]+")


def _class_marked(classes: str | None) -> bool:
    if not classes:
        return False
    return bool(
        _CLASS_PART.search(classes)
        or not _EXACT.isdisjoint(_ASCII_SPACE.split(classes))
        or classes.startswith("ad-")
        or " ad-" in classes
    )


# Class attributes repeat across a page and across a site's pages: the answer for each is kept.
# A class attribute not seen yet is judged word by word, each word's answer kept too: words
# repeat across sites far more than whole attributes do ("row", "elementor-widget-container"),
# and the pattern costs microseconds per attribute.
_CHROME_CLASSES: dict[str, bool] = {}
_CHROME_CLASS_WORDS: dict[str, bool] = {}


def _class_chrome(classes: str | None) -> bool:
    if not classes:
        return False
    known = _CHROME_CLASSES.get(classes)
    if known is None:
        # No class part holds a space: the attribute has one when one of its words has one.
        known = any(_class_word_chrome(word) for word in classes.split())
        _remember(_CHROME_CLASSES, classes, known)
    return known


def _class_word_chrome(word: str) -> bool:
    known = _CHROME_CLASS_WORDS.get(word)
    if known is None:
        # BEM names a block's parts `block__part`: "c-product-widget__content" is a part of a
        # product box, not a WordPress `widget_…`.
        named = word.replace("widget__", "-") if "widget__" in word else word
        known = bool(_CLASS_PART.search(named)) or word in _EXACT or word.startswith("ad-")
        _remember(_CHROME_CLASS_WORDS, word, known)
    return known


def _remember(answers: dict[str, bool], key: str, answer: bool) -> None:
    if len(answers) > 20_000:  # a page of random class names cannot grow it
        answers.clear()
    answers[key] = answer


def _id_marked(ident: str | None) -> bool:
    return ident is not None and _ID_PART.search(ident) is not None


def _style_marked(style: str | None) -> bool:
    return style is not None and any(hidden in style for hidden in _MARKED_STYLES)


def _style_chrome(style: str | None) -> bool:
    return style is not None and _HIDDEN_STYLE.search(style) is not None


@dataclass(frozen=True)
class _Mark:
    """Chrome told by one attribute: the selectors it adds to CHROME_MARKED, the same test as
    Lexbor matches them (`marked`), and, where the walk through a page reads it more loosely on
    purpose, the walk's test (`chrome`)."""

    selectors: tuple[str, ...]
    marked: Callable[[str | None], bool]
    chrome: Callable[[str | None], bool] | None = None


# The one rule table, by attribute: CHROME_MARKED, is_marked and is_chrome are made from it.
_MARKS: dict[str, _Mark] = {
    # The walk splits on every space, the no-break space too, takes "ad-" opening any of the
    # words, and reads BEM parts named "widget__" as no widget.
    "class": _Mark(
        (
            *(f'[class*="{part}"]' for part in _CLASS_PARTS),
            *(f'[class~="{name}"]' for name in _EXACT_CLASSES),
            '[class^="ad-"], [class*=" ad-"]',
        ),
        _class_marked,
        _class_chrome,
    ),
    "id": _Mark(tuple(f'[id*="{part}"]' for part in _ID_PARTS), _id_marked),
    "hidden": _Mark(("[hidden]",), lambda _: True),
    "aria-hidden": _Mark(("[aria-hidden=true]",), lambda value: value == "true"),
    "role": _Mark(tuple(f"[role={role}]" for role in _ROLES), lambda value: value in _CHROME_ROLES),
    # The walk also takes any spacing around the colon.
    "style": _Mark(
        tuple(f'[style*="{style}"]' for style in _MARKED_STYLES), _style_marked, _style_chrome
    ),
    "itemprop": _Mark(("[itemprop=author]",), lambda value: value == "author"),
    "rel": _Mark(("[rel=author]",), lambda value: value == "author"),
}
_MARKED = {name: mark.marked for name, mark in _MARKS.items()}
_CHROME = {name: mark.chrome or mark.marked for name, mark in _MARKS.items()}

# Chrome recognised by class, id or attribute; a wrapper class like "has-sidebar" can also sit on
# the element that holds the article, so outside a known container these matches are guarded.
CHROME_MARKED = ", ".join(selector for mark in _MARKS.values() for selector in mark.selectors)
CHROME_SELECTOR = f"{CHROME_TAGS}, {CHROME_MARKED}"

# is_marked and is_chrome are the same rules as Python checks, for the walk through a container:
# Lexbor evaluates a selector group one selector at a time over the subtree, so 150 selectors cost
# more than the parse.


def is_marked(attrs: dict[str, str | None]) -> bool:
    """Whether an element matches CHROME_MARKED as Lexbor matches it, for a walk through the
    whole page where the selector group would cost several parses. Not quite all of it: on HTML
    elements `rel` is matched ignoring ASCII case (HTML lists it among such attributes), on <svg>
    and <math> elements it is not, and only the selector engine knows which is which."""
    for name, value in attrs.items():
        marked = _MARKED.get(name)
        if marked is not None and marked(value):
            return True
    return False


def is_chrome(tag: str, attrs: dict[str, str | None]) -> bool:
    """Whether an element is page chrome by its tag or markup: the rules of CHROME_SELECTOR, a
    little looser where the table says so."""
    if tag in CHROME_TAG_NAMES:
        return True
    for name, value in attrs.items():
        chrome = _CHROME.get(name)
        if chrome is not None and chrome(value):
            return True
    return False


# Containers known to hold an article body, most specific first; matched in one query.
CONTENT_SELECTOR = "[itemprop=articleBody], .entry-content, .post-content, .td-post-content, .article-content, .article-body, #article-body, .articleBody, .article__body, .story-body, .story-content, .post-body, .single-content, .single-post-content, .jeg_post_content, .content-inner, .article-text, .news-content, .news-body, .news-text, .field--name-body, .field-name-body, .node__content, .post-entry, .entry-body, .amp-wp-article-content, .td-post-text-content, #content-body, .detail-content, .details-body, .text-content, .article__content"

_CONTENT_CLASSES = frozenset(
    part[1:] for part in CONTENT_SELECTOR.split(", ") if part.startswith(".")
)
_CONTENT_IDS = frozenset(part[1:] for part in CONTENT_SELECTOR.split(", ") if part.startswith("#"))


def is_content(attrs: dict[str, str | None]) -> bool:
    """Whether an element is a known article container (see CONTENT_SELECTOR)."""
    if not attrs:
        return False
    classes = attrs.get("class")
    # Every content class holds "ontent", "ody", "text" or "entry" (tests/test_extract.py):
    # most class attributes are ruled out without being split into words.
    if (
        classes
        and ("ontent" in classes or "ody" in classes or "text" in classes or "entry" in classes)
        and not _CONTENT_CLASSES.isdisjoint(classes.split())
    ):
        return True
    return attrs.get("id") in _CONTENT_IDS or attrs.get("itemprop") == "articleBody"


# Labels of lists of links that follow or interrupt an article ("read also", "related").
READ_ALSO = re.compile(
    r"^\W*(?:(?:اقرا|اقرء)\s+(?:ايضا|كذلك|المزيد)|طالع\s+ايضا|شاهد\s+ايضا|للمزيد|"
    r"(?:مواضيع|مقالات|اخبار|موضوعات|قصص)\s+(?:ذات\s+صله|متعلقه|مشابهه|مقترحه|اخري)|"
    r"قد\s+يهمك|قد\s+يعجبك|اخترنا\s+لك|"
    r"read\s+(?:more|also|next)|related(?:\s+(?:posts|articles|stories))?|see\s+also|"
    r"you\s+may\s+also\s+like|more\s+from|recommended)\b"
)
# Lines that label the page's metadata or share it, not part of the text.
LABEL_LINE = re.compile(
    r"^\W*(?:الوسوم|وسوم|الكلمات\s+المفتاحيه|كلمات\s+مفتاحيه|التصنيفات|التصنيف|تصنيفات|"
    r"شارك(?:\s+(?:هذا|هذه|المقال|الخبر|عبر|على))?|مشاركه|تابعونا|تابعنا|"
    r"tags|categories|filed\s+under|share(?:\s+this)?|follow\s+us)\b\s*[:\-|]?"
)
# Calls to subscribe or install that sit under articles ("اشترك الآن في نشرتنا الإخبارية…",
# "Sign up for our newsletter…"): a plug, never the story, when the line is short.
PLUG_LINE = re.compile(
    r"^\W*(?:(?:اشترك|(?:سجل|انضم)\s+الان)(?:\s+\S+){0,3}?\s+(?:في\s+|الي\s+)?(?:ال)?(?:نشر|قائمه\s+البريد)|"
    r"حمل\s+تطبيق|"
    r"(?:sign\s+up|subscribe)\b(?:\s+\S+){0,5}?\s+(?:our\s+|the\s+)?(?:\S+\s+)?newsletter|"
    r"download\s+(?:our|the)\s+app)"
)
# WordPress "short link" lines pasted under articles ("رابط مختصر.. https://…/?p=95655").
SHORTLINK_LINE = re.compile(
    r"^\W*(?:(?:ال)?رابط\s+(?:ال)?مختصر|short\s*link|permalink)\W*(?:https?://\S+)?\s*$"
)
