"""The ratio chart (SVG, written by hand: no plotting library needed): one bar per table row.

Each bar is ours / baseline on a log scale (left of the 1x line: ours is faster or smaller);
a black tick marks the target where the issue sets one, and a bar is green when it meets it.
"""

from __future__ import annotations

import math
from html import escape

from .timing import Row

WIDTH, LEFT, RIGHT, BAR, GAP, TOP = 1060, 500, 60, 16, 6, 58
LOW, HIGH = 1 / 128, 8.0  # the axis range, ours / baseline (the compiled scalar step: ~1/100)


def _x(ratio: float) -> float:
    ratio = min(max(ratio, LOW), HIGH)
    span = math.log(HIGH) - math.log(LOW)
    return LEFT + (WIDTH - LEFT - RIGHT) * (math.log(ratio) - math.log(LOW)) / span


def _value_label(ratio: float, y: float) -> str:
    """The ratio as text at the end of its bar: outside it, or inside it (white) where the
    text would run into the row labels at the left."""
    text = f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.2g}"
    end = _x(ratio)
    if ratio >= 1:
        x, anchor, color = end + 4, "start", "black"
    elif end - 8 * len(text) < LEFT:
        x, anchor, color = end + 4, "start", "white"
    else:
        x, anchor, color = end - 4, "end", "black"
    return (
        f'<text x="{x:.1f}" y="{y + BAR - 4}" text-anchor="{anchor}" fill="{color}">{text}</text>'
    )


def ratio_chart(rows: list[Row]) -> str:
    """An SVG document drawing the ratio of every row that has one."""
    shown = [r for r in rows if r.ratio is not None]
    height = TOP + len(shown) * (BAR + GAP) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="18" font-size="13" font-weight="bold">ours / baseline (log scale; '
        f"left of 1x: ours faster or smaller)</text>",
        f'<rect x="{LEFT}" y="28" width="10" height="10" fill="#3a9a4a"/>'
        f'<text x="{LEFT + 14}" y="37">target met</text>'
        f'<rect x="{LEFT + 90}" y="28" width="10" height="10" fill="#d0453a"/>'
        f'<text x="{LEFT + 104}" y="37">target not met</text>'
        f'<rect x="{LEFT + 200}" y="28" width="10" height="10" fill="#6a8cc7"/>'
        f'<text x="{LEFT + 214}" y="37">no target</text>'
        f'<line x1="{LEFT + 290}" y1="27" x2="{LEFT + 290}" y2="39" stroke="black" '
        f'stroke-width="2"/><text x="{LEFT + 296}" y="37">the target</text>',
    ]
    tick = LOW
    while tick <= HIGH:
        x = _x(tick)
        label = f"{tick:g}x" if tick >= 1 else f"1/{1 / tick:g}"
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - 30}" '
            f'stroke="{"#444" if tick == 1 else "#ddd"}"/>'
            f'<text x="{x:.1f}" y="{height - 15}" text-anchor="middle">{label}</text>'
        )
        tick *= 2
    for i, r in enumerate(shown):
        y = TOP + i * (BAR + GAP)
        ratio = r.ratio
        assert ratio is not None
        color = {True: "#3a9a4a", False: "#d0453a", None: "#6a8cc7"}[r.met]
        x0, x1 = sorted((_x(1.0), _x(ratio)))
        label = escape(f"{r.workload}: {r.case} vs {r.baseline}")
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + BAR - 4}" text-anchor="end">{label}</text>'
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{BAR}" '
            f'fill="{color}"/>' + _value_label(ratio, y)
        )
        if r.target is not None:
            xt = _x(r.target)
            parts.append(
                f'<line x1="{xt:.1f}" y1="{y - 2}" x2="{xt:.1f}" y2="{y + BAR + 2}" '
                f'stroke="black" stroke-width="2"/>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
