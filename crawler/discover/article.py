"""What discovery reads in an article page, from one parse: the related pages it links
(`links_in`), its WordPress post id and the REST API root it announces. Pure: HTML in.

The article's content links come from the `Extracted` the check already made, so the page is
parsed here once for what the extractor does not keep (the related-posts block, the category
and tag links, the post id, the API link), instead of once per question.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from crawler.discover.candidate import Candidate
from crawler.discover.links import links_in
from crawler.discover.wpapi import api_root_in, post_id_in_classes, post_id_in_link
from crawler.models import Extracted


@dataclass(frozen=True)
class ArticlePage:
    links: tuple[Candidate, ...]
    post_id: int | None  # the WordPress post id, for the REST API
    api_root: str | None  # the REST API root the page announces, if it does


def read_article(
    html: str,
    page_url: str,
    *,
    extracted: Extracted | None = None,
    aliases: Iterable[str] = (),
) -> ArticlePage:
    tree = LexborHTMLParser(html or "")
    # the post id and API link first: reading links without an extraction trims the content
    post = post_id_in(tree, page_url)
    # the extractor's metadata walk already read the API link
    root = extracted.api_root if extracted is not None else api_root_in(tree, page_url)
    return ArticlePage(tuple(links_in(tree, page_url, extracted=extracted, aliases=aliases)),
                       post, root)  # fmt: skip


def post_id_in(tree: LexborHTMLParser, url: str) -> int | None:
    """The WordPress post id: body class `postid-N`, else the short link `?p=N`."""
    body = tree.css_first("body")
    number = post_id_in_classes((body.attributes.get("class") or "") if body is not None else "")
    if number is not None:
        return number
    node = tree.css_first("link[rel=shortlink]")
    for link in ((node.attributes.get("href") or "") if node is not None else "", url):
        number = post_id_in_link(link)
        if number is not None:
            return number
    return None
