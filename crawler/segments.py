"""The whole page as a flat list of text segments, and its block elements as ranges of them.

One walk over `<body>` in document order. A segment is the text between two block boundaries
(a `<p>`, a `<li>`, loose text in a `<div>`), with how much of it is link text. Every block
element records the range of segments it holds; since the walk is depth first, that range is
contiguous, so "how much good text is inside this element" is a difference of prefix sums and
every element of the page can be scored at once (`crawler.density`). Chrome is not cut out
here: an element marked as chrome (by tag or class, `crawler.boilerplate.is_chrome`) is walked
like any other and only recorded, because a wrapper named "has-sidebar" or an ASP.NET `<form>`
can hold the whole article; the scorer decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from crawler.blocks import BR
from crawler.boilerplate import is_chrome, is_content
from crawler.models import BlockKind

# Elements whose text is never the article's, skipped with everything inside.
_SKIP = frozenset(
    [
        "script",
        "style",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
        "map",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "img",
        "picture",
        "source",
        "track",
        "area",
        "param",
        "input",
        "select",
        "textarea",
        "button",
        "option",
        "optgroup",
        "datalist",
        "dialog",
        "wbr",
        "hr",
        "col",
        "colgroup",
    ]
)
# Elements that start a new segment; the rest (a, span, strong, font…) are inline.
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
        "legend",
        "html",
        "noscript",
    ]
)
# Marked as chrome by their tag alone; every class-marked element is, too.
# <noscript> too: apps that render in the browser (Discourse) serve crawlers their text in it,
# so it is walked, and kept only where it holds most of the page's prose.
_CHROME_BLOCKS = frozenset(
    ["nav", "aside", "footer", "header", "form", "figcaption", "fieldset", "legend", "noscript"]
)
_KIND: dict[str, BlockKind] = {
    "li": "list_item",
    "dt": "list_item",
    "dd": "list_item",
    "blockquote": "quote",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
}
MAX_DEPTH = 256  # deeper nesting is read as flat text, not walked

# What the walk does with an element, by its tag: skips it with everything inside, counts it
# (an image, skipped too), breaks the line, opens a block, opens an anchor; any other tag is
# inline. One lookup instead of a test of each set in turn.
_SKIPPED, _IMAGE, _BREAK, _BLOCK, _ANCHOR, _INLINE = (
    "skip",
    "image",
    "break",
    "block",
    "a",
    "inline",
)
_ACTIONS: dict[str, str] = {
    **dict.fromkeys(_BLOCKS, _BLOCK),
    **dict.fromkeys(_SKIP, _SKIPPED),
    "img": _IMAGE,
    "br": _BREAK,
    "a": _ANCHOR,
}


@dataclass(slots=True)
class Segment:
    text: str  # whitespace collapsed; BR where a <br> was
    chars: int
    link_chars: int
    kind: BlockKind
    marks: tuple[int, ...]  # chrome-marked block elements it sits in (indices into elements)
    owner: int = 0  # the innermost block element holding it (index into elements)


@dataclass(slots=True)
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: int  # index into elements, -1 for the root
    start: int  # its segments are segments[start:end]
    end: int
    marked: bool
    depth: int
    images: int = 0  # <img> directly in it (not in a block element inside it)


@dataclass(slots=True)
class Anchor:
    href: str
    segment: int  # the segment its text went into
    text: list[str]


@dataclass(slots=True)
class Page:
    segments: list[Segment]
    elements: list[Element]
    anchors: list[Anchor]


def read_page(root: LexborNode) -> Page:
    """Segments, block elements and anchors under `root` (usually `<body>`). An explicit stack,
    so no nesting depth can exhaust Python's recursion.

    This walk is most of the extractor's CPU, so it is written for the interpreter: the children
    of the open element are read in a `for` loop (a frame is pushed or popped only when an
    element opens or closes, not for every text node), and a node is asked for its text first,
    which answers for text nodes (half the nodes) and is None for elements."""
    segments: list[Segment] = []
    elements: list[Element] = [Element(root.tag or "body", {}, -1, 0, 0, False, 0)]
    anchors: list[Anchor] = []
    run: list[str] = []
    link = 0  # link characters in `run`
    marks: list[int] = []
    marks_tuple: tuple[int, ...] = ()
    # The frames of the open elements around the one being read: its children, its index in
    # `elements` (-1 when inline), and its anchor when it is one.
    stack: list[tuple[Iterator[LexborNode], int, Anchor | None]] = []
    children: Iterator[LexborNode] = root.iter(include_text=True)
    index = 0  # the element being read
    anchor: Anchor | None = None
    block = 0  # innermost open block element
    open_anchors: list[Anchor] = []

    while True:
        for child in children:
            text = child.text_content
            if text is not None:  # a text node
                if not text:
                    continue
                if text.isspace():  # the line breaks between tags: one space keeps words apart
                    if run:
                        run.append(" ")
                    continue
                run.append(text)
                if open_anchors:
                    link += len(text.strip())
                    for open_anchor in open_anchors:
                        open_anchor.text.append(text)
                continue
            tag = child.tag
            if not tag or tag[0] == "-":  # a comment, a nameless node
                continue
            action = _ACTIONS.get(tag, _INLINE)
            if action is _SKIPPED:
                continue
            if action is _IMAGE:
                elements[block].images += 1
                continue
            if action is _BREAK:
                run.append(BR)
                continue
            attrs = child.attributes
            chrome = _chrome(tag, attrs) if attrs else tag in _CHROME_BLOCKS
            if action is _BLOCK:
                if run:
                    _flush(run, link, segments, elements, block, marks_tuple)
                    link = 0
                depth = len(stack) + 1  # the open elements, `root` counted
                if depth >= MAX_DEPTH:
                    run.append(child.text(separator=" "))
                    continue
                stack.append((children, index, anchor))
                index = len(elements)
                elements.append(Element(tag, attrs, block, len(segments), -1, chrome, depth))
                if chrome:
                    marks.append(index)
                    marks_tuple = tuple(marks)
                block = index
                anchor = None
            elif chrome:
                continue  # inline chrome: an icon label, a "share" link, a screen-reader note
            elif action is _ANCHOR:
                href = attrs.get("href") if attrs else None
                stack.append((children, index, anchor))
                anchor = Anchor((href or "").strip(), len(segments), [])
                anchors.append(anchor)
                open_anchors.append(anchor)
                index = -1
            else:
                stack.append((children, index, anchor))
                index, anchor = -1, None
            children = child.iter(include_text=True)
            break
        else:  # every child read: the element closes
            if not stack:
                break
            if index > 0:
                if run:
                    _flush(run, link, segments, elements, block, marks_tuple)
                    link = 0
                element = elements[index]
                element.end = len(segments)
                if element.marked:
                    marks.pop()
                    marks_tuple = tuple(marks)
                block = element.parent
            elif anchor is not None:
                open_anchors.pop()
            children, index, anchor = stack.pop()
    if run:
        _flush(run, link, segments, elements, block, marks_tuple)
    elements[0].end = len(segments)
    return Page(segments, elements, anchors)


def _chrome(tag: str, attrs: dict[str, str | None]) -> bool:
    """Whether an element with attributes is marked as chrome (by tag or markup); without
    attributes, only its tag can mark it (_CHROME_BLOCKS). A known article container is content
    even when a class says otherwise ("no-share")."""
    return (tag in _CHROME_BLOCKS or is_chrome(tag, attrs)) and not is_content(attrs)


def _flush(
    run: list[str],
    link: int,
    segments: list[Segment],
    elements: list[Element],
    block: int,
    marks: tuple[int, ...],
) -> None:
    """The text collected in `run` as a segment of `block` (none when it is only whitespace);
    `run` is emptied."""
    text = "".join(run)
    run.clear()
    if BR in text:  # str.split() takes the line separator for a space
        text = BR.join(" ".join(part.split()) for part in text.split(BR)).strip(BR + " ")
    else:
        text = _collapsed(text)
    chars = len(text)
    if not chars:
        return
    owner = elements[block]
    tag = owner.tag
    kind: BlockKind = _KIND.get(tag, "paragraph")
    if kind == "paragraph" and tag == "p":
        # A paragraph inside a quote is part of the quote.
        parent = owner.parent
        if parent >= 0 and elements[parent].tag == "blockquote":
            kind = "quote"
    segments.append(Segment(text, chars, min(link, chars), kind, marks, block))


def _collapsed(text: str) -> str:
    """`" ".join(text.split())`, without making a string of every word when there is nothing to
    collapse: printable text holds no whitespace but the space (`isprintable` is False for every
    other character `str.split` splits on)."""
    text = text.strip()
    if "  " not in text and text.isprintable():
        return text
    return " ".join(text.split())
