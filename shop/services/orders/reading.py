"""One order in full, as the back office shows it: lines and the warnings acknowledged,
payments, events, refunds, disputes, e-mails and what staff did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, selectinload

from shop.models import (
    AuditEntry,
    Order,
    OrderLine,
    OutboxEmail,
    PaymentAttempt,
    PaymentDispute,
    PaymentEvent,
    Refund,
)
from shop.services.orders.refunds import counted_cents, extra_payments

# --- one order ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    events: Sequence[Row[int, str, str, datetime, str]]  # no raw bodies
    emails: Sequence[OutboxEmail]
    refunds: Sequence[Refund]
    attempts: Sequence[PaymentAttempt]
    history: Sequence[AuditEntry]
    disputes: Sequence[PaymentDispute]
    # Successful payments besides the one that paid the order, each with what is refunded.
    extra_payments: Sequence[tuple[PaymentAttempt, int]]


def order_detail(session: Session, order_id: int) -> OrderDetail | None:
    """The order with its lines and warnings, events, e-mails, refunds and staff history."""
    order = session.scalars(
        select(Order)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.lines).selectinload(OrderLine.warnings),
            selectinload(Order.vat_lines),
        )
    ).first()
    if order is None:
        return None
    return OrderDetail(
        order=order,
        events=session.execute(
            select(
                PaymentEvent.id,
                PaymentEvent.event_id,
                PaymentEvent.event_type,
                PaymentEvent.received_at,
                PaymentEvent.outcome,
            )
            .where(PaymentEvent.order_id == order_id)
            .order_by(PaymentEvent.received_at, PaymentEvent.id)
        ).all(),
        emails=session.scalars(
            select(OutboxEmail).where(OutboxEmail.order_id == order_id).order_by(OutboxEmail.id)
        ).all(),
        refunds=session.scalars(
            select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)
        ).all(),
        attempts=session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.order_id == order_id)
            .order_by(PaymentAttempt.sequence)
        ).all(),
        disputes=session.scalars(
            select(PaymentDispute)
            .where(PaymentDispute.order_id == order_id)
            .order_by(PaymentDispute.opened_at, PaymentDispute.id)
        ).all(),
        extra_payments=[
            (attempt, counted_cents(session, attempt.id))
            for attempt in extra_payments(session, order)
        ],
        history=session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "Order", AuditEntry.object_id == str(order_id))
            .order_by(AuditEntry.at, AuditEntry.id)
        ).all(),
    )


def payment_event_of(session: Session, order_id: int, event_id: int) -> PaymentEvent | None:
    """One stored event of the order, raw body included (None if it is another order's)."""
    return session.scalars(
        select(PaymentEvent).where(PaymentEvent.id == event_id, PaymentEvent.order_id == order_id)
    ).first()
