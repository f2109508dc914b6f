"""What the migration tests share: rows written the way an older schema held them (one
category, one product and one paid order with one line, inserted through the tables as
reflected from the database at that revision, since today's models may have columns the old
schema lacks), and orders placed today that can be taken back to an older schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, create_engine, update
from sqlalchemy.orm import Session

from shop.models import ShippingRate
from tests.integration.test_migration_0009 import NOW, _filled

PRICE_CENTS = 2495


def insert_an_old_order(url: str, **product_values: Any) -> None:
    """A product (id 1, `product_values` on top) and a paid order (id 1) of one unit of it."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    categories, products, orders, lines = (
        meta.tables[n] for n in ("categories", "products", "orders", "order_lines")
    )
    stamp = NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW
    product = {
        "id": 1,
        "slug": "truffles",
        "category_id": 1,
        "price_cents": PRICE_CENTS,
        "is_active": False,
        "created_at": stamp,
        "updated_at": stamp,
    } | product_values
    order = {
        "id": 1,
        "token": "t1",
        "status": "paid",
        "subtotal_cents": PRICE_CENTS,
        "discount_cents": 0,
        "total_cents": PRICE_CENTS,
        "age_check_outcome": "passed",
        "age_check_method": "dob",
        "currency": "EUR",
        "created_at": stamp,
        "expires_at": stamp,
        "warnings_acknowledged_at": stamp,
        "age_checked_at": stamp,
    }
    line = {
        "order_id": 1,
        "product_id": 1,
        "position": 0,
        "quantity": 1,
        "unit_price_cents": PRICE_CENTS,
        "line_total_cents": PRICE_CENTS,
        "discount_cents": 0,
    }
    with engine.begin() as connection:
        connection.execute(categories.insert().values(**_filled(categories, id=1, slug="c")))
        connection.execute(products.insert().values(**_filled(products, **product)))
        connection.execute(orders.insert().values(**_filled(orders, **order)))
        connection.execute(lines.insert().values(**_filled(lines, **line)))
    engine.dispose()


def ship_for_free(session: Session) -> None:
    """Make every shipping method free, so that the orders a test places can be taken back
    past migration 0019: its downgrade refuses orders that were charged shipping."""
    session.execute(update(ShippingRate).values(price_cents=0))
    session.commit()
