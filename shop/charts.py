"""Charts drawn on the server as SVG: plain lists in, one SVG string out.

Nothing here knows about Flask, the database or the shop's models: the caller passes the
figures, the words (already translated) and how to write money and days. All text goes
through ElementTree, which escapes it, and characters XML cannot carry at all are dropped,
so a label such as ``<b>&`` is drawn as text and can never break the page around it.

The drawing has no script and no external resource: it is readable with JavaScript off,
and its `<title>` and `<desc>` name it for screen readers (the page shows the figures in a
table as well, since a picture of 90 bars is not something to listen to).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["ShadedWindow", "nice_ceiling", "sales_chart_svg"]

SVG_NAMESPACE = "http://www.w3.org/2000/svg"

WIDTH = 900
HEIGHT = 340
LEFT, RIGHT = 78, 860  # the plot's x range: revenue labels left of it, order counts right
TOP, BOTTOM = 58, 290  # the plot's y range: window labels above it, day labels below
LABEL_ROWS = 3  # overlapping campaigns get their labels on different rows
LABEL_ROW_HEIGHT = 15
FONT_SIZE = 12
# A generous guess at the width of one character of the 12 px sans-serif labels (digits and
# capitals, as codes are, run ~0.6 em): enough to keep a label inside the drawing.
CHARACTER_WIDTH = 0.65 * FONT_SIZE
EDGE = 4  # the space a label keeps from the drawing's edge
MIN_REVENUE_TOP_CENTS = 1000

# Fallback colours as presentation attributes, so the drawing reads on its own; the page's
# stylesheet may restyle the classes (CSS wins over presentation attributes).
COLOURS = {
    "bar": "#5a3e8e",
    "point": "#c25e00",
    "window": "#f0a500",
    "grid": "#dcd8cc",
    "ink": "#1f2420",
}

# Characters XML 1.0 cannot represent even escaped (most C0 controls, lone surrogates, …).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class ShadedWindow:
    """A campaign drawn as a shaded band: its label and its local days, both inclusive.

    None on a side means open there (the campaign began before the chart, or runs on).
    """

    label: str
    first_day: date | None
    last_day: date | None


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _number(value: float) -> str:
    """A coordinate, short: 12.5 rather than 12.500000000001."""
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.2f}".rstrip("0")


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1): a round axis top."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover (the loop always returns)


def _default_money(cents: int) -> str:
    return f"€ {cents // 100},{cents % 100:02d}"


def _sub(parent: ET.Element, tag: str, attributes: dict[str, str], text: str = "") -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text:
        element.text = _text(text)
    return element


def _label_position(start: float, end: float, text: str) -> tuple[float, str]:
    """Where a campaign's label goes (x, text-anchor): from the start of its band; when it
    would run past the drawing's right edge (a campaign that began in the last days of the
    chart), ending at its band's end instead, but never past either edge."""
    width = len(text) * CHARACTER_WIDTH
    if start + width <= WIDTH - EDGE:
        return start, "start"
    return max(min(end, WIDTH - EDGE), width + EDGE), "end"


def _day_labels(days: Sequence[date]) -> list[int]:
    """Which days get a date under the axis: the 1st and 15th of each month, else the first."""
    marked = [index for index, day in enumerate(days) if day.day in (1, 15)]
    return marked or ([0] if days else [])


def _window_span(window: ShadedWindow, days: Sequence[date]) -> tuple[int, int] | None:
    """The first and last index of `days` inside the window, or None if none are."""
    inside = [
        index
        for index, day in enumerate(days)
        if (window.first_day is None or day >= window.first_day)
        and (window.last_day is None or day <= window.last_day)
    ]
    return (inside[0], inside[-1]) if inside else None


def sales_chart_svg(
    days: Sequence[date],
    order_counts: Sequence[int],
    revenue_cents: Sequence[int],
    windows: Sequence[ShadedWindow] = (),
    *,
    title: str,
    description: str,
    format_money: Callable[[int], str] = _default_money,
    format_day: Callable[[date], str] = date.isoformat,
    orders_word: Callable[[int], str] = lambda n: f"{n} orders",
    legend: tuple[str, str] = ("Revenue", "Paid orders"),
    element_id: str = "sales-chart",
) -> str:
    """Revenue per day as bars, paid orders per day as points, campaigns as shaded bands.

    `days`, `order_counts` and `revenue_cents` run in parallel, one entry per day (a day
    without sales is a 0, not a gap). The revenue axis is on the left, the orders axis on
    the right, both starting at zero. `legend` names the bars and the points.
    """
    if not len(days) == len(order_counts) == len(revenue_cents):
        raise ValueError("days, order_counts and revenue_cents must be equally long")
    if any(count < 0 for count in order_counts) or any(cents < 0 for cents in revenue_cents):
        raise ValueError("a chart of sales has no negative days")
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "id": _text(element_id),
            "class": "sales-chart",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "role": "img",
            "aria-labelledby": f"{_text(title_id)} {_text(desc_id)}",
        },
    )
    _sub(svg, "title", {"id": _text(title_id)}, title)
    _sub(svg, "desc", {"id": _text(desc_id)}, description)

    count = len(days)
    slot = (RIGHT - LEFT) / count if count else 0.0
    plot_height = BOTTOM - TOP
    # At least € 10 at the top: an empty chart then reads € 0 / € 5 / € 10, not in cents.
    revenue_top = nice_ceiling(max(max(revenue_cents, default=0), MIN_REVENUE_TOP_CENTS))
    orders_top = nice_ceiling(max(order_counts, default=0))

    def x_of(index: int) -> float:
        return LEFT + index * slot

    # Campaign windows first, so bars and points are drawn over the shading.
    band_group = _sub(svg, "g", {"class": "chart-windows"})
    drawn = 0
    for window in windows:
        span = _window_span(window, days)
        if span is None:
            continue
        first, last = span
        band = _sub(
            band_group,
            "rect",
            {
                "class": "chart-window",
                "x": _number(x_of(first)),
                "y": _number(TOP),
                "width": _number((last - first + 1) * slot),
                "height": _number(plot_height),
                "fill": COLOURS["window"],
                "fill-opacity": "0.18",
                "data-first-day": days[first].isoformat(),
                "data-last-day": days[last].isoformat(),
            },
        )
        _sub(
            band,
            "title",
            {},
            f"{window.label}: {format_day(days[first])} – {format_day(days[last])}",
        )
        row = drawn % LABEL_ROWS
        label_x, anchor = _label_position(x_of(first) + 2, x_of(last + 1) - 2, window.label)
        _sub(
            band_group,
            "text",
            {
                "class": "chart-window-label",
                "x": _number(label_x),
                "y": _number(TOP - 6 - row * LABEL_ROW_HEIGHT),
                "text-anchor": anchor,
                "font-size": "12",
                "fill": COLOURS["ink"],
            },
            window.label,
        )
        drawn += 1

    # Grid lines at 0, ½ and the top of both axes, labelled on either side.
    grid = _sub(svg, "g", {"class": "chart-grid"})
    for fraction in (0, 0.5, 1):
        y = BOTTOM - fraction * plot_height
        _sub(
            grid,
            "line",
            {
                "x1": _number(LEFT),
                "x2": _number(RIGHT),
                "y1": _number(y),
                "y2": _number(y),
                "stroke": COLOURS["grid"],
            },
        )
        _sub(
            grid,
            "text",
            {
                "class": "chart-axis-label",
                "x": _number(LEFT - 6),
                "y": _number(y + 4),
                "text-anchor": "end",
                "font-size": "12",
                "fill": COLOURS["bar"],
            },
            format_money(round(revenue_top * fraction)),
        )
        orders_at = orders_top * fraction
        if orders_at == int(orders_at):  # no "0.5 orders"
            _sub(
                grid,
                "text",
                {
                    "class": "chart-axis-label",
                    "x": _number(RIGHT + 6),
                    "y": _number(y + 4),
                    "font-size": "12",
                    "fill": COLOURS["point"],
                },
                str(int(orders_at)),
            )

    bars = _sub(svg, "g", {"class": "chart-bars"})
    points = _sub(svg, "g", {"class": "chart-points"})
    line: list[str] = []
    for index, (day, orders, cents) in enumerate(
        zip(days, order_counts, revenue_cents, strict=True)
    ):
        summary = f"{format_day(day)}: {orders_word(orders)}, {format_money(cents)}"
        height = cents / revenue_top * plot_height
        bar = _sub(
            bars,
            "rect",
            {
                "class": "chart-bar",
                "x": _number(x_of(index) + slot * 0.15),
                "y": _number(BOTTOM - height),
                "width": _number(slot * 0.7),
                "height": _number(height),
                "fill": COLOURS["bar"],
                "data-day": day.isoformat(),
            },
        )
        _sub(bar, "title", {}, summary)
        cx, cy = x_of(index) + slot / 2, BOTTOM - orders / orders_top * plot_height
        line.append(f"{_number(cx)},{_number(cy)}")
        point = _sub(
            points,
            "circle",
            {
                "class": "chart-point",
                "cx": _number(cx),
                "cy": _number(cy),
                "r": "2.5",
                "fill": COLOURS["point"],
                "data-day": day.isoformat(),
            },
        )
        _sub(point, "title", {}, summary)
    if len(line) > 1:
        # Under the points, over the bars: the orders' trend from day to day.
        points.insert(
            0,
            ET.Element(
                "polyline",
                {
                    "class": "chart-line",
                    "points": " ".join(line),
                    "fill": "none",
                    "stroke": COLOURS["point"],
                    "stroke-width": "1.5",
                },
            ),
        )

    axis = _sub(svg, "g", {"class": "chart-days"})
    _sub(
        axis,
        "line",
        {
            "x1": _number(LEFT),
            "x2": _number(RIGHT),
            "y1": _number(BOTTOM),
            "y2": _number(BOTTOM),
            "stroke": COLOURS["ink"],
        },
    )
    for index in _day_labels(days):
        _sub(
            axis,
            "text",
            {
                "class": "chart-day-label",
                "x": _number(x_of(index) + slot / 2),
                "y": _number(BOTTOM + 16),
                "text-anchor": "middle",
                "font-size": "12",
                "fill": COLOURS["ink"],
            },
            format_day(days[index]),
        )
    key = _sub(svg, "g", {"class": "chart-legend"})
    revenue_word, orders_label = legend
    _sub(
        key, "rect", {"x": "78", "y": "314", "width": "12", "height": "12", "fill": COLOURS["bar"]}
    )
    _sub(
        key,
        "text",
        {"x": "96", "y": "325", "font-size": "12", "fill": COLOURS["ink"]},
        revenue_word,
    )
    _sub(key, "circle", {"cx": "306", "cy": "320", "r": "4", "fill": COLOURS["point"]})
    _sub(
        key,
        "text",
        {"x": "316", "y": "325", "font-size": "12", "fill": COLOURS["ink"]},
        orders_label,
    )
    return ET.tostring(svg, encoding="unicode", short_empty_elements=True)
