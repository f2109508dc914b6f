"""The load run's picture: p95 latency of each page kind against the number of users, as a
small self-contained SVG (no plotting library), with the targets drawn as dashed lines.

The y axis is logarithmic: a page that goes from 20 ms to 2 s stays readable beside one
that stays at 30 ms. Text goes through ElementTree, which escapes it.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from bench.load.figures import Step

WIDTH, HEIGHT = 760, 400
LEFT, RIGHT, TOP, BOTTOM = 64, 600, 40, 350
Y_MIN_MS, Y_MAX_MS = 5.0, 20_000.0
Y_TICKS = (10, 30, 100, 300, 1000, 3000, 10000)
# (what is drawn, its colour); colours apart enough for common colour blindness.
LINES = (
    ("home", "#1b9e77"),
    ("category", "#d95f02"),
    ("product", "#7570b3"),
    ("search", "#e7298a"),
    ("articles", "#66a61e"),
    ("cart", "#a6761d"),
    ("checkout", "#111111"),
)
TARGETS = ((150, "storefront target 150 ms"), (400, "checkout target 400 ms"), (1000, "1 s"))


def _y(ms: float) -> float:
    ms = min(max(ms, Y_MIN_MS), Y_MAX_MS)
    share = (math.log10(ms) - math.log10(Y_MIN_MS)) / (math.log10(Y_MAX_MS) - math.log10(Y_MIN_MS))
    return BOTTOM - share * (BOTTOM - TOP)


def _text(parent: ET.Element, x: float, y: float, words: str, **attributes: str) -> None:
    element = ET.SubElement(
        parent, "text", x=f"{x:.1f}", y=f"{y:.1f}", **{"font-size": "12", **attributes}
    )
    element.text = words


def p95_chart_svg(steps: Sequence[Step], *, title: str) -> str:
    """The chart of `steps`: one line per page kind (the checkout line is the checkout
    pages together), x = users, y = p95 in ms."""
    svg = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=str(WIDTH),
        height=str(HEIGHT),
        viewBox=f"0 0 {WIDTH} {HEIGHT}",
        role="img",
        **{"font-family": "sans-serif"},
    )
    ET.SubElement(svg, "title").text = title
    ET.SubElement(svg, "rect", x="0", y="0", width=str(WIDTH), height=str(HEIGHT), fill="#fff")
    _text(svg, LEFT, 22, title, **{"font-size": "15", "font-weight": "bold"})
    users = [step.users for step in steps] or [0, 1]
    low, high = min(users), max(users)
    span = (high - low) or 1

    def x(count: int) -> float:
        return LEFT + (count - low) / span * (RIGHT - LEFT)

    for tick in Y_TICKS:
        y = _y(tick)
        ET.SubElement(
            svg, "line", x1=str(LEFT), x2=str(RIGHT), y1=f"{y:.1f}", y2=f"{y:.1f}", stroke="#e5e5e5"
        )
        label = f"{tick // 1000} s" if tick >= 1000 else f"{tick} ms"
        _text(svg, LEFT - 8, y + 4, label, **{"text-anchor": "end"})
    for count in users:
        _text(svg, x(count), BOTTOM + 18, str(count), **{"text-anchor": "middle"})
    _text(svg, (LEFT + RIGHT) / 2, BOTTOM + 40, "concurrent users", **{"text-anchor": "middle"})
    ET.SubElement(
        svg, "rect", x=str(LEFT), y=str(TOP), width=str(RIGHT - LEFT), height=str(BOTTOM - TOP),
        fill="none", stroke="#888",
    )  # fmt: skip
    for ms, words in TARGETS:
        y = _y(ms)
        ET.SubElement(
            svg, "line", x1=str(LEFT), x2=str(RIGHT), y1=f"{y:.1f}", y2=f"{y:.1f}",
            stroke="#c00", **{"stroke-dasharray": "5 4"},
        )  # fmt: skip
        _text(svg, RIGHT - 4, y - 4, words, fill="#c00", **{"text-anchor": "end"})
    for row, (kind, colour) in enumerate(LINES):
        points = [
            (x(step.users), _y(step.kinds[kind].p95_ms))
            for step in steps
            if kind in step.kinds and step.kinds[kind].requests
        ]
        if points:
            ET.SubElement(
                svg, "polyline", fill="none", stroke=colour, **{"stroke-width": "2"},
                points=" ".join(f"{px:.1f},{py:.1f}" for px, py in points),
            )  # fmt: skip
            for px, py in points:
                ET.SubElement(svg, "circle", cx=f"{px:.1f}", cy=f"{py:.1f}", r="3", fill=colour)
        legend_y = TOP + 12 + row * 22
        ET.SubElement(
            svg, "line", x1=str(RIGHT + 16), x2=str(RIGHT + 40), y1=str(legend_y - 4),
            y2=str(legend_y - 4), stroke=colour, **{"stroke-width": "3"},
        )  # fmt: skip
        _text(svg, RIGHT + 46, legend_y, kind)
    _text(svg, RIGHT + 16, TOP + 12 + len(LINES) * 22, "p95 per step", fill="#555")
    return ET.tostring(svg, encoding="unicode")
