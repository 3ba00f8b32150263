"""A small server-side SVG chart of a page's changes over time: no script, no CDN.

Each version is a bar at its time, words added above the axis and removed below; gone, restored
and other events are marks on the axis. Everything written into the SVG is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 640, 150, 24
# The first version is drawn apart, on its own scale: its bar counts the whole text (+1,108
# words), which would flatten every later edit of ten words to nothing on a shared scale.
FIRST_WIDTH = 84
_EVENT_COLOURS = {
    "gone": "#b91c1c",
    "restored": "#15803d",
    "redirect_changed": "#6d28d9",
    "reverted": "#b45309",
}


@dataclass(frozen=True)
class Bar:
    at: str
    version: int
    added: int
    removed: int
    href: str


@dataclass(frozen=True)
class Mark:
    at: str
    kind: str


@dataclass(frozen=True)
class Labels:
    """The chart's words in the page's language."""

    title: str = "Words added (up) and removed (down) per version over time"
    first: str = "first version"
    version: str = "version"
    words: str = "words"


def _positions(times: list[str], left: float, right: float) -> list[float]:
    """x of each time, proportional to time; evenly spaced when a time is not ISO 8601."""
    span = right - left
    try:
        seconds = [datetime.fromisoformat(t).timestamp() for t in times]
    except (TypeError, ValueError):
        seconds = [float(i) for i in range(len(times))]
    low, high = min(seconds, default=0.0), max(seconds, default=0.0)
    if high == low:
        return [left + span / 2 for _ in seconds]
    return [left + span * (s - low) / (high - low) for s in seconds]


def _time_labels(times: list[str]) -> tuple[str, str]:
    """The first and last time under the axis: dates, or date and time when both fall on one
    day, so the two labels never read the same."""
    first, last = times[0], times[-1]
    if first[:10] != last[:10]:
        return first[:10], last[:10]
    if first[:16] == last[:16]:
        return first[:16].replace("T", " "), ""
    return first[:16].replace("T", " "), last[11:16]


def _bar(bar: Bar, x: float, scale: float, reach: float, middle: float, labels: Labels) -> Markup:
    up = max(reach * bar.added / scale, 1.5 if bar.added else 0)
    down = max(reach * bar.removed / scale, 1.5 if bar.removed else 0)
    label = (
        f"{labels.version} {bar.version} · {bar.at} · +{bar.added} −{bar.removed} {labels.words}"
    )
    return Markup(
        '<a href="{href}"><title>{label}</title>'
        '<rect class="added" x="{x}" y="{y_up}" width="6" height="{up}" fill="#15803d"/>'
        '<rect class="removed" x="{x}" y="{middle}" width="6" height="{down}" fill="#b91c1c"/>'
        '<rect x="{x}" y="{top}" width="6" height="{full}" fill="transparent"/></a>'
    ).format(
        href=bar.href,
        label=label,
        x=round(x - 3, 1),
        y_up=round(middle - min(up, reach), 1),
        up=round(min(up, reach), 1),
        middle=middle,
        down=round(min(down, reach), 1),
        top=PAD / 2,
        full=HEIGHT - PAD,
    )


def changes_chart(bars: list[Bar], marks: list[Mark], labels: Labels = Labels()) -> Markup:
    if not bars and not marks:
        return Markup("")
    firsts = [b for b in bars if b.version == 1]
    later = [b for b in bars if b.version != 1]
    middle = (HEIGHT - 14) / 2
    reach = middle - PAD / 2
    left = PAD / 2 + (FIRST_WIDTH if firsts else 0)
    xs = _positions([b.at for b in later] + [m.at for m in marks], left + PAD / 2, WIDTH - PAD)
    scale = max([b.added for b in later] + [b.removed for b in later] + [1])
    text = Markup('<text x="{}" y="{}" font-size="10" fill="#555"{}>{}</text>')
    parts = [
        Markup(
            '<svg class="marsad-chart" xmlns="http://www.w3.org/2000/svg" role="img"'
            ' viewBox="0 0 {w} {h}" width="{w}" height="{h}" direction="ltr">'
        ).format(w=WIDTH, h=HEIGHT),
        Markup("<title>{}</title>").format(labels.title),
        Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888" stroke-width="1"/>').format(
            left, middle, WIDTH - PAD / 2, middle
        ),
    ]
    if firsts:  # its own panel, its own scale
        first = firsts[-1]
        parts.append(
            Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888" stroke-width="1"/>').format(
                PAD / 2, middle, left - 8, middle
            )
        )
        parts.append(
            Markup(
                '<line class="first-apart" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"'
                ' stroke="#ccc" stroke-dasharray="3 3"/>'
            ).format(x=left - 4, top=PAD / 2, bottom=HEIGHT - PAD)
        )
        first_scale = max(first.added, first.removed, 1)
        parts.append(_bar(first, PAD / 2 + 20, first_scale, reach, middle, labels))
        parts.append(text.format(PAD / 2 + 28, middle - 4, "", f"+{first.added:,}"))
        parts.append(text.format(PAD / 2, HEIGHT - 4, "", labels.first))
    for bar, x in zip(later, xs):
        parts.append(_bar(bar, x, scale, reach, middle, labels))
    for mark, x in zip(marks, xs[len(later) :]):
        colour = _EVENT_COLOURS.get(mark.kind, "#555")
        parts.append(
            Markup(
                '<circle class="event {kind}" cx="{x}" cy="{y}" r="4" fill="{colour}">'
                "<title>{kind} · {at}</title></circle>"
            ).format(kind=mark.kind, x=round(x, 1), y=middle, colour=colour, at=mark.at)
        )
    if later:  # the scale of the later bars, so +10 reads as +10
        parts.append(text.format(left + 2, PAD / 2 + 8, "", f"+{scale:,}"))
        parts.append(text.format(left + 2, middle + reach, "", f"−{scale:,}"))
    times = sorted([b.at for b in later] + [m.at for m in marks])
    if times:
        start, end = _time_labels(times)
        parts.append(text.format(left + PAD / 2, HEIGHT - 4, "", start))
        if end:
            parts.append(
                text.format(WIDTH - PAD / 2, HEIGHT - 4, Markup(' text-anchor="end"'), end)
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
