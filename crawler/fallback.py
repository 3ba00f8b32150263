"""The generic fallback for themes nobody described: score text blocks, pick the best parent.

After Readability's heuristic (Arc90, as kept in readability-lxml): each paragraph gives its
parent points for length and commas (Arabic "،" too) and half of them to its grandparent; the
winner is discounted by its link density (menus and link lists are mostly anchors), and siblings
that score well join it, since some CMSs split a story into several containers.
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborNode

_TEXTUAL = "p, pre, blockquote, td, div, section, article"
_LOOSE = {"div", "section", "td", "article"}  # they count only for text written directly in them
_MIN_PARAGRAPH = 40
_CANDIDATES = 5


def _link_density(node: LexborNode) -> float:
    text = len(node.text().strip())
    if not text:
        return 1.0
    return min(1.0, sum(len(a.text().strip()) for a in node.css("a")) / text)


def best_content(body: LexborNode) -> list[LexborNode]:
    """The element(s) most likely to hold the article under `body`, in document order."""
    scores: dict[int, list[Any]] = {}  # mem_id → [node, score]

    def credit(node: LexborNode | None, points: float) -> None:
        if node is None or node.tag in ("html", "body", None):
            return
        entry = scores.setdefault(node.mem_id, [node, 0.0])
        entry[1] += points

    for node in body.css(_TEXTUAL):
        loose = node.tag in _LOOSE
        text = node.text(deep=not loose).strip()
        if len(text) < _MIN_PARAGRAPH:
            continue
        points = 1 + text.count(",") + text.count("،") + min(len(text) // 100, 3)
        if loose:
            credit(node, points)
        parent = node.parent
        credit(parent, points)
        credit(parent.parent if parent is not None else None, points / 2)
    if not scores:
        return []
    ranked = sorted(scores.values(), key=lambda entry: entry[1], reverse=True)[:_CANDIDATES]
    best, best_score = max(
        ((node, score * (1 - _link_density(node))) for node, score in ranked),
        key=lambda pair: pair[1],
    )
    parent = best.parent
    if parent is None or parent.tag in ("html", None):
        return [best]
    threshold = max(10.0, best_score * 0.2)
    chosen = []
    for sibling in parent.iter():
        if sibling.mem_id == best.mem_id:
            chosen.append(sibling)
            continue
        entry = scores.get(sibling.mem_id)
        if (
            entry
            and entry[1] >= threshold
            and _link_density(sibling) < 0.25
            or sibling.tag == "p"
            and len(sibling.text().strip()) >= 80
            and _link_density(sibling) < 0.25
        ):
            chosen.append(sibling)
    return chosen
