"""A small server-side SVG chart of a page's changes over time: no script, no CDN.

Each version is a bar at its time, words added above the axis and removed below; gone, restored
and other events are marks on the axis. Everything written into the SVG is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 140, 24
_EVENT_COLOURS = {"gone": "#b91c1c", "restored": "#15803d", "redirect_changed": "#6d28d9",
                  "reverted": "#b45309"}


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


def _positions(times: list[str]) -> list[float]:
    """x of each time, proportional to time; evenly spaced when a time is not ISO 8601."""
    span = WIDTH - 2 * PAD
    try:
        seconds = [datetime.fromisoformat(t).timestamp() for t in times]
    except (TypeError, ValueError):
        seconds = [float(i) for i in range(len(times))]
    low, high = min(seconds, default=0.0), max(seconds, default=0.0)
    if high == low:
        return [PAD + span / 2 for _ in seconds]
    return [PAD + span * (s - low) / (high - low) for s in seconds]


def changes_chart(bars: list[Bar], marks: list[Mark]) -> Markup:
    if not bars and not marks:
        return Markup("")
    xs = _positions([b.at for b in bars] + [m.at for m in marks])
    middle = HEIGHT / 2
    reach = middle - PAD / 2
    biggest = max([b.added for b in bars] + [b.removed for b in bars] + [1])
    parts = [
        Markup('<svg class="marsad-chart" xmlns="http://www.w3.org/2000/svg" role="img"'
               ' viewBox="0 0 {w} {h}" width="{w}" height="{h}" direction="ltr">').format(w=WIDTH, h=HEIGHT),
        Markup("<title>Words added (up) and removed (down) per version over time</title>"),
        Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888" stroke-width="1"/>').format(
            PAD / 2, middle, WIDTH - PAD / 2, middle),
    ]
    for bar, x in zip(bars, xs):
        up = max(reach * bar.added / biggest, 1.5 if bar.added else 0)
        down = max(reach * bar.removed / biggest, 1.5 if bar.removed else 0)
        label = f"version {bar.version} · {bar.at} · +{bar.added} −{bar.removed} words"
        parts.append(Markup(
            '<a href="{href}"><title>{label}</title>'
            '<rect class="added" x="{x}" y="{y_up}" width="6" height="{up}" fill="#15803d"/>'
            '<rect class="removed" x="{x}" y="{middle}" width="6" height="{down}" fill="#b91c1c"/>'
            '<rect x="{x}" y="{top}" width="6" height="{full}" fill="transparent"/></a>'
        ).format(href=bar.href, label=label, x=round(x - 3, 1), y_up=round(middle - up, 1),
                 up=round(up, 1), middle=middle, down=round(down, 1), top=PAD / 2,
                 full=HEIGHT - PAD))
    for mark, x in zip(marks, xs[len(bars):]):
        colour = _EVENT_COLOURS.get(mark.kind, "#555")
        parts.append(Markup(
            '<circle class="event {kind}" cx="{x}" cy="{y}" r="4" fill="{colour}">'
            "<title>{kind} · {at}</title></circle>"
        ).format(kind=mark.kind, x=round(x, 1), y=middle, colour=colour, at=mark.at))
    if bars or marks:
        times = sorted([b.at for b in bars] + [m.at for m in marks])
        parts.append(Markup('<text x="{}" y="{}" font-size="10" fill="#555">{}</text>').format(
            PAD / 2, HEIGHT - 4, escape(times[0][:10])))
        parts.append(Markup('<text x="{}" y="{}" font-size="10" fill="#555" text-anchor="end">{}</text>')
                     .format(WIDTH - PAD / 2, HEIGHT - 4, escape(times[-1][:10])))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
