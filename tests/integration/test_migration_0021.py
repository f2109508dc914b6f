"""Migration 0021 on a database with products and an order from before it: the products get
no picks (their pages fill from the category), a pick can be stored but never of the product
itself, and down and up again loses no product or order. On SQLite and PostgreSQL, in a
database of its own."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shop import create_app
from shop.extensions import db
from tests.conftest import settings_for
from tests.integration.migration_support import insert_an_old_order
from tests.integration.test_migration_0009 import scratch_url  # noqa: F401

PICK = "INSERT INTO product_related (product_id, related_id, position) VALUES (1, :related, 0)"


def count(table: str) -> int:
    with db.engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_related_products_come_and_go_without_touching_products_or_orders(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0019")
        insert_an_old_order(scratch_url, vat_rate="reduced")

        upgrade(revision="0021")

        assert count("product_related") == 0
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO products (id, slug, category_id, name_en, name_nl, summary_en,"
                    " summary_nl, description_md_en, description_md_nl, price_cents, stock,"
                    " is_active, is_featured, min_age, is_withdrawal_excluded,"
                    " withdrawal_reason_en, withdrawal_reason_nl, created_at, updated_at)"
                    " SELECT 2, 'kit', category_id, 'Kit', '', '', '', '', '', 100, 1, false,"
                    " false, 18, false, '', '', created_at, updated_at FROM products WHERE id = 1"
                )
            )
            connection.execute(text(PICK), {"related": 2})
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(PICK), {"related": 1})

        downgrade(revision="0019")
        assert (count("products"), count("order_lines")) == (2, 1)
        with db.engine.connect() as connection:
            tables = db.inspect(connection).get_table_names()
        assert "product_related" not in tables

        upgrade(revision="0021")
        assert (count("product_related"), count("products")) == (0, 2)
        db.engine.dispose()
