"""Migration 0017 on a database with products and orders from before it: no product needs
an ID check at delivery until staff tick it, old order lines keep needing none and have no
lot (none was asked for), and down and up again loses no order line. On SQLite and
PostgreSQL, in a database of its own."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, text

from shop import create_app
from shop.extensions import db
from tests.conftest import settings_for
from tests.integration.test_migration_0009 import NOW, _filled, scratch_url  # noqa: F401


def test_old_products_and_order_lines_need_no_id_check_and_have_no_lot(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0016")
        engine = create_engine(scratch_url)
        meta = MetaData()
        meta.reflect(engine)
        categories, products, orders, lines = (
            meta.tables[n] for n in ("categories", "products", "orders", "order_lines")
        )
        stamp = NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW
        with engine.begin() as connection:
            connection.execute(categories.insert().values(**_filled(categories, id=1, slug="c")))
            connection.execute(
                products.insert().values(
                    **_filled(
                        products,
                        id=1,
                        slug="truffles",
                        category_id=1,
                        price_cents=2495,
                        vat_rate="reduced",
                        is_active=False,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
            )
            connection.execute(
                orders.insert().values(
                    **_filled(
                        orders,
                        id=1,
                        token="t1",
                        status="paid",
                        subtotal_cents=2495,
                        discount_cents=0,
                        total_cents=2495,
                        age_check_outcome="passed",
                        age_check_method="dob",
                        currency="EUR",
                        created_at=stamp,
                        expires_at=stamp,
                        warnings_acknowledged_at=stamp,
                        age_checked_at=stamp,
                    )
                )
            )
            connection.execute(
                lines.insert().values(
                    **_filled(
                        lines,
                        order_id=1,
                        product_id=1,
                        position=0,
                        quantity=1,
                        unit_price_cents=2495,
                        line_total_cents=2495,
                        discount_cents=0,
                    )
                )
            )
        engine.dispose()

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
