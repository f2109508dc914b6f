"""Migration 0015 on a database with orders placed before it: each order gets its
address's mailbox identity, so "My orders" lists them too. On SQLite and PostgreSQL, in a
database of its own."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from shop import create_app
from shop.extensions import db
from shop.models import Order
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.migration_support import ship_for_free
from tests.integration.test_checkout_service import as_customer, checkout
from tests.integration.test_migration_0009 import scratch_url  # noqa: F401

ADDRESSES = ["ann@example.nl", "ann+truffels@example.nl", "j.an+shop@googlemail.com"]


def test_orders_placed_before_0015_get_their_mailbox_identity(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade()
        session = db.session
        ship_for_free(session)
        product = make_product(session, stock=10)
        for address in ADDRESSES:
            checkout(session, {product.id: 1}, customer=as_customer(address))
        session.commit()
        session.remove()
        # Back to the schema before 0015 (the orders lose the column and the links their
        # table), then forward again, as a shop upgrading with these orders would.
        downgrade(revision="0012")
        assert "order_access_links" not in inspect(db.engine).get_table_names()

        upgrade()

        identities = session.scalars(select(Order.customer_identity).order_by(Order.id)).all()
        assert identities == ["ann@example.nl", "ann@example.nl", "jan@gmail.com"]
        session.remove()
        db.engine.dispose()
