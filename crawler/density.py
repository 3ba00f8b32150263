"""Which element of a page holds its main text: every block element scored at once by text
and link density, then the segments inside the winner classified one by one.

A segment is worth its characters when it reads like prose (long, few links), and costs them
when it reads like chrome (mostly links, or inside an element marked as chrome). The winner is
the element whose segments are worth the most together: a menu or a comment list beside the
article lowers its parent's score, content split across sibling containers raises it. This is
the maximum-sum idea of Finn's Body Text Extraction, measured on elements instead of tokens, with
jusText's classes (good, short, bad) for the segments inside. Pure; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from crawler.segments import Page, Segment

_SHORT = 25  # characters; shorter segments are labels, buttons, dates, headings
_LINKY = 0.5  # link density above which a segment is a list of links, not text
_WRAPPER = 0.5  # a chrome-marked element holding this share of the good text is a wrapper
_NEAR = 0.8  # a descendant scoring this share of its ancestor is the tighter, better choice
_MIN_PROSE = 400  # characters of prose under which a page is read as a listing too

# What a character of a list of links costs; content links (a list of sources, a table of
# courses) sit inside articles too, so a menu costs a quarter of what prose is worth.
_LINK_COST = 0.25
_RECOUNTS = 8
_CAPTION = 150  # characters; a caption or photo credit is shorter
_TEXT_LEVEL = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "address",
        "caption",
    ]
)


@dataclass(frozen=True)
class Choice:
    element: int  # index into page.elements
    kept: tuple[int, ...]  # indices of the segments that are the main text, in order
    score: float  # the winner's worth
    share: float  # its good text over the page's good text, 0..1
    listing: bool  # read as a listing: link text counted as content


def _good(segment: Segment) -> float:
    if segment.chars < _SHORT:
        return 0.0
    density = segment.link_chars / segment.chars
    return 0.0 if density > _LINKY else segment.chars * (1 - density)


def choose(page: Page) -> Choice | None:
    """The element holding the main text and the segments of it to keep, or None when the page
    has no text at all. Prose first; a page with hardly any (a listing, a shop's category, a
    forum thread of short posts) is read again with its links counted as content."""
    segments = page.segments
    if not segments:
        return None
    good = [_good(segment) for segment in segments]
    # Wrappers are told by prose in both readings: a <nav> holding all the links of a page
    # with no text is chrome, not the wrapper of a listing.
    wrappers = _wrappers(page, good, [0.0, *accumulate(good)]) if sum(good) > 0 else set()
    prose = _choose(page, good, wrappers, listing=False) if sum(good) > 0 else None
    if prose is not None and _kept_chars(page, prose) >= _MIN_PROSE:
        return prose
    linked = [float(s.chars) for s in segments]
    listing = _choose(page, linked, wrappers, listing=True) if sum(linked) > 0 else None
    if (
        listing is None
        or prose is not None
        and _kept_chars(page, listing) <= _kept_chars(page, prose)
    ):
        return prose
    return listing


def choice_of(page: Page, index: int) -> Choice:
    """The segments of element `index` to keep, read as prose: for a container chosen by other
    evidence (a site's calibrated container) rather than by score."""
    good = [_good(segment) for segment in page.segments]
    wrappers = _wrappers(page, good, [0.0, *accumulate(good)]) if sum(good) > 0 else set()
    element = page.elements[index]
    kept = tuple(
        i
        for i in range(element.start, element.end)
        if _kept(page.segments[i], index, wrappers, False, page)
    )
    inside = sum(good[element.start : element.end])
    return Choice(index, kept, inside, inside / (sum(good) or 1.0), False)


def _kept_chars(page: Page, choice: Choice) -> int:
    return sum(page.segments[index].chars for index in choice.kept)


def _choose(page: Page, good: list[float], wrappers: set[int], listing: bool) -> Choice | None:
    segments, elements = page.segments, page.elements
    total_good = sum(good)
    good_sums = [0.0, *accumulate(good)]
    worth = []
    for segment, value in zip(segments, good):
        if segment.marks and not wrappers.issuperset(segment.marks):
            worth.append(0.0)  # left out of the text wherever it is, so it costs nothing
        elif value > 0:
            worth.append(value - (segment.chars - value))
        elif segment.chars < _SHORT and not segment.link_chars:
            worth.append(-1.0)
        else:
            worth.append(-_LINK_COST * segment.chars)
    sums = [0.0, *accumulate(worth)]
    scores = [sums[element.end] - sums[element.start] for element in elements]
    best = max(range(len(elements)), key=scores.__getitem__)
    if scores[best] <= 0:
        return None
    best = _tightest(page, best, scores)
    while elements[best].tag in _TEXT_LEVEL and elements[best].parent > 0:
        best = elements[best].parent  # one paragraph is a part of the text, not its container
    winner = elements[best]
    kept = tuple(
        index
        for index in range(winner.start, winner.end)
        if _kept(segments[index], best, wrappers, listing, page)
    )
    share = (good_sums[winner.end] - good_sums[winner.start]) / total_good
    return Choice(best, kept, scores[best], share, listing)


def _wrappers(page: Page, good: list[float], good_sums: list[float]) -> set[int]:
    """Chrome-marked elements that are wrappers of the article by their name ("has-sidebar",
    "sidebar-content", an ASP.NET `<form>`): those holding most of the page's prose, or far
    more than the page shows outside marked elements. Outer elements are judged first."""
    total = good_sums[-1]
    wrappers: set[int] = set()
    unmarked = sum(value for segment, value in zip(page.segments, good) if not segment.marks)
    recounts = 0  # each recount walks the page; a hostile page must not make it quadratic
    for index, element in enumerate(page.elements):
        if not element.marked:
            continue
        inside = good_sums[element.end] - good_sums[element.start]
        if inside <= 0:
            continue
        if inside > _WRAPPER * total or unmarked < 0.25 * inside and recounts < _RECOUNTS:
            wrappers.add(index)
            if recounts < _RECOUNTS:  # 256 nested wrappers must not mean 256 walks
                recounts += 1
                unmarked = sum(
                    value
                    for segment, value in zip(page.segments, good)
                    if value and wrappers.issuperset(segment.marks)
                )
    return wrappers


def _tightest(page: Page, best: int, scores: list[float]) -> int:
    """The deepest descendant of `best` that scores nearly as well: the same text with less
    around it."""
    elements = page.elements
    floor = _NEAR * scores[best]
    chosen, depth = best, elements[best].depth
    # Descendants follow `best` in document order, all of them before anything else: an element
    # is one while its parent is `best` or one of the descendants just seen (an index >= best).
    for index in range(best + 1, len(elements)):
        element = elements[index]
        if element.parent < best:
            break
        if scores[index] >= floor and element.depth > depth:
            chosen, depth = index, element.depth
    return chosen


def _caption(segment: Segment, page: Page) -> bool:
    """A short line alone in a box with an image (not a paragraph): the image's caption or
    credit, which themes write without <figcaption>."""
    owner = page.elements[segment.owner]
    return (
        owner.images > 0
        and segment.chars < _CAPTION
        and owner.tag not in _TEXT_LEVEL
        and owner.end - owner.start == 1
    )


def _kept(segment: Segment, winner: int, wrappers: set[int], listing: bool, page: Page) -> bool:
    for mark in segment.marks:
        if mark not in wrappers and mark > winner:  # marked inside the winner
            return False
    if listing:
        return True
    if _caption(segment, page):
        return False
    return not (segment.link_chars / segment.chars > _LINKY and segment.chars < 400)
