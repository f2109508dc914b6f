"""Product lists read as rows by statements built once (issue 18): each request still gets its
own values, and the cards' addresses built from prefixes are the ones `url_for` builds."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import url_for

from shop.services.related import set_related_products
from shop.web import images
from shop.web.cards import card_links
from tests.helpers import CREATED, make_category, make_product
from tests.integration.test_product_lists import related_names
from tests.integration.test_search import found, names_in
from tests.pages import Page


@dataclass(frozen=True)
class Picture:
    id: int
    width: int
    height: int


@pytest.mark.parametrize("size", [(1600, 1200), (300, 300), (90, 4000), (8000, 6000)])
def test_a_cards_picture_addresses_are_those_url_for_builds(app, size):  # type: ignore[no-untyped-def]
    picture = Picture(41, *size)
    with app.test_request_context("/category/truffles"):
        links = card_links()

        for extension in ("webp", "jpg"):
            assert links.srcset(picture, extension) == images.srcset(picture, extension)  # type: ignore[arg-type]
        for width in (160, 640, 5000):
            assert links.fallback(picture, width) == images.fallback_src(picture, width)  # type: ignore[arg-type]


@pytest.mark.parametrize("slug", ["golden-teacher-15", "not a slug/é"])
def test_a_cards_product_address_is_the_one_url_for_builds(app, slug):  # type: ignore[no-untyped-def]
    with app.test_request_context("/search?q=x"):
        links = card_links()

        assert links.product(slug) == url_for("storefront.product", slug=slug)
        assert links.cart_add == url_for("cart.add")


def test_one_category_statement_serves_each_request_its_own_filters(session, verified_client):  # type: ignore[no-untyped-def]
    kits = make_category(session, "kits")
    for euros in (5, 15, 25, 35):
        make_product(session, f"Kit at {euros}", category=kits, price_cents=euros * 100)

    def listed(address: str) -> list[str]:
        response = verified_client.get(address)
        assert response.status_code == 200, address
        return names_in(Page.of(response))

    assert listed("/category/kits?min=10&sort=price") == ["Kit at 15", "Kit at 25", "Kit at 35"]
    assert listed("/category/kits?min=20&sort=price") == ["Kit at 25", "Kit at 35"]
    assert listed("/category/kits?max=20&sort=price") == ["Kit at 5", "Kit at 15"]
    assert listed("/category/kits?min=10&max=30&sort=price_desc") == ["Kit at 25", "Kit at 15"]


def test_one_search_statement_serves_each_request_its_own_words(session, verified_client):  # type: ignore[no-untyped-def]
    shelf = make_category(session, "shelf")
    make_product(session, "Lion's Mane capsules", category=shelf)
    make_product(session, "Reishi powder", category=shelf)

    assert found(verified_client, "reishi") == ["Reishi powder"]
    assert found(verified_client, "capsules") == ["Lion's Mane capsules"]
    assert found(verified_client, "mane caps") == ["Lion's Mane capsules"]


def test_sold_out_relatives_fill_in_only_when_too_few_are_in_stock(session, verified_client):  # type: ignore[no-untyped-def]
    truffles, kits = make_category(session, slug="truffles"), make_category(session, slug="kits")
    product = make_product(session, "Mexicana", category=truffles)
    make_product(session, "A sold-out truffle", category=truffles, stock=0)
    make_product(session, "B sold-out truffle", category=truffles, stock=0)
    make_product(session, "C truffle", category=truffles)
    picked = make_product(session, "Sold-out kit", category=kits, stock=0)
    set_related_products(session, product.id, [picked.slug], actor=None, now=CREATED)

    # In stock first; then the sold-out pick before the category's sold-out ones, by name.
    expected = ["C truffle", "Sold-out kit", "A sold-out truffle", "B sold-out truffle"]
    assert related_names(verified_client, product) == expected

    for name in ("D truffle", "E truffle", "F truffle"):
        make_product(session, name, category=truffles)

    assert related_names(verified_client, product) == [
        "C truffle",
        "D truffle",
        "E truffle",
        "F truffle",
    ]
