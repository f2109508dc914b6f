"""Migration 0017 on a database with products and orders from before it: no product needs
an ID check at delivery until staff tick it, old order lines keep needing none and have no
lot (none was asked for), and down and up again loses no order line. On SQLite and
PostgreSQL, in a database of its own."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from shop import create_app
from shop.extensions import db
from tests.conftest import settings_for
from tests.integration.migration_support import insert_an_old_order
from tests.integration.test_migration_0009 import scratch_url  # noqa: F401


def test_old_products_and_order_lines_need_no_id_check_and_have_no_lot(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0016")
        insert_an_old_order(scratch_url, vat_rate="reduced")

        upgrade()

        def snapshot() -> tuple[object, ...]:
            with db.engine.connect() as connection:
                return (
                    connection.execute(
                        text("SELECT requires_id_check_at_delivery FROM products")
                    ).scalar_one(),
                    tuple(
                        connection.execute(
                            text("SELECT requires_id_check, lot_number FROM order_lines")
                        ).one()
                    ),
                )

        assert snapshot() == (False, (False, None))

        downgrade(revision="0016")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM order_lines")).scalar_one() == 1
            assert connection.execute(text("SELECT count(*) FROM products")).scalar_one() == 1
        upgrade()
        assert snapshot() == (False, (False, None))
        db.engine.dispose()
