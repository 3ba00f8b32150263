"""What is not the article: page chrome recognised by markup, and chrome recognised by its words.

WordPress plugins put their widgets inside `.entry-content` (Jetpack sharing and related posts,
AddToAny, YARPP, Simple Author Box, Ad Inserter, WP-Polls, Mailchimp forms), so these selectors
are applied inside the content container too, not only around it. Class substrings are chosen to
be specific (`[class*=share]`, never `[class*=ad]`, which would hit "header" and "read").
"""

from __future__ import annotations

import re

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
_ATTRIBUTES = (
    "[hidden]",
    "[aria-hidden=true]",
    "[role=navigation]",
    "[role=complementary]",
    "[role=banner]",
    "[role=contentinfo]",
    "[role=dialog]",
    '[style*="display:none"]',
    '[style*="display: none"]',
    '[style*="visibility:hidden"]',
    '[style*="visibility: hidden"]',
    "[itemprop=author]",
    "[rel=author]",
)

CHROME_TAGS = ", ".join(_TAGS)
# Chrome recognised by class, id or attribute; a wrapper class like "has-sidebar" can also sit on
# the element that holds the article, so outside a known container these matches are guarded.
CHROME_MARKED = ", ".join(
    (
        *(f'[class*="{part}"]' for part in _CLASS_PARTS),
        *(f'[class~="{name}"]' for name in _EXACT_CLASSES),
        *('[class^="ad-"], [class*=" ad-"]',),
        *(f'[id*="{part}"]' for part in _ID_PARTS),
        *_ATTRIBUTES,
    )
)
CHROME_SELECTOR = f"{CHROME_TAGS}, {CHROME_MARKED}"

# The same rules as Python checks, for the walk through a container: Lexbor evaluates a selector
# group one selector at a time over the subtree, so 150 selectors cost more than the parse.
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
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_CHROME_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "dialog"})

# CHROME_MARKED as Lexbor matches it, for a walk through the whole page where the selector group
# would cost several parses. Values compare case-sensitively and `~=` splits on ASCII whitespace
# only (not on the no-break space `str.split` also splits on). Not quite all of it: on HTML
# elements `rel` is matched ignoring ASCII case (HTML lists it among such attributes), on <svg>
# and <math> elements it is not, and only the selector engine knows which is which.
_MARKED_STYLES = ("display:none", "display: none", "visibility:hidden", "visibility: hidden")
_ASCII_SPACE = re.compile("[ \t\n\f\r]+")
_MARKING_ATTRIBUTES = frozenset(
    ("class", "id", "hidden", "aria-hidden", "role", "itemprop", "style", "rel")
)


def is_marked(attrs: dict[str, str | None]) -> bool:
    """Whether an element matches CHROME_MARKED, but for a `rel` of "Author" in other case."""
    if _MARKING_ATTRIBUTES.isdisjoint(attrs):
        return False
    classes = attrs.get("class")
    if classes and (
        _CLASS_PART.search(classes)
        or not _EXACT.isdisjoint(_ASCII_SPACE.split(classes))
        or classes.startswith("ad-")
        or " ad-" in classes
    ):
        return True
    ident = attrs.get("id")
    if ident and _ID_PART.search(ident):
        return True
    if (
        "hidden" in attrs
        or attrs.get("aria-hidden") == "true"
        or attrs.get("role") in _CHROME_ROLES
        or attrs.get("itemprop") == "author"
    ):
        return True
    style = attrs.get("style")
    if style and any(hidden in style for hidden in _MARKED_STYLES):
        return True
    return attrs.get("rel") == "author"


# Chrome that hides inside paragraphs (icons, screen-reader labels, inline scripts and ads):
# removed from a container with one short selector before it is walked.
INLINE_CHROME = (
    "script, style, noscript, template, button, svg, iframe, ins.adsbygoogle, "
    "[hidden], [aria-hidden=true], .screen-reader-text, .sr-only, "
    '[style*="display:none"], [style*="display: none"]'
)


# Class attributes repeat across a page and across a site's pages: the answer for each is kept.
_CHROME_CLASSES: dict[str, bool] = {}


def is_chrome(tag: str, attrs: dict[str, str | None]) -> bool:
    """Whether an element is page chrome by its tag or markup (see the selectors above)."""
    if tag in CHROME_TAG_NAMES:
        return True
    if not attrs:
        return False
    classes = attrs.get("class")
    if classes:
        known = _CHROME_CLASSES.get(classes)
        if known is None:
            # BEM names a block's parts `block__part`: "c-product-widget__content" is a part
            # of a product box, not a WordPress `widget_…`.
            named = classes.replace("widget__", "-") if "widget__" in classes else classes
            known = bool(
                _CLASS_PART.search(named)
                or any(name in _EXACT or name.startswith("ad-") for name in classes.split())
            )
            if len(_CHROME_CLASSES) > 20_000:  # a page of random class names cannot grow it
                _CHROME_CLASSES.clear()
            _CHROME_CLASSES[classes] = known
        if known:
            return True
    ident = attrs.get("id")
    if ident and _ID_PART.search(ident):
        return True
    if (
        "hidden" in attrs
        or attrs.get("aria-hidden") == "true"
        or attrs.get("role") in _CHROME_ROLES
    ):
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return attrs.get("itemprop") == "author" or attrs.get("rel") == "author"


# Containers known to hold an article body, most specific first; matched in one query.
CONTENT_SELECTOR = "[itemprop=articleBody], .entry-content, .post-content, .td-post-content, .article-content, .article-body, #article-body, .articleBody, .article__body, .story-body, .story-content, .post-body, .single-content, .single-post-content, .jeg_post_content, .content-inner, .article-text, .news-content, .news-body, .news-text, .field--name-body, .field-name-body, .node__content, .post-entry, .entry-body, .amp-wp-article-content, .td-post-text-content, #content-body, .detail-content, .details-body, .text-content, .article__content"

_CONTENT_CLASSES = frozenset(
    part[1:] for part in CONTENT_SELECTOR.split(", ") if part.startswith(".")
)
_CONTENT_IDS = frozenset(part[1:] for part in CONTENT_SELECTOR.split(", ") if part.startswith("#"))
CONTENT_CANDIDATES = "div, section, article, main, [itemprop=articleBody]"


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
