"""Main-content extraction: an HTML string in, an `Extracted` out. Pure; no network."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from crawler.arabic import display_text
from crawler.models import Block, Extracted, Link

_CONTAINERS = (".entry-content", ".post-content", "[itemprop=articleBody]", "article", "main")
_CHROME = "script, style, form, nav, aside, .sharedaddy, .share, .related-posts, .comments, #comments"
_BLOCKS = {"p": "paragraph", "h2": "heading", "h3": "heading", "h4": "heading", "li": "list_item",
           "blockquote": "quote"}


def _meta(tree: HTMLParser, selector: str, attr: str = "content") -> str | None:
    node = tree.css_first(selector)
    value = node.attributes.get(attr) if node is not None else None
    return value.strip() if value else None


def extract(html: str, url: str | None = None) -> Extracted:
    """First cut: the first known WordPress container, its paragraphs, minus obvious chrome."""
    if not html or not html.strip():
        return Extracted(reason="empty document")
    tree = HTMLParser(html)
    container = next((n for s in _CONTAINERS if (n := tree.css_first(s)) is not None), None)
    if container is None:
        return Extracted(reason="no article container found")
    for node in container.css(_CHROME):
        node.decompose()
    blocks = []
    for node in container.css(",".join(_BLOCKS)):
        text = display_text(node.text(separator=" "))
        if text:
            blocks.append(Block(kind=_BLOCKS[node.tag], text=text))  # type: ignore[arg-type]
    title_node = tree.css_first("h1.entry-title") or tree.css_first("h1") or tree.css_first("title")
    links = tuple(
        Link(url=a.attributes.get("href") or "", text=display_text(a.text()))
        for a in container.css("a[href]")
    )
    return Extracted(
        title=display_text(title_node.text()) if title_node is not None else None,
        canonical_url=_meta(tree, "link[rel=canonical]", "href"),
        shortlink=_meta(tree, "link[rel=shortlink]", "href"),
        published=_meta(tree, "meta[property='article:published_time']"),
        modified=_meta(tree, "meta[property='article:modified_time']"),
        blocks=tuple(blocks),
        links=links,
        reason=None if blocks else "article container holds no text",
    )
