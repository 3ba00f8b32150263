"""Keep a hostile page from costing more than one check.

Lexbor (selectolax) is fast on ordinary pages but superlinear in nesting depth: 10,000 nested
`<div>`s take about 0.1 s, 30,000 about 1 s, 100,000 far longer. `parse_risk` finds such pages
with one regular-expression pass, before any parse. `call_with_budget` runs a parse in a child
process with a time limit, for the cases a pre-scan cannot see (and for a parser that crashes).
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Callable
from typing import Any, TypeVar

MAX_DEPTH = 3000  # about 0.01 s for Lexbor; real pages nest a few dozen deep
MAX_ELEMENTS = 300_000  # a 5 MB page of real HTML holds well under 100,000 elements

T = TypeVar("T")

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
    data = html.encode("utf-8", errors="replace") if isinstance(html, str) else html
    # Every element, open or closed, starts with "<": a page with fewer of them than the depth
    # limit cannot reach it, which spares ordinary pages the tag-by-tag scan.
    if data.count(b"<") <= max_depth:
        return None
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


class BudgetExceeded(Exception):
    """The call ran out of time or its process died; the message is one line for the record."""


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send((True, fn(*args)))
    except BaseException as error:  # noqa: BLE001 - everything goes back to the parent as text
        conn.send((False, f"{type(error).__name__}: {error}"))
    finally:
        conn.close()


def call_with_budget(fn: Callable[..., T], *args: Any, seconds: float) -> T:
    """`fn(*args)` in a child process, killed after `seconds`.

    A thread cannot be stopped and a segfault in a C parser would take the daemon with it; a
    process can be killed and dies alone. `fn`, its arguments and its result must be picklable
    (module-level functions, frozen dataclasses). Costs a fork per call: use it for parsing, not
    for every small step.
    """
    methods = multiprocessing.get_all_start_methods()
    # forkserver: children fork from a clean single-threaded server, not from the daemon with its
    # thread pool (forking a threaded process can copy a held lock into the child).
    context: Any = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, fn, args), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise BudgetExceeded(f"gave up after {seconds:g} s")
        ok, value = parent.recv()
    except EOFError:
        process.join(1)
        raise BudgetExceeded(f"the parser process died (exit code {process.exitcode})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(1)
        parent.close()
    if not ok:
        raise BudgetExceeded(str(value).splitlines()[0] if value else "failed")
    return value  # type: ignore[no-any-return]
