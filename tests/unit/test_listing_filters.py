"""The grammar of a category page's filters (shop.rules.listing_filters): what the address
asks for, what a bad value means (ignored and named, never an error), and one canonical form
for the same filters however they were written."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shop.rules.listing_filters import (
    CategoryFilters,
    FilterProblem,
    Sort,
    euros_text,
    read_category_filters,
)
from shop.rules.product_kind import ProductKind


def read(**args: str | list[str]):  # type: ignore[no-untyped-def]
    return read_category_filters({k: v if isinstance(v, list) else [v] for k, v in args.items()})


def test_an_address_without_filters_shows_everything_by_name():
    found = read()

    assert found.filters == CategoryFilters()
    assert found.problems == ()
    assert not found.filters.is_filtering
    assert found.filters.url_args() == {}


def test_in_stock_is_asked_for_by_the_checkbox_value_and_its_usual_spellings():
    for value in ("1", "on", "yes", "true", "TRUE"):
        assert read(in_stock=value).filters.in_stock, value
    for value in ("", "0", "no", "maybe"):
        assert not read(in_stock=value).filters.in_stock, value


def test_prices_are_read_in_euros_with_a_comma_or_a_point_into_exact_cents():
    found = read(min="12,5", max="€ 29.95")

    assert (found.filters.min_cents, found.filters.max_cents) == (1250, 2995)
    assert found.problems == ()


def test_an_empty_price_box_is_no_bound():
    found = read(min="  ", max="")

    assert (found.filters.min_cents, found.filters.max_cents) == (None, None)
    assert found.problems == ()


def test_an_unreadable_price_is_ignored_and_named():
    found = read(min="cheap", max="1.234,50")

    assert (found.filters.min_cents, found.filters.max_cents) == (None, None)
    assert found.problems == (
        FilterProblem.MIN_PRICE_UNREADABLE,
        FilterProblem.MAX_PRICE_UNREADABLE,
    )


def test_a_lowest_price_above_the_highest_ignores_both_and_says_why():
    found = read(min="30", max="20")

    assert (found.filters.min_cents, found.filters.max_cents) == (None, None)
    assert found.problems == (FilterProblem.MIN_ABOVE_MAX,)


def test_equal_bounds_ask_for_that_one_price():
    found = read(min="19,95", max="19.95")

    assert (found.filters.min_cents, found.filters.max_cents) == (1995, 1995)
    assert found.problems == ()


def test_kinds_are_kept_once_in_the_filters_order_and_unknown_ones_named():
    found = read(kind=["powder", "capsules", "powder", "spaceship"])

    assert found.filters.kinds == (ProductKind.CAPSULES, ProductKind.POWDER)
    assert found.problems == (FilterProblem.UNKNOWN_KIND,)


def test_an_unknown_sort_falls_back_to_the_name_without_a_message():
    found = read(sort="cheapest-first")

    assert found.filters.sort == Sort.NAME
    assert found.problems == ()


def test_the_same_filters_written_differently_have_one_key_and_one_address():
    one = read(kind=["powder", "capsules"], min="10", in_stock="on", sort="price").filters
    other = read(sort="price", in_stock="1", min="10,00", kind=["capsules", "powder"]).filters

    assert one.key() == other.key()
    assert list(one.url_args().items()) == [
        ("in_stock", "1"),
        ("kind", ["capsules", "powder"]),
        ("min", "10"),
        ("sort", "price"),
    ]


def test_filters_that_differ_have_different_keys():
    keys = {
        read().filters.key(),
        read(in_stock="1").filters.key(),
        read(min="10").filters.key(),
        read(max="10").filters.key(),
        read(kind="tea").filters.key(),
        read(sort="newest").filters.key(),
    }

    assert len(keys) == 6


def test_the_count_on_filter_and_sort_counts_the_price_range_once():
    filters = read(in_stock="1", min="5", max="50", kind=["tea", "powder"], sort="price").filters

    assert filters.active_count == 4


def test_amounts_are_written_back_without_needless_cents():
    assert [euros_text(c) for c in (0, 5, 1200, 1250, 1205)] == [
        "0",
        "0.05",
        "12",
        "12.50",
        "12.05",
    ]


@given(st.text(max_size=60), st.text(max_size=60))
def test_any_text_in_the_price_boxes_never_breaks_the_page(low: str, high: str):
    found = read(min=low, max=high)

    filters = found.filters
    if filters.min_cents is not None and filters.max_cents is not None:
        assert filters.min_cents <= filters.max_cents
    for cents in (filters.min_cents, filters.max_cents):
        assert cents is None or cents >= 0


@given(
    st.integers(min_value=0, max_value=9_999_999),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([",", "."]),
)
def test_a_typed_amount_is_read_to_the_exact_cent_and_written_back_the_same(
    euros: int, cents: int, separator: str
):
    typed = f"{euros}{separator}{cents:02d}"

    found = read(min=typed, max=typed)

    assert found.filters.min_cents == found.filters.max_cents == euros * 100 + cents
    assert read(min=euros_text(euros * 100 + cents)).filters.min_cents == euros * 100 + cents
