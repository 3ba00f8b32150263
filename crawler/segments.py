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
    so no nesting depth can exhaust Python's recursion."""
    segments: list[Segment] = []
    elements: list[Element] = [Element(root.tag or "body", {}, -1, 0, 0, False, 0)]
    anchors: list[Anchor] = []
    run: list[str] = []
    link = [0]
    marks: list[int] = []
    marks_tuple: tuple[int, ...] = ()
    # One frame per open element: its children, its index in `elements` (-1 when inline), and
    # whether it is an anchor.
    stack: list[tuple[object, int, Anchor | None]] = [(root.iter(include_text=True), 0, None)]
    block = 0  # innermost open block element
    open_anchors: list[Anchor] = []

    def flush() -> None:
        if not run:
            return
        text = "".join(run)
        run.clear()
        if BR in text:  # str.split() takes the line separator for a space
            text = BR.join(" ".join(part.split()) for part in text.split(BR)).strip(BR + " ")
        else:
            text = " ".join(text.split())
        chars = len(text)
        if chars:
            owner = elements[block]
            tag = owner.tag
            kind: BlockKind = _KIND.get(tag, "paragraph")
            if kind == "paragraph" and tag == "p":
                # A paragraph inside a quote is part of the quote.
                parent = owner.parent
                if parent >= 0 and elements[parent].tag == "blockquote":
                    kind = "quote"
            segments.append(
                Segment(text, chars, min(link[0], chars), kind, marks_tuple, block)
            )
        link[0] = 0

    while stack:
        iterator, index, anchor = stack[-1]
        child = next(iterator, None)  # type: ignore[call-overload]
        if child is None:
            stack.pop()
            if index > 0:
                if run:
                    flush()
                element = elements[index]
                element.end = len(segments)
                if element.marked:
                    marks.pop()
                    marks_tuple = tuple(marks)
                block = element.parent
            elif anchor is not None:
                open_anchors.pop()
            continue
        if child.is_text_node:
            text = child.text_content
            if text:
                if text.isspace():  # the line breaks between tags: one space keeps words apart
                    if run:
                        run.append(" ")
                    continue
                run.append(text)
                if open_anchors:
                    size = len(text.strip())
                    link[0] += size
                    for open_anchor in open_anchors:
                        open_anchor.text.append(text)
            continue
        tag = child.tag
        if not tag or tag in _SKIP or tag.startswith("-"):
            if tag == "img":
                elements[block].images += 1
            continue
        if tag == "br":
            run.append(BR)
            continue
        attrs = child.attributes
        # A known article container is content even when a class says otherwise ("no-share").
        chrome = (tag in _CHROME_BLOCKS or bool(attrs) and is_chrome(tag, attrs)) and not (
            attrs and is_content(attrs)
        )
        if tag in _BLOCKS:
            if run:
                flush()
            if len(stack) >= MAX_DEPTH:
                run.append(child.text(separator=" "))
                continue
            index = len(elements)
            elements.append(
                Element(tag, attrs, block, len(segments), -1, chrome, len(stack))
            )
            if chrome:
                marks.append(index)
                marks_tuple = tuple(marks)
            block = index
            stack.append((child.iter(include_text=True), index, None))
        elif chrome:
            continue  # inline chrome: an icon label, a "share" link, a screen-reader note
        elif tag == "a":
            href = attrs.get("href") if attrs else None
            new = Anchor((href or "").strip(), len(segments), [])
            anchors.append(new)
            open_anchors.append(new)
            stack.append((child.iter(include_text=True), -1, new))
        else:
            stack.append((child.iter(include_text=True), -1, None))
    flush()
    elements[0].end = len(segments)
    return Page(segments, elements, anchors)
