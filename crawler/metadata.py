"""Facts about the page around the article: title, author, dates, taxonomy, links, language.

Evidence is taken in order of how deliberately the page states it: JSON-LD, then meta tags
(Open Graph, article:*, Dublin Core), then markup (`<time>`, `rel=tag`), then words in the
byline. One CSS query collects every node these rules look at, so the tree is walked once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.arabic import arabic_ratio, display_text
from crawler.dates import find_date, parse_date
from crawler.jsonld import ArticleFacts

_QUERY = ("html, body, meta, link[rel], h1, time, a[rel], [class*=date], [class*=posted-on], "
          "[class*=created], [class*=publish], "
          "[class*=author-name], [itemprop=author], [itemprop=datePublished], "
          "[itemprop=dateModified], title")
_PUBLISHED_META = ("article:published_time", "datepublished", "og:published_time",
                   "pubdate", "publishdate", "publish-date", "date", "dc.date.issued",
                   "dc.date", "dcterms.created", "sailthru.date", "parsely-pub-date")
_MODIFIED_META = ("article:modified_time", "datemodified", "og:updated_time", "dcterms.modified",
                  "last-modified")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—\-:»«•·]\s+|\s+::\s+")
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
    lang: str | None = None
    direction: str | None = None
    image: str | None = None


def _unique(values: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        value = display_text(value)
        if value and len(value) <= 120:
            seen.setdefault(value, None)
    return tuple(seen)


def _clean_title(title: str, site_name: str | None) -> str:
    """"Headline - Site" → "Headline": drop the site name, else keep the longest part."""
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(title) if part.strip()]
    if len(parts) < 2:
        return title
    if site_name:
        kept = [part for part in parts if part.casefold() != site_name.casefold()]
        if kept and len(kept) < len(parts):
            return " - ".join(kept)
    return max(parts, key=len)


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
        classes = (parent.attributes.get("class") or "") + (parent.attributes.get("id") or "")
        if any(mark in classes for mark in _CHROME_MARKS):
            return True
        parent = parent.parent
    return False


def page_facts(tree: LexborHTMLParser, url: str | None, ld: ArticleFacts | None) -> PageFacts:
    """Everything but the text. `ld` is the page's JSON-LD article, already parsed."""
    meta: dict[str, list[str]] = {}
    links: dict[str, str] = {}
    h1s: list[LexborNode] = []
    dated: list[LexborNode] = []
    authors: list[str] = []
    categories: list[str] = []
    tags: list[str] = []
    lang = direction = title_tag = None
    first_h1: int | None = None  # dates before the headline are the site header's clock
    for node in tree.css(_QUERY):
        tag = node.tag
        attrs = node.attributes
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            value = attrs.get("content")
            if key and value and value.strip():
                meta.setdefault(key.strip().lower(), []).append(value.strip())
            continue
        if tag == "link":
            for rel in (attrs.get("rel") or "").lower().split():
                if attrs.get("href"):
                    links.setdefault(rel, attrs["href"] or "")
            continue
        if tag in ("html", "body"):
            lang = lang or attrs.get("lang") or attrs.get("xml:lang")
            direction = direction or attrs.get("dir")
            continue
        if tag == "title":
            title_tag = title_tag or node.text()
            continue
        if tag == "h1":
            h1s.append(node)
            if first_h1 is None:
                first_h1 = len(dated)
            continue
        if tag == "a":
            rels = (attrs.get("rel") or "").lower().split()
            text = node.text()
            if "category" in rels:
                categories.append(text)
            elif "tag" in rels and "tag-cloud-link" not in (attrs.get("class") or ""):
                tags.append(text)
            elif "author" in rels:
                authors.append(text)
            continue
        if (attrs.get("itemprop") or "").lower() == "author":
            name = node.css_first("[itemprop=name]")
            authors.append((name or node).text())
        elif "author-name" in (attrs.get("class") or ""):
            authors.append(node.text())
        else:
            dated.append(node)

    def first_meta(*keys: str) -> str | None:
        return next((meta[key][0] for key in keys if key in meta), None)

    site_name = first_meta("og:site_name")
    title = ld.headline if ld and ld.headline else None
    titled = [h for h in h1s if "title" in (h.attributes.get("class") or "")
              and "site-title" not in (h.attributes.get("class") or "")]
    if not title and titled:
        title = _headline(titled[0])
    if not title and (og := first_meta("og:title", "twitter:title")):
        title = _clean_title(og, site_name)
    plain_h1 = [h for h in h1s if not re.search(r"site-title|logo|brand",
                                                    h.attributes.get("class") or "")]
    if not title and plain_h1:
        title = _headline(plain_h1[0])
    if not title and title_tag:
        title = _clean_title(title_tag, site_name)

    published = parse_date(ld.published) if ld else None
    modified = parse_date(ld.modified) if ld else None
    for key in _PUBLISHED_META:
        if published:
            break
        published = next((d for v in meta.get(key, ()) if (d := parse_date(v))), None)
    for key in _MODIFIED_META:
        if modified:
            break
        modified = next((d for v in meta.get(key, ()) if (d := parse_date(v))), None)
    if not published or not modified:
        # Machine-readable <time> first, then dates written in date-ish elements, in page order
        # from the headline on; never from sidebars, comments or related posts.
        ordered = dated[first_h1 or 0:] or dated
        machine = [n for n in ordered if n.tag == "time" or n.attributes.get("content")]
        for node in [*machine, *ordered]:
            if published and modified:
                break
            if _in_chrome(node):
                continue
            attrs = node.attributes
            marks = f"{attrs.get('class') or ''} {attrs.get('itemprop') or ''}".lower()
            value = (parse_date(attrs.get("datetime")) or parse_date(attrs.get("content"))
                     or find_date(node.text()[:300]))
            if not value:
                continue
            # WordPress's post date is "entry-date"; tagDiv marks it "entry-date updated".
            if ("modified" in marks or "updated" in marks) and "entry-date" not in marks \
                    and "published" not in marks:
                modified = modified or value
            else:
                published = published or value

    if ld and ld.authors:
        author = ld.authors[0]
    else:
        author = first_meta("author", "article:author", "parsely-author", "dc.creator")
        if author and author.startswith("http"):
            author = None
        author = author or next((a for a in authors if display_text(a)), None)

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
        return urljoin(url, link) if url else link

    return PageFacts(
        title=display_text(title) if title else None,
        author=display_text(author) if author and display_text(author) else None,
        published=published,
        modified=modified,
        categories=_unique(categories),
        tags=_unique(tags),
        canonical_url=absolute(links.get("canonical") or first_meta("og:url")),
        shortlink=absolute(links.get("shortlink")),
        lang=lang,
        direction=direction,
        image=absolute(image),
    )


def guess_language(lang: str | None, direction: str | None, text: str) -> tuple[str | None, str | None]:
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
