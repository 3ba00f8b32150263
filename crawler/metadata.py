"""Facts about the page around the article: title, author, dates, taxonomy, links, language.

Evidence is taken in order of how deliberately the page states it: JSON-LD, then meta tags
(Open Graph, article:*, Dublin Core), then markup (`<time>`, `rel=tag`), then words in the
byline. One CSS query collects every node these rules look at, so the tree is walked once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.arabic import arabic_ratio, display_text
from crawler.dates import find_date, parse_date
from crawler.jsonld import ArticleFacts, article_facts
from crawler.urls import join_url

_QUERY = 'html, body, meta, link[rel], title, h1, time, a[rel], script[type="application/ld+json"]'
# Asked only when meta tags and <time> leave the date or author unknown.
_DATED = (
    "h1, [class*=date], [class*=posted-on], [class*=created], [class*=publish], "
    "[itemprop=datePublished]"
)
_AUTHORED = "[class*=author-name], [itemprop=author]"
_PUBLISHED_META = (
    "article:published_time",
    "datepublished",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)
_MODIFIED_META = (
    "article:modified_time",
    "datemodified",
    "og:updated_time",
    "dcterms.modified",
    "last-modified",
)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—\-:»«•·]\s+|\s+::\s+")
_API_REL = "https://api.w.org/"
_RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"}


@dataclass(frozen=True)
class PageFacts:
    title: str | None = None
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    shortlink: str | None = None
    api_root: str | None = None  # the WordPress REST API root the page announces
    lang: str | None = None
    direction: str | None = None
    image: str | None = None
    jsonld: ArticleFacts | None = None  # the JSON-LD article, whose body may be the text


def _unique(values: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        value = display_text(value)
        if value and len(value) <= 120:
            seen.setdefault(value, None)
    return tuple(seen)


def _clean_title(title: str, site_name: str | None) -> str:
    """ "Headline - Site" → "Headline": drop the site name, else keep the longest part."""
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(title) if part.strip()]
    if len(parts) < 2:
        return title
    if site_name:
        kept = [part for part in parts if part.casefold() != site_name.casefold()]
        if kept and len(kept) < len(parts):
            return " - ".join(kept)
    return max(parts, key=len)


_SITE_TITLE = re.compile(r"site-title|logo|brand")


def _titled(classes: str) -> bool:
    return "title" in classes and "site-title" not in classes


def _headline(h1: LexborNode) -> str | None:
    # An unclosed <h1> swallows the article: then only its own text is the headline.
    text = h1.text()
    if len(text) > 300:
        text = h1.text(deep=False)
    return text if text.strip() and len(text) <= 300 else None


_CHROME_MARKS = ("widget", "sidebar", "comment", "related")


def _in_chrome(node: LexborNode) -> bool:
    parent = node.parent
    for _ in range(25):
        if parent is None or parent.tag in ("body", "html"):
            return False
        if parent.tag in ("aside", "nav"):
            return True
        attrs = parent.attributes
        classes = (attrs.get("class") or "") + " " + (attrs.get("id") or "")
        if any(mark in classes for mark in _CHROME_MARKS):
            return True
        parent = parent.parent
    return False


def _written_date(tree: LexborHTMLParser) -> str | None:
    """A date written in a date-ish element from the headline on, outside sidebars and comments."""
    nodes = tree.css(_DATED)
    first_h1 = next((i for i, node in enumerate(nodes) if node.tag == "h1"), 0)
    for node in nodes[first_h1:] or nodes:
        if node.tag == "h1" or _in_chrome(node):
            continue
        if value := parse_date(node.attributes.get("content")) or find_date(node.text()[:300]):
            return value
    return None


def _byline(tree: LexborHTMLParser) -> str | None:
    for node in tree.css(_AUTHORED):
        name = node.css_first("[itemprop=name]") if node.attributes.get("itemprop") else None
        text = display_text((name or node).text())
        if text and len(text) <= 80:
            return text
    return None


def _meta_date(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    """The first value that is a date, of the first of `keys` that has one."""
    for key in keys:
        for value in meta.get(key, ()):
            if date := parse_date(value):
                return date
    return None


def page_facts(tree: LexborHTMLParser, url: str | None) -> PageFacts:
    """Everything but the text, from one query over the tree."""
    meta: dict[str, list[str]] = {}
    links: dict[str, str] = {}
    h1s: list[LexborNode] = []
    times: list[LexborNode] = []
    authors: list[str] = []
    categories: list[str] = []
    tags: list[str] = []
    lang = direction = title_tag = None
    h1_at: int | None = None
    scripts: list[str] = []
    for node in tree.css(_QUERY):
        tag = node.tag
        if tag == "script":
            scripts.append(node.text())
        elif tag == "meta":
            attrs = node.attributes
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            value = attrs.get("content")
            if key and value and value.strip():
                meta.setdefault(key.strip().lower(), []).append(value.strip())
        elif tag == "link":
            # A page has dozens of <link rel> and <a rel> (stylesheets, nofollow) and few are
            # kept: of the others only `rel` is decoded (attrs), not every attribute.
            rels = (node.attrs.get("rel") or "").lower().split()
            # the only ones read below; https://api.w.org/ is WordPress' REST API root
            if "canonical" in rels or "shortlink" in rels or _API_REL in rels:
                href = node.attributes.get("href")
                if href:
                    for rel in rels:
                        links.setdefault(rel, href)
        elif tag in ("html", "body"):
            attrs = node.attributes
            lang = lang or attrs.get("lang") or attrs.get("xml:lang")
            direction = direction or attrs.get("dir")
        elif tag == "title":
            title_tag = title_tag or node.text()
        elif tag == "h1":
            h1s.append(node)
            h1_at = len(times) if h1_at is None else h1_at
        elif tag == "time":
            times.append(node)
        elif tag == "a":
            rels = (node.attrs.get("rel") or "").lower().split()
            if "category" in rels:
                categories.append(node.text())
            elif "tag" in rels and "tag-cloud-link" not in (node.attributes.get("class") or ""):
                tags.append(node.text())
            elif "author" in rels:
                authors.append(node.text())

    ld = article_facts(scripts) if scripts else None

    def first_meta(*keys: str) -> str | None:
        return next((meta[key][0] for key in keys if key in meta), None)

    site_name = first_meta("og:site_name")
    title = ld.headline if ld and ld.headline else None
    # The <h1> candidates are looked at only when JSON-LD names no headline.
    if not title and (titled := [h for h in h1s if _titled(h.attributes.get("class") or "")]):
        title = _headline(titled[0])
    if not title and (og := first_meta("og:title", "twitter:title")):
        title = _clean_title(og, site_name)
    if not title and (
        plain_h1 := [h for h in h1s if not _SITE_TITLE.search(h.attributes.get("class") or "")]
    ):
        title = _headline(plain_h1[0])
    if not title and title_tag:
        title = _clean_title(title_tag, site_name)

    published = parse_date(ld.published) if ld else None
    modified = parse_date(ld.modified) if ld else None
    published = published or _meta_date(meta, _PUBLISHED_META)
    modified = modified or _meta_date(meta, _MODIFIED_META)
    # Dates before the headline are the site header's clock.
    for node in times[h1_at or 0 :] or times:
        if published and modified:
            break
        if _in_chrome(node):
            continue
        attrs = node.attributes
        marks = (attrs.get("class") or "").lower()
        value = parse_date(attrs.get("datetime")) or find_date(node.text()[:100])
        # WordPress's post date is "entry-date"; tagDiv marks it "entry-date updated".
        if (
            ("modified" in marks or "updated" in marks)
            and "entry-date" not in marks
            and "published" not in marks
        ):
            modified = modified or value
        else:
            published = published or value
    if not published:
        published = _written_date(tree)

    author: str | None
    if ld and ld.authors:
        author = ld.authors[0]
    else:
        author = first_meta("author", "article:author", "parsely-author", "dc.creator")
        if author and author.startswith("http"):
            author = None
        author = author or next((a for a in authors if display_text(a)), None)
        author = author or _byline(tree)

    if ld and ld.sections:
        categories = [*ld.sections, *categories]
    categories = [*meta.get("article:section", []), *categories]
    tags = [*meta.get("article:tag", []), *tags]
    if ld and ld.keywords:
        tags += list(ld.keywords)
    if not tags and (keywords := first_meta("news_keywords", "keywords")):
        tags = [part for part in re.split(r"[,،]", keywords) if part.strip()]

    image = first_meta("og:image", "og:image:url", "twitter:image") or (ld.image if ld else None)
    lang = (lang or (ld.language if ld else None) or "").strip() or None
    if direction not in ("rtl", "ltr"):
        direction = None

    def absolute(link: str | None) -> str | None:
        if not link:
            return None
        link = link.strip()
        try:
            return join_url(url, link) if url else link
        except ValueError:  # scraped markup holds `http://[broken` too: no link, not no page
            return None

    author = display_text(author) if author else None
    return PageFacts(
        title=display_text(title) if title else None,
        author=author or None,
        published=published,
        modified=modified,
        categories=_unique(categories),
        tags=_unique(tags),
        canonical_url=absolute(links.get("canonical") or first_meta("og:url")),
        shortlink=absolute(links.get("shortlink")),
        api_root=absolute(links.get(_API_REL)),
        lang=lang,
        direction=direction,
        image=absolute(image),
        jsonld=ld,
    )


def guess_language(
    lang: str | None, direction: str | None, text: str
) -> tuple[str | None, str | None]:
    """Fill a missing language or direction from the other one, or from the script of the text."""
    ratio = arabic_ratio(text) if text and (not lang or not direction) else 0.0
    if not lang and ratio >= 0.5:
        lang = "ar"
    if not direction:
        primary = (lang or "").split("-")[0].split("_")[0].lower()
        if primary:
            direction = "rtl" if primary in _RTL_LANGUAGES else "ltr"
        elif text:
            direction = "rtl" if ratio >= 0.5 else "ltr"
    return lang, direction
