"""A category page's filters (in stock, price range, product kind) and sort, through the
address: each alone and together, kept by the pagination, bad values explained on a page
that still works, one canonical address, a cached grid per set of filters, and as many
queries with filters as without."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from shop.rules.product_kind import ProductKind
from tests.helpers import make_category, make_product
from tests.integration.test_catalog_pages import card_names, parse
from tests.integration.test_query_counts import add_products_in_bulk, counting_queries


@pytest.fixture
def mushrooms(session):  # type: ignore[no-untyped-def]
    """Five products of three kinds, one sold out, priced 8 to 30 euros."""
    category = make_category(session, "mushrooms")
    for name, price, stock, kind in [
        ("Chaga powder", 1995, 4, ProductKind.POWDER),
        ("Cordyceps capsules", 2695, 0, ProductKind.CAPSULES),
        ("Lion's Mane capsules", 2495, 9, ProductKind.CAPSULES),
        ("Lion's Mane powder", 2750, 3, ProductKind.POWDER),
        ("Reishi tea", 795, 12, ProductKind.TEA),
    ]:
        make_product(session, name, category=category, price_cents=price, stock=stock, kind=kind)
    return category


def arrive(client, path: str):  # type: ignore[no-untyped-def]
    """The page at `path`, after the one redirect to its canonical address if any."""
    response = client.get(path)
    if response.status_code == 302:
        response = client.get(response.headers["Location"])
    return response


def names_at(client, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return card_names(parse(response))


def test_in_stock_only_leaves_out_what_is_sold_out(verified_client, mushrooms):
    assert "Cordyceps capsules" not in names_at(verified_client, "/category/mushrooms?in_stock=1")
    assert len(names_at(verified_client, "/category/mushrooms?in_stock=1")) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("min=20", ["Cordyceps capsules", "Lion's Mane capsules", "Lion's Mane powder"]),
        ("max=19.95", ["Chaga powder", "Reishi tea"]),
        ("min=24.95&max=27", ["Cordyceps capsules", "Lion's Mane capsules"]),
    ],
)
def test_a_price_range_keeps_the_prices_within_it_both_ends_included(
    verified_client, mushrooms, query, expected
):
    assert names_at(verified_client, f"/category/mushrooms?{query}") == expected


def test_kinds_show_the_products_of_any_kind_ticked(verified_client, mushrooms):
    assert names_at(verified_client, "/category/mushrooms?kind=tea") == ["Reishi tea"]
    assert names_at(verified_client, "/category/mushrooms?kind=capsules&kind=tea") == [
        "Cordyceps capsules",
        "Lion's Mane capsules",
        "Reishi tea",
    ]


def test_filters_combine_and_the_sort_applies_to_what_is_left(verified_client, mushrooms):
    path = "/category/mushrooms?in_stock=1&kind=capsules&kind=powder&min=20&sort=price_desc"
    page = parse(verified_client.get(path))

    assert card_names(page) == ["Lion's Mane powder", "Lion's Mane capsules"]
    assert page.texts("main .count") == ["2 products"]
    assert page.texts(".filters summary") == ["Filter and sort (4)"]


def test_the_kinds_offered_are_those_of_the_category_with_their_counts(verified_client, mushrooms):
    page = parse(verified_client.get("/category/mushrooms?in_stock=1"))

    # Counted among the products the other filters leave: the sold-out capsules are not.
    assert page.texts(".filter-form .choice") == [
        "In stock only",
        "Capsules (1)",
        "Powders and extracts (2)",
        "Tea (1)",
    ]


def test_a_kind_ticked_stays_offered_when_none_is_left_so_it_can_be_unticked(
    verified_client, mushrooms
):
    page = parse(verified_client.get("/category/mushrooms?kind=tea&min=10"))

    assert "Tea (0)" in page.texts(".filter-form .choice")
    assert page.texts(".filter-empty p") == [
        "No products match these filters.",
        "Clear the filters to see all Category mushrooms".replace(
            "Category mushrooms", page.texts("h1")[0]
        ),
    ]
    assert page.attributes(".filter-empty a", "href") == ["/category/mushrooms"]


def test_the_filter_form_shows_the_filters_asked_for(verified_client, mushrooms):
    page = parse(
        arrive(verified_client, "/category/mushrooms?in_stock=1&kind=tea&min=7.5&sort=newest")
    )

    assert page.attributes('input[name="in_stock"][checked]', "value") == ["1"]
    assert page.attributes('input[name="kind"][checked]', "value") == ["tea"]
    assert page.attributes('input[name="min"]', "value") == ["7.50"]
    assert page.attributes('select[name="sort"] option[selected]', "value") == ["newest"]
    assert page.attributes(".filter-actions a", "href") == ["/category/mushrooms"]


def test_the_pagination_keeps_the_filters_in_the_canonical_order(
    app, session, verified_client, mushrooms
):
    app.config["SHOP_PAGE_SIZE"] = 2
    first = parse(
        arrive(verified_client, "/category/mushrooms?kind=capsules&kind=powder&in_stock=1")
    )
    (next_link,) = first.attributes('[rel~="next"]', "href")

    assert parse_qsl(urlsplit(next_link).query) == [
        ("page", "2"),
        ("in_stock", "1"),
        ("kind", "capsules"),
        ("kind", "powder"),
    ]
    assert card_names(first) == ["Chaga powder", "Lion's Mane capsules"]
    assert names_at(verified_client, next_link) == ["Lion's Mane powder"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min=cheap", "The lowest price is not an amount in euros"),
        ("max=12,505", "The highest price is not an amount in euros"),
        ("min=30&max=10", "The lowest price is above the highest price"),
        ("kind=spaceship", "A kind of product in the address is not one we sell"),
    ],
)
def test_a_bad_filter_is_explained_and_ignored_on_a_page_that_works(
    verified_client, mushrooms, query, message
):
    response = verified_client.get(f"/category/mushrooms?{query}")

    page = parse(response)
    assert response.status_code == 200
    assert any(text.startswith(message) for text in page.texts(".filter-problems li"))
    assert len(card_names(page)) == 5  # what was ignored narrows nothing
    assert page.select(".filters[open]")  # folded open where the value can be corrected


def test_a_bad_price_is_shown_as_typed_so_it_can_be_corrected(verified_client, mushrooms):
    page = parse(verified_client.get("/category/mushrooms?min=30&max=1o"))

    assert page.attributes('input[name="max"]', "value") == ["1o"]
    assert page.attributes('input[name="min"]', "value") == ["30.00".removesuffix(".00")]


@pytest.mark.parametrize(
    "query",
    [
        "min=" + "9" * 5000,
        "kind=" + "&kind=".join(["x"] * 300),
        "min=%00&max=\u202e12",
        "in_stock=" + "1" * 999,
    ],
)
def test_hostile_filters_never_break_the_page(verified_client, mushrooms, query):
    response = arrive(verified_client, f"/category/mushrooms?{query}")

    # A control character is refused before any view (400, `web.input_guard`).
    assert response.status_code in {200, 400}


def test_a_plain_forms_address_is_sent_on_to_the_canonical_one(verified_client, mushrooms):
    response = verified_client.get("/category/mushrooms?kind=tea&min=&max=&sort=name&in_stock=1")

    assert response.status_code == 302
    assert response.headers["Location"] == "/category/mushrooms?in_stock=1&kind=tea"
    canonical = verified_client.get("/category/mushrooms?in_stock=1&kind=tea")
    assert canonical.status_code == 200


def test_an_address_without_filters_is_left_as_it_is(verified_client, mushrooms):
    assert verified_client.get("/category/mushrooms?sort=name").status_code == 200
    assert verified_client.get("/category/mushrooms?sort=name&utm_source=x").status_code == 200


class TestWithTheFragmentCache:
    @pytest.fixture
    def app_settings(self, app_settings):  # type: ignore[no-untyped-def]
        app_settings["SHOP_FRAGMENT_CACHE_SECONDS"] = "60"
        return app_settings

    def test_two_filter_addresses_never_show_each_others_grid(self, verified_client, mushrooms):
        tea = names_at(verified_client, "/category/mushrooms?kind=tea")
        capsules = names_at(verified_client, "/category/mushrooms?kind=capsules")
        in_stock = names_at(verified_client, "/category/mushrooms?in_stock=1")
        everything = names_at(verified_client, "/category/mushrooms")

        assert tea == ["Reishi tea"]
        assert capsules == ["Cordyceps capsules", "Lion's Mane capsules"]
        assert len(in_stock) == 4 and len(everything) == 5

    def test_the_same_filters_written_twice_share_one_grid(self, verified_client, mushrooms):
        # A bad value keeps an address as it was typed (the page explains it): the grid of
        # what it asks for is still found under the filters' canonical key.
        names_at(verified_client, "/category/mushrooms?kind=tea&kind=capsules&min=cheap")
        with counting_queries() as statements:
            again = names_at(verified_client, "/category/mushrooms?kind=capsules&kind=tea&max=x")

        assert again == ["Cordyceps capsules", "Lion's Mane capsules", "Reishi tea"]
        assert not [s for s in statements if "FROM products" in s], statements

    def test_a_bad_value_typed_by_one_visitor_is_never_shown_to_another(
        self, client, verified_client, mushrooms
    ):
        first = parse(verified_client.get("/category/mushrooms?min=secret-words"))
        second = parse(verified_client.get("/category/mushrooms"))

        assert first.attributes('input[name="min"]', "value") == ["secret-words"]
        assert "secret-words" not in second.text


def test_a_filtered_page_uses_as_many_queries_with_1000_products_as_with_10(
    session, verified_client
):
    category = make_category(session, slug="truffles")
    make_product(session, "Golden Teacher truffle", category=category, kind=ProductKind.TRUFFLES)
    add_products_in_bulk(session, category, 9, batch="small")
    path = "/category/truffles?in_stock=1&kind=truffles&kind=other&min=5&max=2000&sort=price"
    with counting_queries() as small:
        assert verified_client.get(path).status_code == 200

    add_products_in_bulk(session, category, 990, batch="large")
    with counting_queries() as large:
        assert verified_client.get(path).status_code == 200

    assert len(small) == len(large), large
    assert len(large) <= 4, large


def test_an_empty_filtered_page_uses_no_more_queries(session, verified_client, mushrooms):
    with counting_queries() as statements:
        page = parse(verified_client.get("/category/mushrooms?min=500"))

    assert page.texts("main .count") == ["0 products"]
    assert len(statements) <= 4, statements


def test_a_price_is_shown_again_with_a_decimal_comma_in_dutch(verified_client, mushrooms):
    page = parse(
        verified_client.get("/category/mushrooms?min=7.50", headers={"Accept-Language": "nl"})
    )

    assert page.attributes('input[name="min"]', "value") == ["7,50"]
