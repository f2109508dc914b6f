"""Migration 0012 on a database with code uses recorded before it: each use counts for its
customer's identity ("ann+1@…" is "ann@…"), two uses that become one customer's same slot
keep both counting, and the orders keep the addresses they were placed with. On SQLite and
PostgreSQL, in a database of its own."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from shop import create_app
from shop.extensions import db
from shop.models import Order, PromoRedemption
from shop.services.promotions import customer_uses
from tests.conftest import settings_for
from tests.helpers import make_code, make_product
from tests.integration.migration_support import ship_for_free
from tests.integration.test_checkout_service import as_customer, checkout
from tests.integration.test_migration_0009 import scratch_url  # noqa: F401

# As 0002 to 0011 stored them: lower-cased, tags and dots kept.
ADDRESSES_BEFORE = ["ann@example.nl", "ann+1@example.nl", "j.an+shop@googlemail.com"]


def test_uses_recorded_before_0012_count_for_the_customers_identity(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        # Orders are placed with today's models, so at the head; the uses are then written as
        # before 0012 and the schema taken back to 0011 (0012 changed data only, later
        # migrations add columns the models need), and up again through 0012.
        upgrade()
        session = db.session
        ship_for_free(session)
        product = make_product(session, stock=10)
        code = make_code(session, per_customer_limit=2)
        code_id, code_text = code.id, code.code
        for number, address in enumerate(ADDRESSES_BEFORE):
            checkout(session, {product.id: 1}, code=code_text, customer=as_customer(address))
            # What the code before 0012 wrote: the address itself, in the first slot.
            session.execute(
                text(
                    "UPDATE promo_redemptions SET customer_email = :address, customer_slot = 1 "
                    "WHERE order_id = (SELECT id FROM orders ORDER BY id LIMIT 1 OFFSET :n)"
                ),
                {"address": address, "n": number},
            )
        session.commit()
        session.close()
        downgrade(revision="0011")

        upgrade()

        rows = session.execute(
            select(PromoRedemption.customer_email, PromoRedemption.customer_slot).order_by(
                PromoRedemption.order_id
            )
        ).all()
        assert [tuple(row) for row in rows] == [
            ("ann@example.nl", 1),
            ("ann@example.nl", None),
            ("jan@gmail.com", 1),
        ]
        assert customer_uses(session, code_id, "ANN+again@example.nl") == 2
        assert session.scalars(select(Order.email).order_by(Order.id)).all() == ADDRESSES_BEFORE
        session.remove()
        db.engine.dispose()
