"""Adaptive re-check intervals: pages that change often are checked often, quiet pages rarely.

Pure: numbers in, seconds out. The rule is the estimate behind most web crawlers' revisit
policies (Cho and Garcia-Molina, "Estimating frequency of change", 2003): the time since a page
last changed is the best cheap guess of how long it will stay unchanged, so the next check
comes after a fraction of that time. A page only seen once (its first version) has shown no
change at all, so it keeps at least the configured `every` and slows down from there.

A feed, sitemap `lastmod` or REST `modified_gmt` newer than our last check overrides all this:
the page is due now (`changed_since_check`).
"""

from __future__ import annotations

from dataclasses import dataclass

# The next check comes after this fraction of the time the page has stayed unchanged: a page
# changed an hour ago is looked at again in 15 minutes, one quiet for four weeks in seven days.
FRACTION = 0.25


@dataclass(frozen=True)
class Cadence:
    """A target's bounds: `every` is the default, `min_interval`..`max_interval` the range the
    adaptive interval stays in (seconds). Equal bounds switch adaptation off."""

    every: float
    min_interval: float
    max_interval: float

    def __post_init__(self) -> None:
        if not 0 < self.min_interval <= self.max_interval:
            raise ValueError(
                f"re-check bounds: min_interval ({self.min_interval:g} s) must be above 0 and "
                f"at most max_interval ({self.max_interval:g} s)"
            )

    def clamp(self, seconds: float) -> float:
        return min(self.max_interval, max(self.min_interval, seconds))


def next_interval(cadence: Cadence, *, since_change: float | None, changes: int) -> float:
    """Seconds until the next check of a page.

    `since_change` is how long ago (seconds) we stored the page's latest version, None when it
    has none yet; `changes` is how many versions after the first it has (0: never changed).
    """
    if since_change is None:
        return cadence.clamp(cadence.every)
    guess = max(0.0, since_change) * FRACTION
    if changes == 0:
        # A first sight is not a change: never check a quiet new page more often than `every`.
        guess = max(guess, cadence.every)
    return cadence.clamp(guess)


def changed_since_check(lastmod: str | None, last_checked: str | None) -> bool:
    """Whether a source's `lastmod` (ISO 8601 UTC) says the page changed after our last check.

    Both are ISO 8601 UTC; they are compared as instants, whatever their fraction digits. A page
    never checked is due anyway, so it does not count as changed.
    """
    if not lastmod or not last_checked:
        return False
    return _instant(lastmod) > _instant(last_checked)


def _instant(text: str) -> str:
    """`2024-07-15T10:00:00Z` and `2024-07-15T10:00:00.000Z` to one comparable form."""
    body = text.strip().removesuffix("Z")
    seconds, _, fraction = body.partition(".")
    return f"{seconds}.{(fraction + '000')[:3]}"
