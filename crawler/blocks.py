"""Typed blocks from a content container: one walk in document order, then word-level filters.

Kept apart from container finding (`crawler.extract`) because it is the part every evidence
path shares: known containers, JSON-LD bodies written as HTML, and the generic fallback.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from crawler.arabic import display_text, match_key
from crawler.boilerplate import LABEL_LINE, READ_ALSO, SHORTLINK_LINE, is_chrome
from crawler.models import Block, BlockKind

_BLOCK_KIND: dict[str, BlockKind] = {
    "p": "paragraph",
    "pre": "paragraph",
    "address": "paragraph",
    "dt": "paragraph",
    "dd": "paragraph",
    "caption": "paragraph",
    "li": "list_item",
    "blockquote": "quote",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
}
# Elements that only group blocks: walked into, never taken as one piece of text.
_STRUCTURE = {
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "dl",
    "figure",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "center",
    "details",
    "summary",
    "menu",
    "hgroup",
    "body",
    "html",
    "picture",
}
_SKIP = {
    "img",
    "hr",
    "wbr",
    "source",
    "track",
    "area",
    "col",
    "colgroup",
    "param",
    "meta",
    "link",
    "base",
    "head",
    "title",
}
BR = "\u2028"  # stands for <br> in collected text until blocks are split
_MAX_DEPTH = 64  # deeper nesting (50-level tables) is read as flat text, not walked


def block_of(anchor: LexborNode) -> int | None:
    parent = anchor.parent
    for _ in range(12):
        if parent is None:
            return None
        if parent.tag in _BLOCK_KIND:
            return parent.mem_id
        parent = parent.parent
    return None


def walk(
    root: LexborNode, chrome: list[LexborNode]
) -> list[tuple[BlockKind, str, LexborNode | None]]:
    """Blocks of `root` in document order: block elements whole, loose inline text as
    paragraphs; chrome elements are skipped and collected in `chrome`. An explicit stack, so
    no nesting depth can exhaust Python's recursion."""
    out: list[tuple[BlockKind, str, LexborNode | None]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            text = "".join(run)
            # The line breaks between blocks are half the runs; blank, they make no block.
            if not text.isspace():
                out.append(("paragraph", text, None))
            run.clear()

    stack = [root.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            flush()
            continue
        if child.is_text_node:
            run.append(child.text_content or "")
            continue
        tag = child.tag
        if not tag or tag.startswith("-") or tag in _SKIP:
            continue
        if is_chrome(tag, child.attributes):
            chrome.append(child)
            continue
        kind = _BLOCK_KIND.get(tag)
        if kind == "quote":
            flush()
            parts = child.css("p")
            for node in parts or [child]:
                out.append(("quote", node.text(), node))
        elif kind is not None:
            flush()
            out.append((kind, child.text(), child))
        elif tag in _STRUCTURE:
            flush()
            if len(stack) < _MAX_DEPTH:
                stack.append(child.iter(include_text=True))
            else:
                out.append(("paragraph", child.text(), None))
        else:
            run.append(child.text())
    return out


def typed_blocks(
    raw: list[tuple[BlockKind, str, LexborNode | int | None]],
    link_chars: dict[int, int],
    title: str | None,
) -> tuple[list[Block], set[int]]:
    """Typed, normalised blocks without the chrome that only its words give away. Each raw
    block names its source by a node or a key of `link_chars`; `dropped` holds those keys."""
    blocks: list[Block] = []
    dropped: set[int] = set()
    after_label = False
    title_key = match_key(title) if title else None  # a repeated headline is not body text
    for kind, text, node in raw:
        node_id = -1 if node is None else node if isinstance(node, int) else node.mem_id
        if BR in text:
            pieces = [piece for piece in map(display_text, text.split(BR)) if piece]
        else:
            piece = display_text(text)
            pieces = [piece] if piece else []
        if not pieces:
            continue
        whole = " ".join(pieces)
        density = link_chars.get(node_id, 0) / len(whole)
        words = whole.count(" ") + 1
        if after_label and density >= 0.7:
            dropped.add(node_id)
            continue
        after_label = False
        if words <= 12 or density >= 0.5:  # labels are short or mostly links
            key = match_key(whole[:120])
            if READ_ALSO.match(key) and (words <= 8 or density >= 0.5):
                after_label = True
                dropped.add(node_id)
                continue
            if SHORTLINK_LINE.match(key) or (
                LABEL_LINE.match(key) and (words <= 5 or density >= 0.5)
            ):
                dropped.add(node_id)
                continue
        if kind == "heading" and title_key and len(whole) < 300 and match_key(whole) == title_key:
            continue
        if kind == "heading" or len(pieces) == 1:
            blocks.append(Block(kind, whole))
        else:
            blocks.extend(Block(kind, piece) for piece in pieces)
    return blocks, dropped
