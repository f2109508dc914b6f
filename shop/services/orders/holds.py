"""Orders after checkout: finding one by its token, and releasing unpaid ones.

Releasing gives stock and the code's use back exactly once: the order's status changes
by a conditional UPDATE (`status = 'pending_payment' AND released_at IS NULL`), and only
the transaction whose UPDATE matched the row goes on to return anything. That makes
`flask --app shop orders expire` safe to run from cron on several machines at once.
"""

from __future__ import annotations

import string
from datetime import datetime

from sqlalchemy import Exists, Select, delete, exists, select, update
from sqlalchemy.orm import Session, selectinload

from shop.db import begin_write, rows_changed
from shop.models import (
    IntentStatus,
    Order,
    OrderLine,
    OrderStatus,
    OrderStep,
    PaymentAttempt,
    PromoRedemption,
    StaffMember,
)
from shop.services.audit import record_change
from shop.services.emails import ORDER_CANCELLED, ORDER_EXPIRED, queue_email
from shop.services.orders.history import record_step
from shop.services.reservations import give_back_code_use, order_quantities, release_stock

_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "-_")


class OrderNotFound(LookupError):
    """No order with that token."""


def lock_order(session: Session, order_id: int) -> Order | None:
    """Begin a write transaction and read the order with its row locked (PostgreSQL;
    SQLite's write transaction is exclusive anyway), so that two staff actions at once
    follow each other instead of one overwriting the other. None if there is no such order
    (the transaction is then rolled back)."""
    begin_write(session)
    order = session.scalars(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if order is None:
        session.rollback()
    return order


def release_order(
    session: Session,
    order_id: int,
    *,
    now: datetime,
    to_status: OrderStatus = OrderStatus.EXPIRED,
    only_if_due: bool = True,
    actor: StaffMember | None = None,
) -> bool:
    """Expire (or cancel) an unpaid order and return its stock and code use; True if this
    call did it, False if it was paid, already released, or (with only_if_due) not yet due.
    The step and the customer's e-mail are written with it, so only the call that did it
    tells the customer.
    With `actor` (a staff member cancelling), the audit entry joins the same transaction."""
    begin_write(session)
    conditions = [
        Order.id == order_id,
        Order.status == OrderStatus.PENDING_PAYMENT,
        Order.released_at.is_(None),
    ]
    if only_if_due:
        conditions.append(Order.expires_at <= now)
        # A bank still confirming a payment (iDEAL, Bancontact, SEPA) holds the order past its
        # time: expiring it would give its stock away under a payment that is on its way.
        # When the bank answers, the order is paid, or payable again and expires then.
        conditions.append(~_payment_processing())
    claimed = rows_changed(
        session,
        update(Order)
        .where(*conditions)
        .values(status=to_status, released_at=now)
        .execution_options(synchronize_session=False),
    )
    if claimed != 1:
        session.rollback()
        return False
    release_stock(session, order_quantities(session, order_id))
    # Its open intents are to be canceled at the provider too (`cancel_abandoned_intents`,
    # retried by `payments reconcile`): nobody can pay an order that no longer holds goods.
    session.execute(
        update(PaymentAttempt)
        .where(
            PaymentAttempt.order_id == order_id,
            PaymentAttempt.status.not_in([IntentStatus.SUCCEEDED, IntentStatus.CANCELED]),
            PaymentAttempt.cancel_requested_at.is_(None),
        )
        .values(cancel_requested_at=now)
        .execution_options(synchronize_session=False)
    )
    promo_code_id = session.scalar(select(Order.promo_code_id).where(Order.id == order_id))
    if promo_code_id is not None:
        give_back_code_use(session, promo_code_id)
        session.execute(delete(PromoRedemption).where(PromoRedemption.order_id == order_id))
    order = session.get(Order, order_id, populate_existing=True)
    assert order is not None  # the UPDATE above just matched it
    cancelled = to_status == OrderStatus.CANCELLED
    record_step(session, order_id, OrderStep.CANCELLED if cancelled else OrderStep.EXPIRED, now=now)
    queue_email(session, order, ORDER_CANCELLED if cancelled else ORDER_EXPIRED, now=now)
    if actor is not None:
        record_change(
            session,
            actor,
            "cancel" if to_status == OrderStatus.CANCELLED else "release",
            order,
            {"status": (OrderStatus.PENDING_PAYMENT, to_status), "released_at": (None, now)},
            now=now,
            summary=f"order {order.number}: stock and code use given back",
        )
    session.commit()
    return True


def _payment_processing() -> Exists:
    """The order (of the query around it) has a payment its bank is still confirming."""
    return exists().where(
        PaymentAttempt.order_id == Order.id, PaymentAttempt.status == IntentStatus.PROCESSING
    )


def expire_due_orders(session: Session, *, now: datetime, limit: int = 1000) -> int:
    """Release every unpaid order past its hold time (not while a bank is confirming its
    payment); returns how many this call released."""
    due = list(
        session.scalars(
            select(Order.id)
            .where(
                Order.status == OrderStatus.PENDING_PAYMENT,
                Order.released_at.is_(None),
                Order.expires_at <= now,
                ~_payment_processing(),
            )
            .order_by(Order.expires_at, Order.id)
            .limit(limit)
        )
    )
    session.rollback()  # end the read so each release starts its own write transaction
    return sum(1 for order_id in due if release_order(session, order_id, now=now))


def order_for_customer(session: Session, token: str, *, now: datetime) -> Order:
    """The order behind an order-page link; an unpaid order past its hold is released first."""
    # Tokens are URL-safe base64 (`secrets.token_urlsafe`); anything else cannot match, and a
    # NUL byte from the URL would make PostgreSQL fail the query instead of finding nothing.
    if not token or len(token) > 64 or not _TOKEN_CHARS.issuperset(token):
        raise OrderNotFound(token)
    order = session.scalars(_by_token(token)).first()
    if order is None:
        raise OrderNotFound(token)
    if order.is_payable and order.expires_at <= now:
        session.rollback()
        release_order(session, order.id, now=now)
        session.expire_all()
        order = session.scalars(_by_token(token)).one()
    return order


def _by_token(token: str) -> Select[Order]:
    return (
        select(Order)
        .where(Order.token == token)
        .options(
            selectinload(Order.lines).selectinload(OrderLine.warnings),
            selectinload(Order.vat_lines),
        )
    )
