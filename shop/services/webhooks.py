"""Payment events (Stripe's webhooks, the test gateway's, and intents the shop retrieved
itself): verify, store once, apply.

`receive_event` is the one path every event takes. In one transaction it stores the event
with its raw body (the unique event id turns a duplicate into a no-op, also when two copies
arrive at once on two servers) and applies it. An event is tied to an order only through
the intent id the shop stored (`shop.services.payment_links`); one about an intent the shop
did not create changes nothing and is kept for staff.
- `payment_intent.succeeded` → the order is paid, if amount and currency match; else it is
  flagged "needs attention" with the reason. A payment for an order that had expired takes
  its stock again if there is enough, else the order is paid and flagged "needs refund". A
  second intent succeeding for an order already paid is "paid twice": flagged, with a
  one-click refund of the extra payment in the back office. A payment is never lost.
- `payment_intent.processing` → the order page says the bank is still working on it.
- `payment_intent.payment_failed` → the order stays payable; the message is kept.
- `payment_intent.canceled` → the order stays payable, with a new intent on the next try.
- `charge.refunded`, `refund.created|updated|failed` (and the older `charge.refund.updated`)
  → refunds reconciled by refund id (`shop.services.refunds`).
- `charge.dispute.*` and `radar.early_fraud_warning.*` → `shop.services.disputes`.
Anything that goes wrong raises, the transaction rolls back, and the caller answers 5xx so
Stripe retries into a clean state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from shop.db import begin_write, rows_changed
from shop.labels import N_
from shop.models import (
    DisputeKind,
    IntentStatus,
    Order,
    OrderStatus,
    PaymentAttempt,
    PaymentEvent,
    PaymentProvider,
    PromoRedemption,
    Refund,
    ShopInstallation,
)
from shop.services.disputes import dispute_reported
from shop.services.emails import queue_order_confirmation
from shop.services.payment_links import attempt_for, flag_order, id_of, money_text
from shop.services.refunds import charge_refunded, recount_refunds, refund_reported
from shop.services.reservations import order_quantities, reserve_stock, take_code_use

log = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300


class BadSignature(ValueError):
    """The event's signature is missing, malformed, stale, or made with another secret."""


def verify_event(
    payload: bytes, signature_header: str | None, secrets: Sequence[str]
) -> dict[str, Any]:
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
        data: dict[str, Any] = event.to_dict()
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


# A handler gets the event's object, the shop's own attempt and order it is about, the stored
# event, and the time; it is only called for a payment the shop made.
Handler = Callable[[Session, Mapping[str, Any], PaymentAttempt, Order, PaymentEvent, datetime], str]


def _apply(
    session: Session, event: Mapping[str, Any], record: PaymentEvent, *, now: datetime
) -> str:
    route = _HANDLERS.get(event["type"])
    if route is None:
        return "ignored"
    handler, intent_key = route
    obj = _object(event)
    found = _attempt_and_order(session, obj, record, intent_key=intent_key)
    if found is None:
        return _not_ours(session, obj, record, event["type"], now=now)
    return handler(session, obj, *found, record, now)


# Intents in these statuses stay so: a late or repeated event about an earlier step (a
# "processing" after the success, a failure after a cancel) does not move them back.
_FINAL_INTENT_STATUSES = frozenset({IntentStatus.SUCCEEDED, IntentStatus.CANCELED})


def _not_ours(
    session: Session,
    obj: Mapping[str, Any],
    record: PaymentEvent,
    event_type: str,
    *,
    now: datetime,
) -> str:
    """An event about a payment the shop did not make: kept, changes nothing, shown to staff
    — unless it names another installation of this shop on the same Stripe account. A
    dispute about such a payment is recorded too (staff may still have to answer it)."""
    if event_type.startswith(("charge.dispute.", "radar.early_fraud_warning.")):
        record.needs_attention = True
        return dispute_reported(
            session,
            _DISPUTE_KINDS[event_type.split(".")[0]],
            obj,
            None,
            None,
            closed=event_type == "charge.dispute.closed",
            now=now,
        )
    metadata = obj.get("metadata") or {}
    installation = metadata.get("shop_installation") if isinstance(metadata, Mapping) else None
    if isinstance(installation, str) and installation:
        ours = session.scalar(select(ShopInstallation.key).where(ShopInstallation.id == 1))
        if ours and installation != ours:
            return "another installation's payment"
    record.needs_attention = True
    log.warning("event %s is about a payment this shop did not make", record.event_id)
    return "unknown payment: not made by this shop"


def _attempt_and_order(
    session: Session, obj: Mapping[str, Any], record: PaymentEvent, *, intent_key: str = "id"
) -> tuple[PaymentAttempt, Order] | None:
    attempt = attempt_for(
        session,
        intent_id=id_of(obj.get(intent_key)),
        charge_id=id_of(obj.get("charge")) if intent_key != "id" else None,
    )
    if attempt is None:
        return None
    order = session.get(Order, attempt.order_id)
    if order is None:
        return None
    record.order_id = order.id
    return attempt, order


def _note_intent_status(attempt: PaymentAttempt, intent: Mapping[str, Any], now: datetime) -> None:
    status = str(intent.get("status") or "")
    if status and attempt.status not in _FINAL_INTENT_STATUSES:
        attempt.status = status[:40]
        attempt.updated_at = now
    charge_id = id_of(intent.get("latest_charge"))
    if charge_id and not attempt.charge_id:
        attempt.charge_id = charge_id


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
    session: Session,
    intent: Mapping[str, Any],
    attempt: PaymentAttempt,
    order: Order,
    record: PaymentEvent,
    now: datetime,
) -> str:
    _note_intent_status(attempt, {**intent, "status": IntentStatus.SUCCEEDED}, now)
    attempt.status = IntentStatus.SUCCEEDED
    attempt.succeeded_at = attempt.succeeded_at or now
    if order.paid_at is not None or order.status in {OrderStatus.PAID, OrderStatus.SHIPPED}:
        if order.paid_intent_id in (None, attempt.intent_id):
            return "already paid"
        flag_order(order, _paid_twice(attempt, order))
        return "needs attention: paid twice"
    problem = _mismatch(order, intent)
    if problem:
        flag_order(order, f"Payment {intent.get('id')} does not match: {problem}.")
        return "needs attention: " + problem
    if order.status == OrderStatus.PENDING_PAYMENT and order.released_at is None:
        claimed = rows_changed(
            session,
            update(Order)
            .where(Order.id == order.id, Order.status == OrderStatus.PENDING_PAYMENT)
            .where(Order.released_at.is_(None), Order.paid_at.is_(None))
            .values(
                status=OrderStatus.PAID,
                paid_at=now,
                paid_intent_id=attempt.intent_id,
                payment_failure_message="",
            )
            .execution_options(synchronize_session=False),
        )
        if claimed != 1:
            # Another success took the order first (at the same moment, on PostgreSQL the
            # UPDATE waited for it): read what it wrote; a payment by another intent is
            # the customer paying twice.
            session.refresh(order)
            if order.paid_intent_id not in (None, attempt.intent_id):
                flag_order(order, _paid_twice(attempt, order))
                return "needs attention: paid twice"
            return "already handled"
        # What the UPDATE wrote, without reading the row back.
        set_committed_value(order, "status", OrderStatus.PAID)
        set_committed_value(order, "paid_at", now)
        set_committed_value(order, "paid_intent_id", attempt.intent_id)
        set_committed_value(order, "payment_failure_message", "")
        queue_order_confirmation(session, order, now=now)
        if order.refunded_cents or _has_refunds(session, attempt):
            recount_refunds(session, order)  # refunds reported before the success (out of order)
        return "paid"
    # The order had expired (or was cancelled) and gave its stock back: take it again.
    if order.status in {OrderStatus.EXPIRED, OrderStatus.CANCELLED}:
        in_stock = _retake_stock(session, order)
        order.status = OrderStatus.PAID
        order.paid_at = now
        order.paid_intent_id = attempt.intent_id
        if in_stock:
            order.released_at = None
            _retake_code_use(session, order)
            queue_order_confirmation(session, order, now=now)
            recount_refunds(session, order)
            return "paid after expiry"
        order.needs_refund = True
        flag_order(
            order, N_("Paid after the order expired, and the stock is gone: refund the customer.")
        )
        recount_refunds(session, order)
        return "paid after expiry, needs refund"
    flag_order(order, f"A payment arrived for an order in status {order.status}.")
    return f"needs attention: payment for a {order.status} order"


def _paid_twice(attempt: PaymentAttempt, order: Order) -> str:
    return (
        f"Paid twice: payment {attempt.intent_id} "
        f"({money_text(attempt.amount_cents, attempt.currency)}) arrived after the order was "
        f"paid by {order.paid_intent_id}. Refund the extra payment."
    )


def _has_refunds(session: Session, attempt: PaymentAttempt) -> bool:
    found = session.scalar(
        select(Refund.id).where(Refund.payment_attempt_id == attempt.id).limit(1)
    )
    return found is not None


def _retake_stock(session: Session, order: Order) -> bool:
    # All of the order's goods or none: a savepoint undoes the units taken before a shortage.
    savepoint = session.begin_nested()
    short = reserve_stock(session, order_quantities(session, order.id), on_sale_only=False)
    if short is not None:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _retake_code_use(session: Session, order: Order) -> None:
    if order.promo_code_id is None:
        return
    # The customer paid the discounted price, so the discount stands; the use is counted
    # again if the limit still allows (a code used up meanwhile stays at its limit).
    take_code_use(session, order.promo_code_id, active_only=False)
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


def _payment_processing(
    session: Session,
    intent: Mapping[str, Any],
    attempt: PaymentAttempt,
    order: Order,
    record: PaymentEvent,
    now: datetime,
) -> str:
    _note_intent_status(attempt, {**intent, "status": IntentStatus.PROCESSING}, now)
    if not order.is_payable:
        return f"ignored: order is {order.status}"
    order.payment_failure_message = ""
    return "processing" if attempt.status == IntentStatus.PROCESSING else "ignored: later news"


def _payment_failed(
    session: Session,
    intent: Mapping[str, Any],
    attempt: PaymentAttempt,
    order: Order,
    record: PaymentEvent,
    now: datetime,
) -> str:
    _note_intent_status(
        attempt, {**intent, "status": intent.get("status") or "requires_payment_method"}, now
    )
    if not order.is_payable:
        # A failure that arrives after a success (or after expiry) changes nothing.
        return f"ignored: order is {order.status}"
    error = intent.get("last_payment_error") or {}
    order.payment_failure_message = failure_message(error if isinstance(error, Mapping) else {})
    return "payment failed"


# Stripe words its errors in English only. For the common ones the shop keeps its own
# sentence, which the order page shows in the customer's language; any other keeps Stripe's.
_FAILURE_MESSAGES = {
    "insufficient_funds": N_("Your card has insufficient funds."),
    "card_declined": N_("Your card was declined."),
    "expired_card": N_("Your card has expired."),
    "incorrect_cvc": N_("Your card's security code is incorrect."),
    "incorrect_number": N_("Your card number is incorrect."),
    "processing_error": N_("Something went wrong while processing your card. Please try again."),
    "payment_intent_authentication_failure": N_(
        "Your bank could not confirm that it was you (3-D Secure). Please try again."
    ),
    "payment_method_provider_decline": N_("Your bank did not approve the payment."),
    "payment_method_provider_timeout": N_("Your bank did not answer in time. Please try again."),
}


def failure_message(error: Mapping[str, Any]) -> str:
    """What to tell the customer about a failed payment (stored; translated when shown)."""
    for key in (error.get("decline_code"), error.get("code")):
        if isinstance(key, str) and key in _FAILURE_MESSAGES:
            return _FAILURE_MESSAGES[key]
    message = error.get("message")
    return str(message or N_("The payment was declined."))[:500]


def _payment_canceled(
    session: Session,
    intent: Mapping[str, Any],
    attempt: PaymentAttempt,
    order: Order,
    record: PaymentEvent,
    now: datetime,
) -> str:
    if attempt.status == IntentStatus.SUCCEEDED:
        return "ignored: the payment succeeded"
    attempt.status = IntentStatus.CANCELED
    attempt.canceled_at = attempt.canceled_at or now
    attempt.updated_at = now
    if order.is_payable:
        return "canceled: the next payment gets a new intent"
    return "canceled"


def _charge_refunded(
    session: Session,
    charge: Mapping[str, Any],
    attempt: PaymentAttempt,
    order: Order,
    record: PaymentEvent,
    now: datetime,
) -> str:
    charge_id = id_of(charge.get("id"))
    if charge_id and not attempt.charge_id:
        attempt.charge_id = charge_id
    refunded = charge.get("amount_refunded")
    if not isinstance(refunded, int) or isinstance(refunded, bool) or refunded < 0:
        return "ignored: no refunded amount"
    return charge_refunded(session, refunded, attempt, order, now=now)


def _refund_changed(
    session: Session,
    refund: Mapping[str, Any],
    attempt: PaymentAttempt,
    order: Order,
    record: PaymentEvent,
    now: datetime,
) -> str:
    return refund_reported(session, refund, attempt, order, now=now)


def _dispute(kind: DisputeKind, *, closed: bool = False) -> Handler:
    def handle(
        session: Session,
        obj: Mapping[str, Any],
        attempt: PaymentAttempt,
        order: Order,
        record: PaymentEvent,
        now: datetime,
    ) -> str:
        return dispute_reported(session, kind, obj, attempt, order, closed=closed, now=now)

    return handle


_DISPUTE_KINDS = {"charge": DisputeKind.DISPUTE, "radar": DisputeKind.EARLY_FRAUD_WARNING}
# By event type: the handler, and the field of the event's object that names the intent
# (an intent's own `id`, or the `payment_intent` of a charge, refund or dispute).
_HANDLERS: dict[str, tuple[Handler, str]] = {
    "payment_intent.succeeded": (_payment_succeeded, "id"),
    "payment_intent.processing": (_payment_processing, "id"),
    "payment_intent.payment_failed": (_payment_failed, "id"),
    "payment_intent.canceled": (_payment_canceled, "id"),
    "charge.refunded": (_charge_refunded, "payment_intent"),
    "refund.created": (_refund_changed, "payment_intent"),
    "refund.updated": (_refund_changed, "payment_intent"),
    "refund.failed": (_refund_changed, "payment_intent"),
    "charge.refund.updated": (_refund_changed, "payment_intent"),
    "charge.dispute.created": (_dispute(DisputeKind.DISPUTE), "payment_intent"),
    "charge.dispute.updated": (_dispute(DisputeKind.DISPUTE), "payment_intent"),
    "charge.dispute.closed": (_dispute(DisputeKind.DISPUTE, closed=True), "payment_intent"),
    "radar.early_fraud_warning.created": (
        _dispute(DisputeKind.EARLY_FRAUD_WARNING),
        "payment_intent",
    ),
    "radar.early_fraud_warning.updated": (
        _dispute(DisputeKind.EARLY_FRAUD_WARNING),
        "payment_intent",
    ),
}

# What to switch on for the webhook endpoint in Stripe's Dashboard (the README lists them).
HANDLED_EVENT_TYPES: tuple[str, ...] = tuple(_HANDLERS)


def raw_text(payload: bytes) -> str:
    """The body as stored: text, with undecodable bytes replaced (it verified, so it's JSON)."""
    return payload.decode("utf-8", "replace")
