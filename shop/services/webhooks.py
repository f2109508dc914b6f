"""Payment events (Stripe's webhooks, and the test gateway's): verify, store once, apply.

`receive_event` is the one path every event takes. In one transaction it stores the event
with its raw body (the unique event id turns a duplicate into a no-op, also when two copies
arrive at once on two servers) and applies it:
- `payment_intent.succeeded` → the order is paid, if amount, currency and order id match;
  else it is flagged "needs attention" with the reason. A payment for an order that had
  expired takes its stock again if there is enough, else the order is paid and flagged
  "needs refund": a payment is never lost track of.
- `payment_intent.payment_failed` → the order stays payable; the message is kept.
- `charge.refunded` → refunded or partially refunded.
Anything that goes wrong raises, the transaction rolls back, and the caller answers 5xx so
Stripe retries into a clean state.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from shop.db import begin_write
from shop.labels import N_
from shop.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentAttempt,
    PaymentEvent,
    PaymentProvider,
    Product,
    PromoCode,
    PromoRedemption,
)
from shop.services.emails import queue_order_confirmation

log = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300


class BadSignature(ValueError):
    """The event's signature is missing, malformed, stale, or made with another secret."""


def verify_event(payload: bytes, signature_header: str | None, secrets: Sequence[str]) -> dict:
    """The event as plain data, if its signature holds for one of `secrets`."""
    if not signature_header or not secrets:
        raise BadSignature("no signature")
    for secret in secrets:
        try:
            event = stripe.Webhook.construct_event(
                payload, signature_header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError:
            continue
        except ValueError as error:  # not JSON
            raise BadSignature("malformed body") from error
        data = event.to_dict()
        if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
            raise BadSignature("not an event")
        return data
    raise BadSignature("signature does not match")


def receive_event(
    session: Session,
    event: Mapping[str, Any],
    raw_body: str,
    *,
    provider: PaymentProvider,
    now: datetime,
) -> str:
    """Store and apply one verified event; returns what happened, in a few words."""
    begin_write(session)
    record = PaymentEvent(
        event_id=event["id"],
        event_type=event["type"],
        provider=provider,
        raw_body=raw_body,
        received_at=now,
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return "duplicate"
    try:
        outcome = _apply(session, event, record, now=now)
        record.outcome = outcome[:200]
        session.commit()
    except Exception:
        session.rollback()
        raise
    return outcome


def _object(event: Mapping[str, Any]) -> Mapping[str, Any]:
    data = event.get("data") or {}
    obj = data.get("object") if isinstance(data, Mapping) else None
    return obj if isinstance(obj, Mapping) else {}


def _order_for_intent(session: Session, intent: Mapping[str, Any]) -> Order | None:
    # The shop's own record of which order an intent was made for comes first: were the
    # metadata trusted first, an intent whose metadata names another order would pay that
    # one, and the order-id check in `_mismatch` could never fail.
    attempt = session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.intent_id == str(intent.get("id")))
    ).first()
    if attempt is not None:
        return session.get(Order, attempt.order_id)
    metadata = intent.get("metadata") or {}
    raw_id = metadata.get("order_id") if isinstance(metadata, Mapping) else None
    # An id edited by hand in Stripe's dashboard could be anything: only plain, sane numbers.
    if isinstance(raw_id, str) and raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 15:
        return session.get(Order, int(raw_id))
    return None


def _apply(
    session: Session, event: Mapping[str, Any], record: PaymentEvent, *, now: datetime
) -> str:
    kind = event["type"]
    obj = _object(event)
    if kind == "payment_intent.succeeded":
        return _payment_succeeded(session, obj, record, now=now)
    if kind == "payment_intent.payment_failed":
        return _payment_failed(session, obj, record)
    if kind == "charge.refunded":
        return _charge_refunded(session, obj, record)
    return "ignored"


def _flag(order: Order, reason: str) -> None:
    order.needs_attention = True
    order.attention_reason = (
        f"{order.attention_reason}\n{reason}".strip() if order.attention_reason else reason
    )


def _mismatch(order: Order, intent: Mapping[str, Any]) -> str | None:
    metadata = intent.get("metadata") or {}
    if str(metadata.get("order_id", order.id)) != str(order.id):
        return "the payment names another order"
    amount = intent.get("amount_received") or intent.get("amount")
    if amount != order.total_cents:
        return f"paid {amount} cents, the order is {order.total_cents} cents"
    if str(intent.get("currency", "")).upper() != order.currency:
        return f"paid in {intent.get('currency')}, the order is in {order.currency}"
    return None


def _payment_succeeded(
    session: Session, intent: Mapping[str, Any], record: PaymentEvent, *, now: datetime
) -> str:
    order = _order_for_intent(session, intent)
    if order is None:
        log.error("payment %s for an unknown order", intent.get("id"))
        return "no such order"
    record.order_id = order.id
    if order.status in {OrderStatus.PAID, OrderStatus.SHIPPED} or order.paid_at is not None:
        return "already paid"
    problem = _mismatch(order, intent)
    if problem:
        _flag(order, f"Payment {intent.get('id')} does not match: {problem}.")
        return "needs attention: " + problem
    if order.status == OrderStatus.PENDING_PAYMENT and order.released_at is None:
        claimed = session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == OrderStatus.PENDING_PAYMENT)
            .where(Order.released_at.is_(None), Order.paid_at.is_(None))
            .values(status=OrderStatus.PAID, paid_at=now, payment_failure_message="")
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return "already handled"
        # What the UPDATE wrote, without reading the row back.
        set_committed_value(order, "status", OrderStatus.PAID)
        set_committed_value(order, "paid_at", now)
        set_committed_value(order, "payment_failure_message", "")
        queue_order_confirmation(session, order, now=now)
        return "paid"
    # The order had expired (or was cancelled) and gave its stock back: take it again.
    if order.status in {OrderStatus.EXPIRED, OrderStatus.CANCELLED}:
        in_stock = _retake_stock(session, order)
        order.status = OrderStatus.PAID
        order.paid_at = now
        if in_stock:
            order.released_at = None
            _retake_code_use(session, order)
            queue_order_confirmation(session, order, now=now)
            return "paid after expiry"
        order.needs_refund = True
        _flag(
            order, N_("Paid after the order expired, and the stock is gone: refund the customer.")
        )
        return "paid after expiry, needs refund"
    _flag(order, f"A payment arrived for an order in status {order.status}.")
    return f"needs attention: payment for a {order.status} order"


def _retake_stock(session: Session, order: Order) -> bool:
    lines = session.execute(
        select(OrderLine.product_id, OrderLine.quantity)
        .where(OrderLine.order_id == order.id, OrderLine.product_id.is_not(None))
        .order_by(OrderLine.product_id)
    ).all()
    savepoint = session.begin_nested()
    for product_id, quantity in lines:
        taken = session.execute(
            update(Product)
            .where(Product.id == product_id, Product.stock >= quantity)
            .values(stock=Product.stock - quantity)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            savepoint.rollback()
            return False
    savepoint.commit()
    return True


def _retake_code_use(session: Session, order: Order) -> None:
    if order.promo_code_id is None:
        return
    # The customer paid the discounted price, so the discount stands; the use is counted
    # again if the limit still allows (a code used up meanwhile stays at its limit).
    session.execute(
        update(PromoCode)
        .where(
            PromoCode.id == order.promo_code_id,
            or_(PromoCode.usage_limit.is_(None), PromoCode.times_used < PromoCode.usage_limit),
        )
        .values(times_used=PromoCode.times_used + 1)
        .execution_options(synchronize_session=False)
    )
    # The use counts for the customer again too (expiry deleted the redemption). Without a
    # slot: the per-customer limit was checked when the order was placed.
    session.add(
        PromoRedemption(
            promo_code_id=order.promo_code_id,
            order_id=order.id,
            customer_email=order.email,
            customer_slot=None,
            discount_cents=order.discount_cents,
            redeemed_at=order.created_at,
        )
    )


def _payment_failed(session: Session, intent: Mapping[str, Any], record: PaymentEvent) -> str:
    order = _order_for_intent(session, intent)
    if order is None:
        return "no such order"
    record.order_id = order.id
    if not order.is_payable:
        # A failure that arrives after a success (or after expiry) changes nothing.
        return f"ignored: order is {order.status}"
    error = intent.get("last_payment_error") or {}
    message = error.get("message") if isinstance(error, Mapping) else None
    order.payment_failure_message = str(message or N_("The payment was declined."))[:500]
    return "payment failed"


def _charge_refunded(session: Session, charge: Mapping[str, Any], record: PaymentEvent) -> str:
    intent_id = charge.get("payment_intent")
    attempt = session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.intent_id == str(intent_id))
    ).first()
    if attempt is None:
        return "no such payment"
    order = session.get(Order, attempt.order_id)
    if order is None:
        return "no such order"
    record.order_id = order.id
    refunded = charge.get("amount_refunded")
    if not isinstance(refunded, int) or refunded < 0:
        return "ignored: no refunded amount"
    # Events can arrive out of order: the refunded total only ever grows.
    order.refunded_cents = max(order.refunded_cents, refunded)
    mark_refund_status(order)
    return f"refunded {order.refunded_cents}"


def mark_refund_status(order: Order) -> None:
    """Refunded when the whole total came back, partially refunded when some did."""
    if order.refunded_cents >= order.total_cents and order.total_cents > 0:
        order.status = OrderStatus.REFUNDED
    elif order.refunded_cents > 0:
        order.status = OrderStatus.PARTIALLY_REFUNDED


def raw_text(payload: bytes) -> str:
    """The body as stored: text, with undecodable bytes replaced (it verified, so it's JSON)."""
    return payload.decode("utf-8", "replace")
