"""Storefront pages use a constant number of SQL queries, whatever the catalogue size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, insert

from shop.extensions import db
from shop.models import AllergyStatement, Disclaimer, Product
from shop.services.related import set_related_products
from tests.helpers import CREATED, csrf_token, make_category, make_product, make_shipping_method


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        # Transaction control is not a query: SQLite's BEGIN is sent as a statement.
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def add_products_in_bulk(session, category, how_many: int, batch: str) -> None:
    """Many complete products at once: published through the database rules, not around them."""
    rows = [
        {
            "slug": f"bulk-{batch}-{n}",
            "category_id": category.id,
            "name_en": f"Bulk truffle {n}",
            "name_nl": f"Bulk truffel {n}",
            "summary_en": "A truffle for counting queries",
            "summary_nl": "Een truffel om queries te tellen",
            "description_md_en": "Golden teacher strain",
            "description_md_nl": "",
            "price_cents": 1000 + n,
            "stock": 5,
            "is_active": False,
            "is_featured": n % 50 == 0,
            "min_age": 18,
            "created_at": CREATED,
            "updated_at": CREATED,
        }
        for n in range(how_many)
    ]
    session.execute(insert(Product), rows)
    ids = [row.id for row in session.query(Product.id).filter(Product.slug.like(f"bulk-{batch}-%"))]
    session.execute(
        insert(Disclaimer),
        [
            {
                "product_id": pid,
                "kind": "health",
                "text_en": "Not medical advice.",
                "text_nl": "Geen medisch advies.",
                "content_hash": "0" * 64,
                "position": 0,
            }
            for pid in ids
        ],
    )
    session.execute(
        insert(AllergyStatement),
        [
            {
                "product_id": pid,
                "has_no_known_allergens": True,
                "warning_en": "",
                "warning_nl": "",
                "content_hash": "0" * 64,
            }
            for pid in ids
        ],
    )
    session.query(Product).filter(Product.id.in_(ids)).update({"is_active": True})
    session.commit()


def queries_for(client, path: str, keep: bool = False):
    with counting_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return (len(statements), statements) if keep else len(statements)


PAGES = [
    "/",
    "/category/{category}",
    "/category/{category}?sort=price_desc",
    "/products/{product}",
    "/search?q=truffle",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_storefront_page_uses_as_many_queries_with_1000_products_as_with_10(
    session, verified_client, page
):
    category = make_category(session, slug="truffles")
    product = make_product(session, "Golden Teacher truffle", category=category)
    add_products_in_bulk(session, category, 9, batch="small")
    path = page.format(category=category.slug, product=product.slug)
    small = queries_for(verified_client, path)

    add_products_in_bulk(session, category, 990, batch="large")
    large, large_statements = queries_for(verified_client, path, True)

    assert small == large, large_statements
    # A product page also shows up to four related products, with their pictures.
    assert large <= (6 if page.startswith("/products/") else 4)


@pytest.mark.parametrize("path", ["/cart", "/checkout"])
def test_the_cart_and_checkout_use_as_many_queries_with_20_shipping_methods_as_with_1(
    session, verified_client, path
):
    product = make_product(session, "Golden Teacher truffle")
    token = csrf_token(verified_client.get(f"/products/{product.slug}").get_data(as_text=True))
    verified_client.post("/cart/add", data={"csrf_token": token, "product_id": str(product.id)})
    few = queries_for(verified_client, path)

    for n in range(19):
        make_shipping_method(session, f"Parcel {n}", position=n)
    many, statements = queries_for(verified_client, path, True)

    assert few == many, statements


def test_a_product_page_with_staff_picks_uses_as_many_queries_with_1000_products(
    session, verified_client
):
    category = make_category(session, slug="truffles")
    product = make_product(session, "Golden Teacher truffle", category=category)
    kits = make_category(session, slug="kits")
    picked = [make_product(session, f"Kit {n}", category=kits) for n in range(3)]
    set_related_products(session, product.id, [p.slug for p in picked], actor=None, now=CREATED)
    add_products_in_bulk(session, category, 9, batch="small")
    small = queries_for(verified_client, f"/products/{product.slug}")

    add_products_in_bulk(session, category, 990, batch="large")
    large, statements = queries_for(verified_client, f"/products/{product.slug}", True)

    assert small == large, statements
    assert large <= 6
