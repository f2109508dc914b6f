"""A search that finds nothing: "did you mean" links to the products nearest to the words, in
the visitor's language, the categories are offered, and the page's own box lists the names
to pick from; with as many queries however many products there are."""

from __future__ import annotations

from shop.extensions import db
from tests.helpers import make_category, make_product
from tests.integration.test_catalog_pages import parse
from tests.integration.test_query_counts import add_products_in_bulk, counting_queries


def test_a_misspelt_search_suggests_the_product_meant_with_a_link(session, verified_client):
    category = make_category(session, "mushrooms", name_en="Medicinal mushrooms")
    make_product(session, "Lion's Mane extract", category=category, slug="lions-mane-extract")
    make_product(session, "Chaga powder", category=category, slug="chaga-powder")

    page = parse(verified_client.get("/search?q=lions+mane+extrct"))

    assert page.texts("main .count") == ["No results for “lions mane extrct”"]
    assert page.texts(".did-you-mean a") == ["Lion's Mane extract"]
    assert page.attributes(".did-you-mean a", "href") == ["/products/lions-mane-extract"]
    assert "Medicinal mushrooms" in page.texts(".category-links a")
    assert page.attributes("#product-names option", "value") == [
        "Chaga powder",
        "Lion's Mane extract",
    ]
    assert page.attributes("#search-again-q", "list") == ["product-names"]


def test_the_suggestions_are_in_the_visitors_language(session, verified_client):
    make_product(session, "Lion's Mane powder", name_nl="Pruikzwam poeder", slug="lm-powder")

    page = parse(verified_client.get("/search?q=pruikzwan", headers={"Accept-Language": "nl"}))

    assert page.texts(".did-you-mean a") == ["Pruikzwam poeder"]
    assert page.texts(".did-you-mean")[0].startswith("Bedoelde je: Pruikzwam poeder")


def test_words_like_no_product_get_the_categories_and_no_guess(session, verified_client):
    make_product(session, "Chaga powder")

    page = parse(verified_client.get("/search?q=bicycle"))

    assert page.select(".did-you-mean") == []
    assert page.texts(".no-results p") == ["Nothing found. Try another word, or fewer words."]
    assert page.select(".category-links a")


def test_a_search_that_finds_products_suggests_nothing(session, verified_client):
    make_product(session, "Chaga powder")

    page = parse(verified_client.get("/search?q=chaga"))

    assert page.texts(".product-card h3 a") == ["Chaga powder"]
    assert page.select(".did-you-mean, #product-names") == []


def test_inactive_products_are_never_suggested(session, verified_client):
    make_product(session, "Chaga powder", publish=False)

    page = parse(verified_client.get("/search?q=chagga"))

    assert page.select(".did-you-mean") == []


def test_a_search_with_suggestions_uses_as_many_queries_with_1000_products(
    session, verified_client
):
    category = make_category(session, slug="truffles")
    make_product(session, "Golden Teacher truffle", category=category)
    add_products_in_bulk(session, category, 9, batch="small")
    with counting_queries() as small:
        page = parse(verified_client.get("/search?q=goldn+teachr"))
    assert page.texts(".did-you-mean a") == ["Golden Teacher truffle"]

    add_products_in_bulk(session, category, 990, batch="large")
    db.session.remove()
    with counting_queries() as large:
        verified_client.get("/search?q=goldn+teachr")

    assert len(small) == len(large), large
    assert len(large) <= 4, large
