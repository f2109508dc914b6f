"""The targets table of `make bench` and `make load` (bench/targets.py): which figures are
judged, against which goal, and how met, MISSED and unmeasured targets are counted."""

from __future__ import annotations

from bench import targets
from bench.targets import Check


def _pages(ratio: float) -> dict[str, dict[str, float]]:
    names = [*targets.CACHED_PAGES, *(f"{p}, no cache" for p in targets.UNCACHED_PAGES)]
    return {name: {"ratio": ratio} for name in [*names, *targets.CART_PAGES]}


def test_a_floor_goal_is_met_at_the_goal_and_missed_below_it():
    assert Check("x", 0.75, 0.75, "ratio").met
    assert not Check("x", 0.749, 0.75, "ratio").met


def test_a_ceiling_goal_is_met_at_the_goal_unless_strict():
    assert Check("p95", 25.0, 25.0, "ms", at_most=True).met
    assert not Check("p95", 25.1, 25.0, "ms", at_most=True).met
    assert not Check("p95", 150.0, 150.0, "ms", at_most=True, strict=True).met


def test_an_unmeasured_target_is_not_met():
    assert not Check("x", None, 1.0, "ratio").met


def test_every_throughput_page_is_judged_against_its_own_goal():
    checks = {c.name: c for c in targets.throughput_checks("sqlite", _pages(0.5))}

    assert len(checks) == 10
    assert not checks["sqlite home, cached: req/s of floor"].met  # 50 % < 75 %
    assert checks["sqlite search, every cache off: req/s of floor"].met  # 50 % ≥ 15 %
    assert checks["sqlite checkout (never cached): req/s of floor"].met  # 50 % ≥ 25 %


def test_a_page_the_run_did_not_measure_is_listed_unmeasured():
    checks = targets.throughput_checks("postgresql", {})

    assert len(checks) == 10
    assert not any(c.measured for c in checks)


def test_p95_is_judged_from_100k_products_and_queries_against_the_smallest_size():
    figure = {"page": "search, 2 words", "queries": 5, "p95_ms": 28.4}
    more = figure | {"queries": 6}
    sizes = {"100000": {"pages": [more]}, "1000": {"pages": [figure]}}

    checks = targets.scale_checks("sqlite", sizes)

    assert [c.name for c in checks] == [
        "sqlite 100,000 search, 2 words: queries, as at 1,000",
        "sqlite 100,000 search, 2 words: p95",
    ]
    assert [(c.value, c.goal, c.met) for c in checks] == [(6, 5, False), (28.4, 25.0, False)]


def test_the_deep_category_page_is_the_same_page_at_every_size():
    sizes = {
        "1000": {"pages": [{"page": "category page 27", "queries": 5, "p95_ms": 7.0}]},
        "10000": {"pages": [{"page": "category page 200", "queries": 5, "p95_ms": 8.0}]},
    }

    (check,) = targets.scale_checks("postgresql", sizes)

    assert check.name == "postgresql 10,000 category page 200: queries, as at 1,000"
    assert check.met


def test_writes_are_judged_on_postgresql_only():
    measured = {"place_order": {"per_second": 260.0}, "webhooks": {"per_second": 480.0}}

    assert targets.write_checks("sqlite", measured) == []
    assert [c.met for c in targets.write_checks("postgresql", measured)] == [True, False]


def test_the_table_counts_met_targets_of_the_measured_ones():
    checks = [
        Check("home ratio", 0.8, 0.75, "ratio"),
        Check("p95", 30.0, 25.0, "ms", at_most=True),
        Check("events", None, 500.0, "/s"),
    ]

    lines = targets.table("Targets", checks)

    assert lines[1].split()[0] == "met"
    assert "80.0%" in lines[1] and "(target ≥ 75.0%)" in lines[1]
    assert lines[2].split()[0] == "MISSED"
    assert "(target ≤ 25.0 ms)" in lines[2]
    assert lines[3].split()[0] == "n/a"
    assert lines[-1] == "1 of 2 targets met (1 not measured in this run)"


def _invariants(**problems: int) -> dict[str, int]:
    keys = (
        "paid_without_email",
        "orders_paid_twice_or_not_recorded",
        "products_below_zero",
        "codes_past_limit",
        "codes_miscounted",
    )
    return {key: problems.get(key, 0) for key in keys}


def test_load_times_must_be_below_their_goal_not_at_it():
    p95 = {"home": 149.0, "storefront": 150.0, "checkout form": 390.0, "checkout": 400.0}

    checks = {
        c.name: c
        for c in targets.load_checks(
            p95,
            storefront=["home"],
            checkout=["checkout form"],
            failures=0,
            invariants=_invariants(),
        )
    }

    assert checks["home p95 at 100 users"].met
    assert not checks["storefront p95 at 100 users"].met
    assert checks["checkout form p95 at 100 users"].met
    assert not checks["checkout, all four p95 at 100 users"].met


def test_a_load_run_without_a_100_user_step_judges_only_errors_and_the_database():
    checks = targets.load_checks(
        None,
        storefront=["home"],
        checkout=["payment"],
        failures=2,
        invariants=_invariants(products_below_zero=1),
    )
    by_name = {c.name: c for c in checks}

    assert not any(c.measured for c in checks if "p95" in c.name)
    assert not by_name["errors (failed requests)"].met
    assert not by_name["products with stock below zero"].met
    assert by_name["codes used past their limit"].met
    assert targets.table("Targets", checks)[-1] == "4 of 6 targets met (4 not measured in this run)"
