"""Server-rendered SVG charts: pure functions of their data, no Flask, no database.

The SVG carries a ``<title>`` and a ``<desc>`` (``role="img"``, ``aria-labelledby``); the page
shows the same figures in a table, the accessible alternative. Colours use presentation
attributes and ``currentColor``: the Content Security Policy forbids inline styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56

_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar, e.g. "10–20"
    value: int


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k at or above ``value`` (an axis maximum)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def ticks(maximum: int) -> list[int]:
    """About five whole-number ticks from 0 to ``maximum``."""
    step = max(1, nice_ceiling(maximum) // 5) if maximum > 5 else 1
    return list(range(0, maximum + 1, step))


def histogram_svg(
    bars: Sequence[Bar], title: str, description: str, x_label: str, y_label: str, chart_id: str | None = None
) -> Markup:
    """A bar chart of ``bars`` as an inline SVG element."""
    chart_id = chart_id or f"chart-{next(_ids)}"
    top = nice_ceiling(max((bar.value for bar in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(bars))
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        ),
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        '<g aria-hidden="true" font-size="11" fill="currentColor">',
    ]
    for tick in ticks(top):
        y = TOP + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#adb5bd" stroke-width="0.5"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for index, bar in enumerate(bars):
        x = LEFT + index * slot
        h = plot_h * bar.value / top
        y = TOP + plot_h - h
        parts.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" fill="#0d6efd"/>'
        )
        if bar.value:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{bar.value}</text>')
        label_y = TOP + plot_h + 14
        if len(bars) > 12:  # long axes: slanted labels
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{label_y}" text-anchor="end" '
                f'transform="rotate(-45 {x + slot / 2:.1f} {label_y})">{escape(bar.label)}</text>'
            )
        else:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{label_y}" text-anchor="middle">{escape(bar.label)}</text>')
    parts += [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="currentColor"/>',
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">{escape(x_label)}</text>',
        (
            f'<text x="12" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{escape(y_label)}</text>'
        ),
        "</g></svg>",
    ]
    return Markup("".join(parts))
