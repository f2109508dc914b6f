"""Issue 18's targets, and the one table `make bench` and `make load` print them in: every
figure beside its goal, met or MISSED, and "N of M targets met" at the end.

Plain data in, plain lines out: no timing, no servers, no database (tests/unit checks it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Storefront pages for a verified visitor, of a same-size floor page's requests/s (same run).
TARGET_CACHED_RATIO = 0.75  # home, category, search, product, article, from the caches
TARGET_UNCACHED_RATIO = 0.15  # category, product, search with every cache off, 1k products
TARGET_CART_RATIO = 0.25  # the cart (2-3 products) and the checkout form, never cached
CACHED_PAGES = ("home", "category", "search", "product", "article")
UNCACHED_PAGES = ("category", "product", "search")
CART_PAGES = ("cart", "checkout")
# SQL statements per storefront page: constant, whatever the catalogue's size (each size's
# count against the smallest size's; issue 7's fixed ceiling of 4 was outgrown by features).
TARGET_P95_MS = 25.0  # every storefront page at 100k products and more
P95_FROM_PRODUCTS = 100_000
TARGET_ORDERS = 250.0  # place_order per second, PostgreSQL, 8 client processes
TARGET_EVENTS = 500.0  # Stripe events per second (a third duplicates), PostgreSQL
# make load, at 100 concurrent users with 1-3 s think time.
TARGET_LOAD_USERS = 100
TARGET_STOREFRONT_P95_MS = 150.0
TARGET_CHECKOUT_P95_MS = 400.0


@dataclass(frozen=True)
class Check:
    """One figure against its goal; `value` None when the run did not measure it."""

    name: str
    value: float | None
    goal: float
    unit: str  # "ratio", "ms", "/s", "queries" or "" (a count)
    at_most: bool = False  # the goal is a ceiling (times, queries, errors), else a floor
    strict: bool = False  # below (or above) the goal, not equal to it

    @property
    def measured(self) -> bool:
        return self.value is not None

    @property
    def met(self) -> bool:
        if self.value is None:
            return False
        if self.at_most:
            return self.value < self.goal if self.strict else self.value <= self.goal
        return self.value > self.goal if self.strict else self.value >= self.goal

    def shown_value(self) -> str:
        return "-" if self.value is None else _format(self.value, self.unit)

    def shown_goal(self) -> str:
        if self.at_most and not self.strict and self.goal == 0 and self.unit == "":
            return "0"  # a count of what went wrong: none
        sign = ("<" if self.strict else "≤") if self.at_most else (">" if self.strict else "≥")
        return f"{sign} {_format(self.goal, self.unit)}"


def _format(value: float, unit: str) -> str:
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "/s":
        return f"{value:.0f}/s"
    if unit == "queries":
        return f"{value:.0f} q"
    return f"{value:g}"


def throughput_checks(kind: str, pages: Mapping[str, Mapping[str, Any]]) -> list[Check]:
    """The ratio targets of one database's throughput section (pages by the harness's names:
    "category", "category, no cache", "cart", ...); a page not measured is listed unmeasured."""

    def ratio(page: str) -> float | None:
        figure = pages.get(page)
        return None if figure is None else figure.get("ratio")

    checks = [
        Check(f"{kind} {page}, cached: req/s of floor", ratio(page), TARGET_CACHED_RATIO, "ratio")
        for page in CACHED_PAGES
    ]
    checks += [
        Check(
            f"{kind} {page}, every cache off: req/s of floor",
            ratio(f"{page}, no cache"),
            TARGET_UNCACHED_RATIO,
            "ratio",
        )
        for page in UNCACHED_PAGES
    ]
    checks += [
        Check(
            f"{kind} {page} (never cached): req/s of floor", ratio(page), TARGET_CART_RATIO, "ratio"
        )
        for page in CART_PAGES
    ]
    return checks


def scale_checks(kind: str, sizes: Mapping[str, Mapping[str, Any]]) -> list[Check]:
    """Queries of every page at every larger size against the smallest size's (constant, not
    growing with the catalogue); p95 of every page from 100k products on."""
    ordered = sorted(sizes.items(), key=lambda item: int(item[0]))
    baseline: dict[str, int] = {}
    checks = []
    for number, (size, measured) in enumerate(ordered):
        for figure in measured["pages"]:
            label = f"{kind} {int(size):,} {figure['page']}"
            same_page = _same_page(figure["page"])
            if number == 0:
                baseline[same_page] = figure["queries"]
            elif same_page in baseline:
                first = int(ordered[0][0])
                checks.append(
                    Check(
                        f"{label}: queries, as at {first:,}",
                        figure["queries"],
                        baseline[same_page],
                        "queries",
                        at_most=True,
                    )
                )
            if int(size) >= P95_FROM_PRODUCTS:
                checks.append(Check(f"{label}: p95", figure["p95_ms"], TARGET_P95_MS, "ms", True))
    return checks


def _same_page(name: str) -> str:
    """A page's name without its page number: the deep page is page 27 of 1k products and
    page 200 of 10k."""
    return re.sub(r"page \d+", "deep page", name)


def write_checks(kind: str, measured: Mapping[str, Any] | None) -> list[Check]:
    """place_order and Stripe events per second: judged on PostgreSQL only."""
    if kind != "postgresql":
        return []

    def rate(name: str) -> float | None:
        return None if measured is None else measured[name]["per_second"]

    return [
        Check(f"{kind} place_order, 8 clients", rate("place_order"), TARGET_ORDERS, "/s"),
        Check(f"{kind} Stripe events, 8 clients", rate("webhooks"), TARGET_EVENTS, "/s"),
    ]


def table(title: str, checks: Iterable[Check]) -> list[str]:
    """The lines of a targets table: one a check, then "N of M targets met" (unmeasured
    targets are listed and said apart, not counted as met)."""
    checks = list(checks)
    width = max([len(c.name) for c in checks] + [20])
    lines = [title]
    for check in checks:
        mark = ("met   " if check.met else "MISSED") if check.measured else "n/a   "
        shown = f"{check.shown_value():>10}  (target {check.shown_goal()})"
        lines.append(f"  {mark} {check.name:{width}} {shown}")
    measured = [c for c in checks if c.measured]
    met = sum(1 for c in measured if c.met)
    summary = f"{met} of {len(measured)} targets met"
    if len(measured) < len(checks):
        summary += f" ({len(checks) - len(measured)} not measured in this run)"
    lines.append(summary)
    return lines


def load_checks(
    p95_at_target: Mapping[str, float] | None,
    *,
    storefront: Iterable[str],
    checkout: Iterable[str],
    failures: int,
    invariants: Mapping[str, int],
) -> list[Check]:
    """`make load`'s targets: p95 of each storefront and checkout kind (and of each group,
    "storefront" and "checkout") at TARGET_LOAD_USERS users (None: the run had no such step),
    no errors, and the database's invariants afterwards (counts of what went wrong)."""
    at = f"at {TARGET_LOAD_USERS} users"
    times = p95_at_target or {}
    groups = (
        ([*storefront, "storefront"], TARGET_STOREFRONT_P95_MS),
        ([*checkout, "checkout"], TARGET_CHECKOUT_P95_MS),
    )
    checks = [
        Check(
            f"{'checkout, all four' if kind == 'checkout' else kind} p95 {at}",
            times.get(kind) if p95_at_target is not None else None,
            goal,
            "ms",
            at_most=True,
            strict=True,
        )
        for kinds, goal in groups
        for kind in kinds
    ]
    checks.append(Check("errors (failed requests)", failures, 0, "", at_most=True))
    checks += [
        Check(name, invariants[key], 0, "", at_most=True)
        for name, key in (
            ("paid orders without exactly one e-mail", "paid_without_email"),
            ("paid orders without exactly one paid step", "orders_paid_twice_or_not_recorded"),
            ("products with stock below zero", "products_below_zero"),
            ("codes used past their limit", "codes_past_limit"),
            ("codes whose use count is wrong", "codes_miscounted"),
        )
    ]
    return checks
