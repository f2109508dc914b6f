"""Payment use cases: the PaymentIntent behind an order's payment page, test-mode payments,
refunds, and reconciling payments whose webhook never arrived.

The browser's return from Stripe never marks an order paid: only an event does, through
`shop.services.webhooks.receive_event`, whichever way it came (Stripe's webhook, the test
gateway's buttons, or `reconcile_pending_orders`).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.labels import N_
from shop.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentAttempt,
    PaymentProvider,
    Product,
    Refund,
    StaffMember,
)
from shop.payments import Gateway, GatewayError, Intent
from shop.payments.test_gateway import signed_event
from shop.services.audit import diff, record_change
from shop.services.webhooks import mark_refund_status, receive_event, verify_event

RECONCILE_DAYS = 7


class NotPayable(Exception):
    """The order is paid, expired or cancelled: there is nothing to pay."""


class RefundRefused(ValueError):
    """The refund cannot be made; `reason` says why in words for staff."""


def idempotency_key(order: Order) -> str:
    """Deterministic per order, amount and currency: a retried create makes no second intent."""
    return f"shop-order-{order.id}-{order.total_cents}-{order.currency}"


@dataclass(frozen=True)
class PaymentStart:
    order: Order
    intent: Intent


def start_payment(
    session: Session, gateway: Gateway, order: Order, *, now: datetime
) -> PaymentStart:
    """The order's one PaymentIntent for exactly its total: reused if it exists, else made."""
    if not order.is_payable:
        raise NotPayable(order.status)
    attempt = session.scalars(
        select(PaymentAttempt).where(
            PaymentAttempt.order_id == order.id,
            PaymentAttempt.amount_cents == order.total_cents,
            PaymentAttempt.currency == order.currency,
        )
    ).first()
    if attempt is not None and not gateway.is_test_mode:
        return PaymentStart(order, gateway.retrieve_intent(attempt.intent_id))
    intent = gateway.create_intent(
        amount_cents=order.total_cents,
        currency=order.currency,
        metadata={"order_id": str(order.id), "order_number": order.number or ""},
        idempotency_key=idempotency_key(order),
        description=f"Order {order.number}",
        receipt_email=order.email,
    )
    if attempt is None:
        begin_write(session)
        session.add(
            PaymentAttempt(
                order_id=order.id,
                provider=PaymentProvider(gateway.provider),
                intent_id=intent.id,
                amount_cents=order.total_cents,
                currency=order.currency,
                created_at=now,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            # Two page loads at once: keep the first intent (Stripe's idempotency key makes
            # it the same one there; the unique row makes sure the shop knows only one).
            session.rollback()
            attempt = session.scalars(
                select(PaymentAttempt).where(PaymentAttempt.order_id == order.id)
            ).one()
            if not gateway.is_test_mode:
                intent = gateway.retrieve_intent(attempt.intent_id)
    return PaymentStart(order, intent)


def _test_intent_object(order: Order, intent_id: str, *, succeeded: bool) -> dict:
    obj: dict = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": order.total_cents,
        "amount_received": order.total_cents if succeeded else 0,
        "currency": order.currency.lower(),
        "status": "succeeded" if succeeded else "requires_payment_method",
        "metadata": {"order_id": str(order.id), "order_number": order.number or ""},
    }
    if not succeeded:
        obj["last_payment_error"] = {
            "code": "card_declined",
            "message": N_("Your card was declined (test mode)."),
        }
    return obj


def pay_in_test_mode(
    session: Session, gateway: Gateway, order: Order, *, succeed: bool, secret: str, now: datetime
) -> str:
    """The test gateway's Pay/Decline: a signed, Stripe-shaped event through the webhook path."""
    if not gateway.is_test_mode:
        raise NotPayable("test payments are off")
    started = start_payment(session, gateway, order, now=now)
    event_type = "payment_intent.succeeded" if succeed else "payment_intent.payment_failed"
    # A fresh event id per click, as Stripe gives each event its own id (not from `now`: two
    # clicks at the same instant, e.g. under a frozen clock, would share it and the second
    # would be dropped as a duplicate).
    event_id = f"evt_test_{started.intent.id[8:]}_{secrets.token_hex(8)}"
    body, header = signed_event(
        event_type,
        _test_intent_object(order, started.intent.id, succeeded=succeed),
        secret=secret,
        event_id=event_id,
    )
    event = verify_event(body, header, [secret])
    return receive_event(session, event, body.decode(), provider=PaymentProvider.TEST, now=now)


def refund_order(
    session: Session,
    gateway: Gateway,
    order_id: int,
    *,
    amount_cents: int | None = None,
    restock: bool = False,
    reason: str = "",
    now: datetime,
    actor: StaffMember | None = None,
) -> Refund:
    """Refund a paid order fully or partly through the gateway and record it, with its audit
    entry in the same transaction (`actor` None: the command line)."""
    order = session.get(Order, order_id)
    if order is None:
        raise RefundRefused(_("no such order"))
    if order.status not in {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.PARTIALLY_REFUNDED}:
        raise RefundRefused(
            _("an order in status %(status)s cannot be refunded", status=order.status)
        )
    refundable = order.total_cents - order.refunded_cents
    amount = refundable if amount_cents is None else amount_cents
    if amount <= 0 or amount > refundable:
        raise RefundRefused(_("the amount must be between 1 and %(cents)s cents", cents=refundable))
    attempt = session.scalars(
        select(PaymentAttempt)
        .where(PaymentAttempt.order_id == order.id)
        .order_by(PaymentAttempt.id.desc())
    ).first()
    if attempt is None:
        raise RefundRefused(_("no payment is known for this order"))
    # Deterministic: the same refund asked twice (a double click, a retry) is one refund.
    key = f"shop-refund-{order.id}-{order.refunded_cents}-{amount}"
    session.rollback()
    try:
        result = gateway.refund(
            intent_id=attempt.intent_id, amount_cents=amount, idempotency_key=key
        )
    except GatewayError as error:
        raise RefundRefused(_("the payment provider refused: %(error)s", error=error)) from error

    begin_write(session)
    # The order's row is locked (PostgreSQL; SQLite's write transaction is exclusive anyway)
    # before it is read: two refunds at once then add up instead of one overwriting the other.
    order = session.scalars(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    existing = session.scalars(select(Refund).where(Refund.provider_refund_id == result.id)).first()
    if existing is not None:
        session.rollback()
        return existing
    # The goods come back once per order, however many (partial) refunds ask for it, and
    # only if the order still held them: one paid after its stock was released never did.
    restock = (
        restock
        and order.released_at is None
        and not session.scalar(
            select(exists().where(Refund.order_id == order.id, Refund.restocked.is_(True)))
        )
    )
    refund = Refund(
        order_id=order.id,
        provider_refund_id=result.id,
        amount_cents=amount,
        restocked=restock,
        reason=reason[:500],
        created_at=now,
    )
    session.add(refund)
    before = {
        "status": order.status,
        "refunded_cents": order.refunded_cents,
        "needs_refund": order.needs_refund,
    }
    order.refunded_cents += amount
    mark_refund_status(order)
    if order.status == OrderStatus.REFUNDED:
        order.needs_refund = False  # the money the flag asked staff to return is back
    # Every refund is audited; without a staff member it came from the command line.
    after = {
        "status": order.status,
        "refunded_cents": order.refunded_cents,
        "needs_refund": order.needs_refund,
    }
    changes = diff(before, after)
    changes["refund_amount_cents"] = (None, amount)
    if restock:
        changes["restocked"] = (False, True)
    record_change(
        session,
        actor,
        "refund",
        order,
        changes,
        now=now,
        summary=f"refunded {amount} cents of order {order.number} ({result.id})"
        + (", goods back in stock" if restock else ""),
    )
    if restock:
        for product_id, quantity in session.execute(
            select(OrderLine.product_id, OrderLine.quantity).where(
                OrderLine.order_id == order.id, OrderLine.product_id.is_not(None)
            )
        ).all():
            session.execute(
                update(Product)
                .where(Product.id == product_id)
                .values(stock=Product.stock + quantity)
                .execution_options(synchronize_session=False)
            )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return session.scalars(select(Refund).where(Refund.provider_refund_id == result.id)).one()
    return refund


def reconcile_pending_orders(session: Session, gateway: Gateway, *, now: datetime) -> int:
    """Apply successes whose webhook never came (asks the gateway about each pending order's
    intent); returns how many orders it marked paid, through the webhook code path."""
    rows = session.execute(
        select(PaymentAttempt.intent_id, PaymentAttempt.order_id)
        .join(Order, Order.id == PaymentAttempt.order_id)
        .where(Order.status.in_([OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED]))
        .where(Order.paid_at.is_(None))
        # A payment is confirmed within days or not at all; older orders are not asked about.
        .where(Order.created_at >= now - timedelta(days=RECONCILE_DAYS))
    ).all()
    session.rollback()
    applied = 0
    for intent_id, _order_id in rows:
        try:
            intent = gateway.retrieve_intent(intent_id)
        except GatewayError:
            continue
        if intent.status != "succeeded":
            continue
        event = {
            "id": f"reconcile_{intent.id}",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": intent.id,
                    "amount": intent.amount_cents,
                    "currency": intent.currency.lower(),
                    "status": intent.status,
                    "metadata": dict(intent.metadata),
                }
            },
        }
        outcome = receive_event(
            session,
            event,
            json.dumps(event),
            provider=PaymentProvider(gateway.provider),
            now=now,
        )
        if outcome.startswith("paid"):
            applied += 1
    return applied
