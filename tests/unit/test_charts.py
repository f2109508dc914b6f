"""The sales chart as SVG: well-formed whatever the labels say, one bar and one point per
day, campaign windows shaded over exactly their days."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from shop.charts import ShadedWindow, nice_ceiling, sales_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
FIRST_DAY = date(2025, 10, 1)
DAYS = [FIRST_DAY + timedelta(days=n) for n in range(40)]  # 1 October – 9 November 2025
QUIET = [0] * len(DAYS)


def chart(
    windows=(),
    counts=None,
    revenue=None,
    days=DAYS,
    **options,
) -> ET.Element:
    svg = sales_chart_svg(
        days,
        QUIET[: len(days)] if counts is None else counts,
        QUIET[: len(days)] if revenue is None else revenue,
        windows,
        title=options.pop("title", "Paid orders and revenue per day"),
        description=options.pop("description", "Revenue as bars, orders as points."),
        **options,
    )
    return ET.fromstring(svg)


def by_class(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}{tag}") if el.get("class") == css_class]


def bar_for(root: ET.Element, day: date) -> ET.Element:
    [bar] = [b for b in by_class(root, "rect", "chart-bar") if b.get("data-day") == str(day)]
    return bar


def test_the_chart_has_one_bar_and_one_point_per_day_in_order():
    root = chart()

    bars = by_class(root, "rect", "chart-bar")
    points = by_class(root, "circle", "chart-point")
    assert [b.get("data-day") for b in bars] == [d.isoformat() for d in DAYS]
    assert [p.get("data-day") for p in points] == [d.isoformat() for d in DAYS]
    xs = [float(b.get("x")) for b in bars]
    assert xs == sorted(xs)


def test_it_names_itself_for_screen_readers():
    root = chart(title="Sales", description="Ninety days of sales")

    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (title.text, desc.text) == ("Sales", "Ninety days of sales")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_a_day_without_sales_is_a_zero_height_bar_and_the_busiest_day_the_tallest():
    revenue = QUIET.copy()
    revenue[3], revenue[10] = 4500, 9000
    counts = QUIET.copy()
    counts[3], counts[10] = 1, 2

    root = chart(counts=counts, revenue=revenue)

    heights = [float(b.get("height")) for b in by_class(root, "rect", "chart-bar")]
    assert heights[0] == 0
    assert heights[10] == max(heights) == 2 * heights[3]
    ys = [float(p.get("cy")) for p in by_class(root, "circle", "chart-point")]
    assert ys[10] < ys[3] < ys[0]  # higher up means more orders


def test_each_bar_says_its_day_orders_and_money_in_a_tooltip():
    revenue = QUIET.copy()
    revenue[0] = 1250
    counts = QUIET.copy()
    counts[0] = 1

    root = chart(counts=counts, revenue=revenue)

    assert bar_for(root, FIRST_DAY).find(f"{SVG}title").text == "2025-10-01: 1 orders, € 12,50"


def test_a_window_is_shaded_over_exactly_its_days_end_day_included():
    halloween = ShadedWindow("HALLOWEEN2025", date(2025, 10, 21), date(2025, 11, 2))

    root = chart([halloween])

    [band] = by_class(root, "rect", "chart-window")
    left, right = float(band.get("x")), float(band.get("x")) + float(band.get("width"))
    first, last = bar_for(root, date(2025, 10, 21)), bar_for(root, date(2025, 11, 2))
    before, after = bar_for(root, date(2025, 10, 20)), bar_for(root, date(2025, 11, 3))
    assert left <= float(first.get("x"))
    assert float(last.get("x")) + float(last.get("width")) <= right
    assert float(before.get("x")) + float(before.get("width")) <= left
    assert right <= float(after.get("x"))
    assert (band.get("data-first-day"), band.get("data-last-day")) == ("2025-10-21", "2025-11-02")
    [label] = by_class(root, "text", "chart-window-label")
    assert label.text == "HALLOWEEN2025"


def test_a_window_reaching_past_the_chart_is_cut_at_its_edges():
    always = ShadedWindow("ALWAYS", None, None)
    spring = ShadedWindow("SPRING", date(2025, 3, 1), date(2025, 3, 31))  # before the chart
    late = ShadedWindow("LATE", date(2025, 11, 5), None)

    root = chart([always, spring, late])

    bands = {b.get("data-first-day"): b for b in by_class(root, "rect", "chart-window")}
    assert set(bands) == {"2025-10-01", "2025-11-05"}
    assert bands["2025-10-01"].get("data-last-day") == "2025-11-09"
    assert bands["2025-11-05"].get("data-last-day") == "2025-11-09"
    labels = [t.text for t in by_class(root, "text", "chart-window-label")]
    assert labels == ["ALWAYS", "LATE"]


@pytest.mark.parametrize(
    "label", ["<b>&", "</svg><script>alert(1)</script>", "a\"b'c", "]]>", "x\x01y\x00z"]
)
def test_labels_are_text_whatever_they_contain(label):
    svg = sales_chart_svg(
        DAYS,
        QUIET,
        QUIET,
        [ShadedWindow(label, date(2025, 10, 5), date(2025, 10, 9))],
        title=label,
        description=label,
        format_day=lambda day: f"{label} {day.day}",
    )

    root = ET.fromstring(svg)  # well-formed XML
    assert root.find(f"{SVG}title").text == label.replace("\x01", "").replace("\x00", "")
    [window_label] = by_class(root, "text", "chart-window-label")
    assert window_label.text == root.find(f"{SVG}title").text
    assert "<script" not in svg and "<b>" not in svg
    assert not list(root.iter(f"{SVG}script"))


def test_no_style_attributes_and_nothing_fetched_from_elsewhere():
    svg = sales_chart_svg(
        DAYS, QUIET, QUIET, [ShadedWindow("X", None, None)], title="t", description="d"
    )

    assert "style=" not in svg
    assert "href" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_lists_of_different_lengths_are_a_mistake():
    with pytest.raises(ValueError):
        sales_chart_svg(DAYS, [0], QUIET, title="t", description="d")


def test_a_single_day_chart_still_draws():
    root = chart(days=[FIRST_DAY], counts=[3], revenue=[1000])

    assert len(by_class(root, "rect", "chart-bar")) == 1
    assert len(by_class(root, "circle", "chart-point")) == 1


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (4500, 5000)]
)
def test_the_axis_top_is_a_round_number_at_or_above_the_highest_value(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_a_campaign_that_began_in_the_charts_last_days_keeps_its_label_inside_the_drawing():
    # The demo's running code began three days before today, the chart's last day: its label
    # used to start there and run past the right edge, cut off.
    recent = ShadedWindow("WINTER2026-LONG", DAYS[-3], None)

    root = chart([recent])

    [label] = by_class(root, "text", "chart-window-label")
    [band] = by_class(root, "rect", "chart-window")
    assert label.get("text-anchor") == "end"
    band_end = float(band.get("x")) + float(band.get("width"))
    assert float(label.get("x")) <= min(band_end, 900)


def test_an_early_campaigns_label_starts_at_its_band():
    [label] = by_class(
        chart([ShadedWindow("EARLY", DAYS[2], DAYS[9])]), "text", "chart-window-label"
    )
    assert label.get("text-anchor") == "start"
