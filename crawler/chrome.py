"""Removing page chrome from a parsed tree, by the rules in `crawler.boilerplate`.

The extractor itself never cuts a tree: it walks the page and records chrome marks
(`crawler.segments`). What is cut here is a JSON-LD `articleBody` written as HTML, which is all
article (`strip_chrome`). The rules are checked in Python while the tree is walked once: Lexbor
matches a selector group one selector at a time, and CHROME_MARKED's 150 selectors cost several
parses. `tests/test_chrome.py` holds the Python rules to the selectors on random markup.
"""

from __future__ import annotations

from collections.abc import Callable

from selectolax.lexbor import LexborNode

from crawler.boilerplate import CHROME_TAG_NAMES, is_marked

_KEPT_TAGS = ("html", "body", "head")


def strip_chrome(root: LexborNode) -> None:
    """Remove every element CHROME_SELECTOR matches, outermost first, with no guard: for a
    fragment that is all article (an `articleBody` written as HTML)."""
    _strip(root, lambda node: _is_chrome_tag(node) or _is_marked(node))


def _strip(root: LexborNode, is_chrome: Callable[[LexborNode], bool]) -> None:
    """Decompose the outermost elements under `root` that `is_chrome` accepts.

    Matches are collected in one walk and decomposed after it, so the walk never steps on a freed
    node; the subtree of a match is skipped."""
    found: list[LexborNode] = []
    resume: int | None = None  # mem_id of the first node after the last match's subtree
    walk = root.traverse()
    next(walk)  # `root` itself
    for node in walk:
        if resume is not None:
            if node.mem_id != resume:
                continue
            resume = None
        if is_chrome(node) and node.tag not in _KEPT_TAGS:
            found.append(node)
            resume = _after(node, root)
    for node in found:
        node.decompose()


def _after(node: LexborNode, root: LexborNode) -> int:
    """The mem_id of the first non-text node after `node`'s subtree within `root` (-1: none)."""
    current: LexborNode | None = node
    while current is not None and current.mem_id != root.mem_id:
        following = current.next
        while following is not None and following.is_text_node:
            following = following.next
        if following is not None:
            return following.mem_id
        current = current.parent
    return -1


def _is_chrome_tag(node: LexborNode) -> bool:
    tag = node.tag
    if tag in CHROME_TAG_NAMES:
        return True
    # A class selector ignores case in quirks mode, which only the selector engine knows.
    return tag == "ins" and _matches(node, "ins.adsbygoogle")


def _is_marked(node: LexborNode) -> bool:
    attrs = node.attributes
    if is_marked(attrs):
        return True
    rel = attrs.get("rel")  # see is_marked: the case of `rel` is for the selector engine
    return (
        rel is not None
        and rel.isascii()
        and rel.lower() == "author"
        and _matches(node, "[rel=author]")
    )


def _matches(node: LexborNode, selector: str) -> bool:
    first = node.css_first(selector)  # the node itself comes first in document order
    return first is not None and first.mem_id == node.mem_id
