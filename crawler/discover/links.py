"""Related pages found in an article page and in archive pages: content links, the related-posts
block, the article's categories and tags with their feeds, and the posts an archive lists.

Pure: HTML in, Candidates out. Only same-site pages (or declared aliases) come out; scope rules
(include/exclude, depth, budget) are applied later by `DiscoveryScope`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.discover.candidate import Candidate, Reason, candidate
from crawler.discover.scope import page_kind
from crawler.discover.wpapi import post_id_in_classes
from crawler.models import Extracted
from crawler.urls import resolve, same_site, url_key

# Related-posts blocks of the common themes and plugins: Jetpack, YARPP, Contextual Related
# Posts, Related Posts for WordPress, tagDiv (Newspaper), and the generic theme spellings.
RELATED_SELECTORS = (
    ".jp-relatedposts",
    "#jp-relatedposts",
    ".wp-block-jetpack-related-posts",
    ".yarpp-related",
    ".yarpp",
    ".crp_related",
    "#related_posts",
    ".related_posts",
    ".related-posts",
    "#related-posts",
    ".relatedposts",
    ".related-post",
    ".post-related",
    ".td-related",
    ".td_block_related_posts",
    ".rp4wp-related-posts",
    ".jeg_related_post",
)
# Where a theme prints the article's own categories and tags. Site menus and sidebars also link
# every category; only these regions speak about this article.
TAXONOMY_REGIONS = (
    ".entry-meta",
    ".entry-footer",
    ".post-meta",
    ".cat-links",
    ".tags-links",
    ".post-categories",
    ".post-tags",
    ".tagcloud-post",
    ".td-post-header",
    ".td-tags",
    "article header",
    "article footer",
)
# The article content, as the extractor finds it; used when no `Extracted` is handed in.
CONTENT_SELECTORS = (".entry-content", ".post-content", "[itemprop=articleBody]", "article", "main")
# Titles of posts in an archive listing: WordPress' rel="bookmark" and the usual title classes.
LISTING_SELECTORS = (
    "a[rel~=bookmark]",
    ".entry-title a",
    ".post-title a",
    "article h2 a",
    "article h3 a",
    ".td-module-title a",
    ".jeg_post_title a",
)
# Chrome inside the content container whose links are not the author's.
_CONTENT_CHROME = (
    ".sharedaddy, .share, .sharing, .addtoany_share_save_container, .comments, #comments"
)


def article_links(
    html: str,
    page_url: str,
    *,
    extracted: Extracted | None = None,
    aliases: Iterable[str] = (),
) -> list[Candidate]:
    """The related pages an article page points at, each once, with why.

    Order and precedence: the related-posts block ("related"), the article's category and tag
    archives, the content links ("linked"; a content link to an archive keeps its archive
    reason), then the archives' feeds. A related-block link wins over the same link in the
    content because plugins such as Jetpack print their block inside `.entry-content`, where the
    extractor cannot tell it from the author's links.
    `extracted.links` are used for the content when given, else the content is found here.
    """
    return links_in(LexborHTMLParser(html or ""), page_url, extracted=extracted, aliases=aliases)


def links_in(
    tree: LexborHTMLParser,
    page_url: str,
    *,
    extracted: Extracted | None = None,
    aliases: Iterable[str] = (),
) -> list[Candidate]:
    """`article_links` of a page already parsed (`crawler.discover.article` parses it once)."""
    base = _base_url(tree, page_url)
    aliases = tuple(aliases)
    found = _Collector(page_url, aliases, skip=_own_keys(tree, page_url, extracted))

    for block in _matching(tree, RELATED_SELECTORS):
        for href in _hrefs(block):
            found.add(resolve(base, href), "related")
    archives = list(_taxonomy_links(tree, base))
    for url, kind in archives:
        found.add(url, kind)
    content_hrefs = (
        [link.url for link in extracted.links] if extracted is not None else _content_hrefs(tree)
    )
    for href in content_hrefs:
        link = resolve(base, href)
        found.add(link, (_archive_kind(link) if link else None) or "linked")
    for url, kind in archives:
        found.add(archive_feed_url(url), "category_feed" if kind == "category" else "tag_feed")
    return found.candidates


def archive_posts(
    html: str, page_url: str, reason: Reason, *, aliases: Iterable[str] = ()
) -> list[Candidate]:
    """The posts an archive page (category, tag, home) lists on its first page, with `reason`
    ("category" or "tag") saying through which archive they were found."""
    tree = LexborHTMLParser(html or "")
    base = _base_url(tree, page_url)
    found = _Collector(page_url, tuple(aliases), skip=_own_keys(tree, page_url, None))
    for node in _matching(tree, LISTING_SELECTORS):
        url = resolve(base, node.attributes.get("href"))
        if url and page_kind(url) == "article":
            found.add(url, reason)
    return found.candidates


def archive_feed_url(archive_url: str) -> str:
    """The feed of a category or tag archive: WordPress serves it at the archive URL + `feed/`,
    or with `feed=rss2` added for plain (query-string) archive links such as `?cat=7`."""
    parts = urlsplit(archive_url)
    if parts.query:
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "feed"]
        pairs = [*query, ("feed", "rss2")]
        return urlunsplit(parts._replace(query="&".join(f"{k}={v}" for k, v in pairs)))
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/feed/"))


class _Collector:
    """Keeps the first reason for each page and drops the page itself and non-pages."""

    def __init__(self, page_url: str, aliases: tuple[str, ...], skip: set[str]) -> None:
        self.page_url = page_url
        self.aliases = aliases
        self.seen = set(skip)
        self.candidates: list[Candidate] = []

    def add(self, url: str | None, reason: Reason) -> None:
        found = candidate(url, reason, source=self.page_url) if url else None
        if found is None or not same_site(found.url, self.page_url, self.aliases):
            return
        key = url_key(found.url)
        if key in self.seen or page_kind(found.url) == "other":
            return
        self.seen.add(key)
        self.candidates.append(found)


def _own_keys(tree: LexborHTMLParser, page_url: str, extracted: Extracted | None) -> set[str]:
    """The page under every name it declares (canonical, short link, WordPress post id), so
    self-links (#comments, ?share=, "رابط مختصر") are not discovered as related pages."""
    names = [page_url]
    if extracted is not None:
        names += [extracted.canonical_url or "", extracted.shortlink or ""]
    for selector in ("link[rel=canonical]", "link[rel=shortlink]"):
        node = tree.css_first(selector)
        names.append((node.attributes.get("href") or "") if node is not None else "")
    body = tree.css_first("body")
    post = post_id_in_classes((body.attributes.get("class") or "") if body is not None else "")
    if post is not None:
        names.append(f"/?p={post}")
    keys = set()
    for name in names:
        url = resolve(page_url, name)
        if url:
            keys.add(url_key(url))
    return keys


def _base_url(tree: LexborHTMLParser, page_url: str) -> str:
    node = tree.css_first("base[href]")
    href = node.attributes.get("href") if node is not None else None
    return resolve(page_url, href) or page_url


def _matching(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> Iterator[LexborNode]:
    """Nodes matching any selector, each once (a node can match several), outermost first."""
    seen: set[int] = set()
    for selector in selectors:
        for node in tree.css(selector):
            if node.mem_id not in seen:
                seen.add(node.mem_id)
                yield node


def _hrefs(node: LexborNode) -> Iterator[str]:
    for anchor in node.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if href and not href.startswith("#"):
            yield href


def _content_hrefs(tree: LexborHTMLParser) -> list[str]:
    container = next((n for s in CONTENT_SELECTORS if (n := tree.css_first(s)) is not None), None)
    if container is None:
        return []
    for node in container.css(_CONTENT_CHROME):
        node.decompose()
    return list(_hrefs(container))


def _taxonomy_links(tree: LexborHTMLParser, base: str) -> Iterator[tuple[str, Reason]]:
    """The article's category and tag archives.

    WordPress' the_category() prints rel="category tag" and the_tags() rel="tag", which is the
    surest sign; themes that drop rel are read by URL shape inside the article's meta regions.
    """
    for anchor in tree.css("a[rel][href]"):
        rel = set((anchor.attributes.get("rel") or "").lower().split())
        url = resolve(base, anchor.attributes.get("href"))
        if url and "category" in rel:
            yield url, "category"
        elif url and "tag" in rel:
            yield url, "tag"
    for region in _matching(tree, TAXONOMY_REGIONS):
        for href in _hrefs(region):
            url = resolve(base, href)
            kind = _archive_kind(url) if url else None
            if url and kind is not None:
                yield url, kind


def _archive_kind(url: str) -> Reason | None:
    parts = urlsplit(url)
    segments = [unquote(s).lower() for s in parts.path.split("/") if s]
    query = dict(parse_qsl(parts.query))
    if (segments[:1] == ["category"] and len(segments) > 1) or "cat" in query:
        return "category"
    if (segments[:1] == ["tag"] and len(segments) > 1) or "tag" in query:
        return "tag"
    return None
