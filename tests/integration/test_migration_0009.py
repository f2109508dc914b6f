"""Migration 0009 on a database that already took payments: a paid order's intent becomes
the one that paid it, refunds keep their amounts and point at that payment, and the way back
(downgrade) and forth again loses nothing the old schema could hold. On SQLite and
PostgreSQL, in a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, DateTime, Integer, MetaData, Table, create_engine, select, text

from shop import create_app
from shop.extensions import db
from tests.conftest import (
    POSTGRES_URL,
    _create_postgres_database,
    _drop_postgres_database,
    settings_for,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def scratch_url(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if POSTGRES_URL:
        url, name = _create_postgres_database(POSTGRES_URL)
        yield url
        _drop_postgres_database(POSTGRES_URL, name)
    else:
        yield f"sqlite:///{tmp_path / 'old.db'}"


def _filled(table: Table, **values: Any) -> dict[str, Any]:
    """A row of `table` with every required column given something of its type."""
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        if isinstance(column.type, Boolean):
            row[column.name] = False
        elif isinstance(column.type, Integer):
            row[column.name] = 0
        elif isinstance(column.type, DateTime):
            row[column.name] = NOW.replace(tzinfo=None) if "sqlite" in str(table.bind) else NOW
        else:
            row[column.name] = "x"
    row.update(values)
    return row


def test_payments_made_before_0009_keep_their_meaning(scratch_url):
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0008")
        engine = create_engine(scratch_url)
        meta = MetaData()
        meta.reflect(engine)
        orders, attempts, refunds = (
            meta.tables[n] for n in ("orders", "payment_attempts", "refunds")
        )
        stamp = NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW
        with engine.begin() as connection:
            for order_id, paid in ((1, True), (2, False)):
                connection.execute(
                    orders.insert().values(
                        **_filled(
                            orders,
                            id=order_id,
                            token=f"t{order_id}",
                            number=f"2026-00000{order_id}",
                            status="paid" if paid else "pending_payment",
                            subtotal_cents=2500,
                            discount_cents=0,
                            total_cents=2500,
                            refunded_cents=1000 if paid else 0,
                            age_check_outcome="passed",
                            age_check_method="dob",
                            currency="EUR",
                            paid_at=stamp if paid else None,
                            created_at=stamp,
                            expires_at=stamp,
                            warnings_acknowledged_at=stamp,
                            age_checked_at=stamp,
                        )
                    )
                )
                connection.execute(
                    attempts.insert().values(
                        id=order_id,
                        order_id=order_id,
                        provider="stripe",
                        intent_id=f"pi_old_{order_id}",
                        amount_cents=2500,
                        currency="EUR",
                        created_at=stamp,
                    )
                )
            connection.execute(
                refunds.insert().values(
                    order_id=1,
                    provider_refund_id="re_old_1",
                    amount_cents=1000,
                    restocked=True,
                    reason="broken",
                    created_at=stamp,
                )
            )
        engine.dispose()

        upgrade()

        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, paid_intent_id FROM orders ORDER BY id")
            ).all()
            assert rows == [(1, "pi_old_1"), (2, None)]
            assert connection.execute(
                text("SELECT intent_id, sequence, status FROM payment_attempts ORDER BY id")
            ).all() == [("pi_old_1", 1, "succeeded"), ("pi_old_2", 1, "requires_payment_method")]
            assert connection.execute(
                text(
                    "SELECT provider_refund_id, status, origin, payment_attempt_id, "
                    "restock_requested, restocked FROM refunds"
                )
            ).all() == [("re_old_1", "succeeded", "shop", 1, True, True)]
            key = connection.execute(text("SELECT key FROM shop_installation")).scalar_one()
            assert len(key) == 16

        # and back, and forth again
        downgrade(revision="0008")
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(
                text("SELECT provider_refund_id, amount_cents FROM refunds")
            ).all() == [("re_old_1", 1000)]
            assert (
                connection.execute(
                    select(text("count(*)")).select_from(text("payment_attempts"))
                ).scalar_one()
                == 2
            )
        db.engine.dispose()
