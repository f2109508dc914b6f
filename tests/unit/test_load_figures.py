"""The load run's arithmetic (bench/load/figures.py) and its plot: percentiles per step of
the ramp, the step at which checkout crosses 1 s, and an SVG that escapes its text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bench.load.figures import Request, crossing, percentile, steps
from bench.load.plot import p95_chart_svg


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.95) == 7
    assert percentile([], 0.95) == 0


def _ramp(checkout_ms_per_step: list[float], step_seconds: float = 20.0) -> list[Request]:
    requests = []
    for index, ms in enumerate(checkout_ms_per_step):
        start = index * step_seconds
        # one settling request the step's figures leave out, then the step itself
        requests.append(Request(start + 1, "checkout form", 99_999.0, True))
        for n in range(10):
            requests.append(Request(start + 6 + n, "checkout form", ms, True))
            requests.append(Request(start + 6 + n, "home", 20.0, n != 0))
    return requests


def test_each_step_has_its_own_figures_without_its_settling_seconds():
    found = steps(_ramp([100.0, 300.0]), [20, 40], 20.0)

    assert [step.users for step in found] == [20, 40]
    assert found[0].kinds["checkout form"].p95_ms == 100
    assert found[1].kinds["checkout"].p95_ms == 300  # the checkout pages together
    assert found[1].kinds["checkout"].requests == 10
    assert found[0].kinds["storefront"].requests == 10
    assert found[0].kinds["storefront"].failures == 1
    assert found[0].kinds["all"].per_second == 20 / 15


def test_checkout_crosses_one_second_at_the_first_step_above_it():
    found = steps(_ramp([200.0, 900.0, 1500.0, 800.0]), [20, 60, 100, 140], 20.0)

    assert crossing(found) == 100
    assert crossing(found[:2]) is None


def test_the_plot_is_svg_with_a_line_per_kind_and_escaped_text():
    found = steps(_ramp([100.0, 300.0]), [20, 40], 20.0)

    svg = p95_chart_svg(found, title="p95 <&> users")

    root = ET.fromstring(svg)
    namespace = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{namespace}title").text == "p95 <&> users"
    lines = root.findall(f"{namespace}polyline")
    assert len(lines) == 2  # home and checkout: the kinds this ramp has
