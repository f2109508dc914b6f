"""Migration 0016 on a database with products and orders from before it: each product gets the
standard rate (21 %), each order keeps its lines and gets no VAT figures (its page says "VAT
not recorded"), and down and up again loses nothing. On SQLite and PostgreSQL, in a database
of its own."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from shop import create_app
from shop.extensions import db
from tests.conftest import settings_for
from tests.integration.migration_support import insert_an_old_order
from tests.integration.test_migration_0009 import scratch_url  # noqa: F401


def test_products_get_the_standard_rate_and_old_orders_no_vat_figures(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0012")
        insert_an_old_order(scratch_url)

        upgrade()

        def snapshot() -> tuple[object, ...]:
            with db.engine.connect() as connection:
                return (
                    connection.execute(text("SELECT vat_rate FROM products")).scalar_one(),
                    tuple(
                        connection.execute(
                            text("SELECT vat_percent, vat_cents FROM order_lines")
                        ).one()
                    ),
                    connection.execute(text("SELECT count(*) FROM order_vat_lines")).scalar_one(),
                )

        assert snapshot() == ("standard", (None, None), 0)

        downgrade(revision="0012")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM order_lines")).scalar_one() == 1
            assert connection.execute(text("SELECT count(*) FROM products")).scalar_one() == 1
        upgrade()
        assert snapshot() == ("standard", (None, None), 0)
        db.engine.dispose()
