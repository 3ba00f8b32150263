"""Regular expressions from the watch list (`ignore`, discovery `include`/`exclude`), run over
scraped text with a time limit.

Python's `re` backtracks without limit: `(a+)+$` against 27 "a" and a "!" took 20 s per search,
with the GIL held, and a hostile page chooses the text. The `regex` package (same syntax, the
same Unicode classes for Arabic) stops a search after `timeout` and releases the GIL while it
runs. The common catastrophic shape, a repeated group that itself ends in a repetition, is
refused when the watch list is read; a pattern that still runs out of time is logged and given
up on for the rest of that text (a version's blocks) or discovery pass, so its cost is one time
limit, however many blocks or links there are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import regex

SEARCH_SECONDS = 0.05  # an ordinary pattern searches a block or a URL in microseconds
log = logging.getLogger("marsad.patterns")

# A group repeated without bound that holds a repetition without bound: (a+)+ (\w*)* ([^/]+/?)+.
_REPEATED_GROUP = regex.compile(r"\(((?:[^()\\]|\\.)*)\)(?:[+*]|\{\d*,)")
_UNBOUNDED = regex.compile(r"[+*]|\{\d*,\}")
_ESCAPE_OR_CLASS = regex.compile(r"\\.|\[(?:[^\]\\]|\\.)*\]")


def _nested_repetition(pattern: str) -> str | None:
    for group in _REPEATED_GROUP.finditer(pattern):
        if _UNBOUNDED.search(_ESCAPE_OR_CLASS.sub("x", group.group(1))):
            return group.group()
    return None


class PatternError(ValueError):
    """A pattern that cannot be used; the message is one line naming it."""


@dataclass(frozen=True)
class UserPattern:
    """A compiled pattern whose searches are bounded in time."""

    pattern: str
    _compiled: regex.Pattern[str] = field(repr=False, compare=False)

    def search(self, text: str, *, what: str = "pattern") -> bool | None:
        """Whether the pattern occurs in `text`, or None when the search ran out of time (logged
        in one line). Callers give the pattern up for the rest of that page or pass."""
        try:
            return self._compiled.search(text, timeout=SEARCH_SECONDS, concurrent=True) is not None
        except TimeoutError:
            log.error(
                "%s %r took over %g s on a %d-character text and is not applied to the rest of"
                " it: rewrite it without nested repetition in the watch list",
                what, self.pattern, SEARCH_SECONDS, len(text),
            )  # fmt: skip
            return None


def compile_pattern(pattern: str) -> UserPattern:
    """`pattern` compiled, or a `PatternError` saying what is wrong with it in one line."""
    try:
        compiled = regex.compile(pattern)
    except regex.error as error:
        raise PatternError(f"{pattern!r} is not a valid regular expression ({error})") from None
    nested = _nested_repetition(pattern)
    if nested:
        raise PatternError(
            f"{pattern!r} repeats a repetition (`{nested}`), which can take minutes on"
            " a hostile page; write it without the outer repetition"
        )
    return UserPattern(pattern, compiled)
