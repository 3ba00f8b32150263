"""CSS queries through one Lexbor selector engine per thread instead of one per document.

selectolax builds a CSS parser and selector engine the first time a document is queried
(`LexborHTMLParser.selector`) and frees it with the document: about 45 µs a page, a quarter of
the parse of a typical article page. The engine keeps nothing about a document between queries,
so one engine serves every page; one per thread, since a query keeps its state in the engine.
"""

from __future__ import annotations

import threading

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

_local = threading.local()


def _engine() -> LexborCSSSelector:
    engine: LexborCSSSelector | None = getattr(_local, "engine", None)
    if engine is None:
        engine = _local.engine = LexborCSSSelector()  # type: ignore[no-untyped-call]
    return engine


def css(node: LexborNode | LexborHTMLParser, query: str) -> list[LexborNode]:
    """`node.css(query)`: the matches in document order, `node` itself included."""
    root = node.root if isinstance(node, LexborHTMLParser) else node
    return [] if root is None else _engine().find(query, root)


def css_first(node: LexborNode, query: str) -> LexborNode | None:
    """`node.css_first(query)`: the first match in document order, or None."""
    found = _engine().find(query, node)
    return found[0] if found else None


def any_match(node: LexborNode, query: str) -> bool:
    """Whether `node` or a descendant matches `query`; stops at the first match."""
    return bool(_engine().any_matches(query, node))
