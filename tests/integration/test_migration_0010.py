"""Migration 0010 on a database with orders placed before it: an order placed with a code
gets that code's kind and value as its own, one without a code gets none, and no order loses
its lines on the way (a copy of `orders` on SQLite would cascade-delete them). On SQLite and
PostgreSQL, in a database of its own."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, text

from shop import create_app
from shop.extensions import db
from tests.conftest import settings_for
from tests.integration.test_migration_0009 import NOW, _filled, scratch_url  # noqa: F401


def test_orders_placed_before_0010_keep_the_terms_of_their_code(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0009")
        engine = create_engine(scratch_url)
        meta = MetaData()
        meta.reflect(engine)
        codes, orders, lines = (meta.tables[n] for n in ("promo_codes", "orders", "order_lines"))
        stamp = NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW
        with engine.begin() as connection:
            for code_id, kind, value in ((1, "percent", 15), (2, "amount", 500)):
                connection.execute(
                    codes.insert().values(
                        **_filled(
                            codes,
                            id=code_id,
                            code=f"code{code_id}",
                            kind=kind,
                            value=value,
                            times_used=1,
                            created_at=stamp,
                            updated_at=stamp,
                        )
                    )
                )
            for order_id, code_id in ((1, 1), (2, 2), (3, None)):
                connection.execute(
                    orders.insert().values(
                        **_filled(
                            orders,
                            id=order_id,
                            token=f"t{order_id}",
                            status="pending_payment",
                            subtotal_cents=2500,
                            discount_cents=0,
                            total_cents=2500,
                            promo_code_id=code_id,
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
                            order_id=order_id,
                            position=0,
                            quantity=1,
                            unit_price_cents=2500,
                            line_total_cents=2500,
                            discount_cents=0,
                        )
                    )
                )
        engine.dispose()

        upgrade()

        def snapshot() -> list[tuple[object, ...]]:
            with db.engine.connect() as connection:
                return [
                    tuple(row)
                    for row in connection.execute(
                        text(
                            "SELECT id, promo_kind, promo_value, "
                            "(SELECT count(*) FROM order_lines WHERE order_id = orders.id) "
                            "FROM orders ORDER BY id"
                        )
                    )
                ]

        assert snapshot() == [(1, "percent", 15, 1), (2, "amount", 500, 1), (3, None, None, 1)]

        # and back, and forth again, with every order's line still there
        downgrade(revision="0009")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM order_lines")).scalar_one() == 3
        upgrade()
        assert snapshot() == [(1, "percent", 15, 1), (2, "amount", 500, 1), (3, None, None, 1)]
        db.engine.dispose()
