"""WordPress calibration: the post's own text, from the REST API's `content.rendered`, is the
best evidence of what the article is. How far the extraction agrees with it is measured per
check; when they disagree, the element of the page whose text matches it best is named by a
*container signature* (tag, stable classes or id) that `crawler.extract.extract(container=…)`
then prefers on every page of that site. Pure; no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser

from crawler.arabic import match_tokens
from crawler.segments import Element, Page, read_page

AGREE = 0.9  # token F1 at or above which an extraction agrees with the post's own text
_MATCH = 0.8  # an element must match the post's text this well to be remembered
_VARYING = re.compile(r"\d")  # post-95655, postid-12: names that change from page to page


def rendered_text(rendered_html: str) -> str:
    """The text of a REST `content.rendered` fragment, one block per line."""
    tree = LexborHTMLParser(rendered_html or "")
    if tree.body is None:
        return ""
    return "\n".join(segment.text for segment in read_page(tree.body).segments)


def agreement(text: str, reference: str) -> float:
    """Token F1 (bag of words, Arabic match tokens) of an extraction against the post's text."""
    have, want = Counter(match_tokens(text)), Counter(match_tokens(reference))
    overlap = sum((have & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(have.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def signature(element: Element) -> str | None:
    """How the element is named on every page of the site: its tag with its id or classes that
    hold no digits (`div.entry-content`, `section#article-body`); None when nothing stable
    names it."""
    attrs = element.attrs or {}
    ident = attrs.get("id")
    if ident and not _VARYING.search(ident) and " " not in ident:
        return f"{element.tag}#{ident}"
    classes = sorted({c for c in (attrs.get("class") or "").split() if not _VARYING.search(c)})
    if classes:
        return f"{element.tag}.{'.'.join(classes)}"
    return None


def matches(element: Element, wanted: str) -> bool:
    return signature(element) == wanted


def container_in(body: str, reference: str) -> tuple[str, float] | None:
    """`container_for` the page `body` holds (None without a <body>): the parse stays in
    `crawler/`, so calibration in `schedules/` only asks."""
    tree = LexborHTMLParser(body)
    return container_for(read_page(tree.body), reference) if tree.body is not None else None


def container_for(page: Page, reference: str) -> tuple[str, float] | None:
    """The signature of the element whose text matches `reference` best, with its token F1,
    when that is at least _MATCH; every element is scored at once from per-segment overlaps."""
    want = Counter(match_tokens(reference))
    total_want = sum(want.values())
    if not total_want:
        return None
    hits, sizes = [], []
    for segment in page.segments:
        tokens = match_tokens(segment.text)
        sizes.append(len(tokens))
        hits.append(sum(1 for token in tokens if token in want))
    hit_sums, size_sums = [0, *accumulate(hits)], [0, *accumulate(sizes)]
    best: tuple[float, int] | None = None
    for index, element in enumerate(page.elements):
        got = size_sums[element.end] - size_sums[element.start]
        hit = hit_sums[element.end] - hit_sums[element.start]
        if not got or not hit:
            continue
        precision, recall = hit / got, min(1.0, hit / total_want)
        f1 = 2 * precision * recall / (precision + recall)
        if (
            best is None
            or f1 > best[0]
            or f1 == best[0]
            and element.depth > page.elements[best[1]].depth
        ):
            best = (f1, index)
    if best is None or best[0] < _MATCH:
        return None
    name = signature(page.elements[best[1]])
    return (name, round(best[0], 3)) if name else None
