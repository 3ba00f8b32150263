"""Keep a hostile page from costing more than one check.

Lexbor (selectolax) is fast on ordinary pages but superlinear in nesting depth: 10,000 nested
`<div>`s take about 0.1 s, 30,000 about 1 s, 100,000 far longer. `parse_risk` finds such pages
with one regular-expression pass, before any parse.
"""

from __future__ import annotations

import re

MAX_DEPTH = 3000  # about 0.01 s for Lexbor; real pages nest a few dozen deep
MAX_ELEMENTS = 300_000  # a 5 MB page of real HTML holds well under 100,000 elements

# A tag's attributes end at the next "<" too: with `[^>]` a page of "<a" and no ">" made every
# "<" scan to the end of the body (quadratic: 40,000 of them took 46 s). A "<" inside an
# attribute value is rare and only makes the count a little rougher.
_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
# Elements that never nest in the tree: void elements, and those whose end tag is implied when
# a sibling opens (HTML Standard §13.1.2.4), so `<p><p><p>` or `<li><li>` stays shallow.
_FLAT = frozenset(
    b"area base br col embed hr img input link meta source track wbr p li dt dd option optgroup "
    b"tr td th thead tbody tfoot rb rt rp colgroup caption html head body".split()
)


def parse_risk(
    html: str | bytes, max_depth: int = MAX_DEPTH, max_elements: int = MAX_ELEMENTS
) -> str | None:
    """A one-line reason when parsing `html` would be slow, or None. Counts open minus closed tags
    (a cheap upper bound on the depth a parser builds); never parses."""
    # Every element, open or closed, starts with "<": a page with fewer of them than the depth
    # limit cannot reach it, which spares ordinary pages the tag-by-tag scan (and the encoding).
    if (html.count("<") if isinstance(html, str) else html.count(b"<")) <= max_depth:
        return None
    data = html.encode("utf-8", errors="replace") if isinstance(html, str) else html
    depth = deepest = elements = 0
    for match in _TAG.finditer(data):
        elements += 1
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _FLAT or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > max_depth:
                return f"too deeply nested: more than {max_depth} open elements"
    if elements > max_elements:
        return f"too many elements: {elements} (at most {max_elements})"
    return None
