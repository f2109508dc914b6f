"""Migration 0014 on a database with orders from before it: each order gets the history its
timestamps tell (placed, paid, shipped, partly refunded, expired), and every e-mail in the
outbox gets the key it would get today, so none is sent again. Played as a downgrade to 0012
and back, on SQLite and PostgreSQL, in a database of its own."""

from __future__ import annotations

from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from shop import clock, create_app
from shop.extensions import db
from shop.models import OrderStatusEvent, OutboxEmail, Role
from shop.payments import gateway_for
from shop.payments import test_gateway as test_mode
from shop.services.orders.fulfilment import mark_shipped
from shop.services.orders.holds import expire_due_orders
from shop.services.orders.refunds import refund_order
from shop.services.payments import pay_in_test_mode
from tests.admin_support import make_staff
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.migration_support import ship_for_free
from tests.integration.payment_support import place
from tests.integration.test_migration_0009 import scratch_url  # noqa: F401


def test_orders_from_before_0014_get_their_history_and_their_emails_keep_one_each(
    scratch_url,  # noqa: F811
):
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade()
        session = db.session
        ship_for_free(session)
        product = make_product(session, stock=10)
        staff = make_staff(session, Role.MANAGER)
        shipped = place(session, product, 2)
        secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
        pay_in_test_mode(
            session, test_mode.TestGateway(), shipped, succeed=True, secret=secret, now=clock.now()
        )
        mark_shipped(
            session,
            shipped.id,
            carrier="PostNL",
            tracking_code="3S1",
            lots={line.id: "LOT-1" for line in shipped.lines},
            actor=staff,
            now=clock.now(),
        )
        refund_order(
            session, gateway_for(app.config), shipped.id, amount_cents=100, now=clock.now()
        )
        expired = place(session, product, 1)
        expire_due_orders(session, now=clock.now() + timedelta(hours=2))
        session.commit()

        downgrade(revision="0012")
        upgrade()

        steps = session.execute(
            select(OrderStatusEvent.order_id, OrderStatusEvent.step).order_by(
                OrderStatusEvent.order_id, OrderStatusEvent.happened_at, OrderStatusEvent.id
            )
        ).all()
        assert [(o, str(s)) for o, s in steps] == [
            (shipped.id, "placed"),
            (shipped.id, "paid"),
            (shipped.id, "shipped"),
            (shipped.id, "partially_refunded"),
            (expired.id, "placed"),
            (expired.id, "expired"),
        ]
        keys = session.scalars(select(OutboxEmail.idempotency_key).order_by(OutboxEmail.id)).all()
        assert keys == [
            f"order-{shipped.id}-order_confirmation",
            f"order-{shipped.id}-order_shipped",
            f"order-{shipped.id}-order_refunded",
            f"order-{expired.id}-order_expired",
        ]
        session.remove()
        db.engine.dispose()
