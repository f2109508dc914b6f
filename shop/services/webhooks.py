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
  → refunds reconciled by refund id (`shop.services.orders.refunds`).
- `charge.dispute.*` and `radar.early_fraud_warning.*` → `shop.services.disputes`.
Anything that goes wrong raises, the transaction rolls back, and the caller answers 5xx so
Stripe retries into a clean state.

`store_malformed_event` keeps a correctly signed body that is not the shape of an event
(`shop.payments.event_shape`): applied never, flagged for staff, stored once per body.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.expression import Executable

from shop.db import begin_write, built_once, dialect_upsert, rows_changed, table_of
from shop.labels import N_
from shop.models import (
    AttentionReason,
    DisputeKind,
    IntentStatus,
    Order,
    OrderStatus,
    OrderStep,
    PaymentAttempt,
    PaymentEvent,
    PaymentProvider,
    PromoRedemption,
    Refund,
    ShopInstallation,
)
from shop.payments.event_shape import MAX_TYPE_LENGTH, MalformedEvent
from shop.payments.events import ProviderEvent
from shop.rules.promotions import customer_identity
from shop.services.disputes import dispute_reported
from shop.services.emails import queue_order_confirmation
from shop.services.invoices import issue_invoice
from shop.services.orders.history import record_step
from shop.services.orders.refunds import charge_refunded, recount_refunds, refund_reported
from shop.services.payment_links import EventOutcome, Outcome, flag_order, id_of
from shop.services.reservations import order_quantities, reserve_stock, take_code_use

log = logging.getLogger(__name__)


@built_once
def _store_event(dialect: str) -> Executable:
    return (
        dialect_upsert(dialect, PaymentEvent)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(table_of(PaymentEvent).c.id)
    )


_EVENTS = table_of(PaymentEvent)
_WRITE_OUTCOME = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("row_id"))
    .values(
        order_id=bindparam("new_order_id"),
        needs_attention=bindparam("new_needs_attention"),
        outcome=bindparam("new_outcome"),
    )
)


@dataclass
class ReceivedEvent:
    """The stored event's row as applying it decides: the order it concerns and whether
    staff must look at it (written with the outcome in one UPDATE at the end)."""

    id: int
    event_id: str
    order_id: int | None = None
    needs_attention: bool = False


def receive_event(
    session: Session, event: ProviderEvent, *, provider: PaymentProvider, now: datetime
) -> Outcome:
    """Store and apply one verified event; returns what it came to."""
    begin_write(session)
    # The unique event id makes a second copy insert nothing (one that arrives at the same
    # moment waits for the first copy's transaction, and then inserts nothing): no error,
    # no aborted statement to roll back.
    stored = session.scalar(
        _store_event(session),
        {
            "event_id": event.id,
            "event_type": event.type,
            "provider": provider,
            "raw_body": event.raw_body,
            "outcome": "",
            "received_at": now,
            "needs_attention": False,
            "reviewed_by": "",
        },
    )
    if stored is None:
        session.rollback()
        return Outcome(EventOutcome.DUPLICATE, "duplicate")
    record = ReceivedEvent(id=stored, event_id=event.id)
    try:
        outcome = _apply(session, event, record, now=now)
        session.execute(
            _WRITE_OUTCOME,
            {
                "row_id": record.id,
                "new_order_id": record.order_id,
                "new_needs_attention": record.needs_attention,
                "new_outcome": outcome.text[:200],
            },
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return outcome


def store_malformed_event(
    session: Session,
    malformed: MalformedEvent,
    raw_body: str,
    *,
    provider: PaymentProvider,
    now: datetime,
) -> Outcome:
    """Keep a signed body that is not an event, flagged for staff, once per body; never apply it.

    Its own id is made from the body: the id it claims might be a real event's, which must
    stay free for that event (and a claimed id may be no string at all)."""
    digest = hashlib.sha256(raw_body.encode()).hexdigest()
    outcome = Outcome(EventOutcome.MALFORMED, f"malformed: {malformed.reason}"[:200])
    begin_write(session)
    session.add(
        PaymentEvent(
            event_id=f"malformed_{digest}",
            event_type=(malformed.event_type or "")[:MAX_TYPE_LENGTH],
            provider=provider,
            raw_body=raw_body,
            received_at=now,
            outcome=outcome.text,
            needs_attention=True,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return Outcome(EventOutcome.DUPLICATE, "duplicate")
    log.warning("a signed payment event was malformed: %s", malformed.reason)
    return outcome


@dataclass(frozen=True)
class Applying:
    """What a handler works with: the event's object and the shop's own payment attempt and
    order it is about (a handler is only called for a payment the shop made)."""

    session: Session
    obj: Mapping[str, Any]
    attempt: PaymentAttempt
    order: Order
    now: datetime
    # Whether refunds of this payment were recorded before this event (reported out of order).
    has_refunds: bool = True


Handler = Callable[[Applying], Outcome]


def _apply(
    session: Session, event: ProviderEvent, record: ReceivedEvent, *, now: datetime
) -> Outcome:
    route = _HANDLERS.get(event.type)
    if route is None:
        return Outcome(EventOutcome.IGNORED, "ignored")
    handler, intent_key = route
    obj = event.object
    found = _attempt_and_order(session, obj, record, intent_key=intent_key)
    if found is None:
        return _not_ours(session, obj, record, event.type, now=now)
    attempt, order, has_refunds = found
    return handler(Applying(session, obj, attempt, order, now, has_refunds))


# Intents in these statuses stay so: a late or repeated event about an earlier step (a
# "processing" after the success, a failure after a cancel) does not move them back.
_FINAL_INTENT_STATUSES = frozenset({IntentStatus.SUCCEEDED, IntentStatus.CANCELED})


def _not_ours(
    session: Session,
    obj: Mapping[str, Any],
    record: ReceivedEvent,
    event_type: str,
    *,
    now: datetime,
) -> Outcome:
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
            return Outcome(EventOutcome.OTHER_INSTALLATION, "another installation's payment")
    record.needs_attention = True
    log.warning("event %s is about a payment this shop did not make", record.event_id)
    return Outcome(EventOutcome.NOT_OURS, "unknown payment: not made by this shop")


_ATTEMPT_AND_ORDER = select(
    PaymentAttempt,
    Order,
    select(Refund.id).where(Refund.payment_attempt_id == PaymentAttempt.id).exists(),
).join(Order, Order.id == PaymentAttempt.order_id)
_ATTEMPT_BY_INTENT = _ATTEMPT_AND_ORDER.where(PaymentAttempt.intent_id == bindparam("intent"))
_ATTEMPT_BY_CHARGE = _ATTEMPT_AND_ORDER.where(PaymentAttempt.charge_id == bindparam("charge"))


def _attempt_and_order(
    session: Session, obj: Mapping[str, Any], record: ReceivedEvent, *, intent_key: str = "id"
) -> tuple[PaymentAttempt, Order, bool] | None:
    """The shop's attempt for the event's intent (or charge), its order, and whether refunds
    of it are recorded: one query."""
    intent_id = id_of(obj.get(intent_key))
    charge_id = id_of(obj.get("charge")) if intent_key != "id" else None
    row = None
    if intent_id:
        row = session.execute(_ATTEMPT_BY_INTENT, {"intent": intent_id}).first()
    if row is None and charge_id:
        row = session.execute(_ATTEMPT_BY_CHARGE, {"charge": charge_id}).first()
    if row is None:
        return None
    attempt, order, refunds = row
    record.order_id = order.id
    return attempt, order, bool(refunds)


def _note_intent_status(attempt: PaymentAttempt, intent: Mapping[str, Any], now: datetime) -> None:
    status = str(intent.get("status") or "")
    if status and attempt.status not in _FINAL_INTENT_STATUSES:
        attempt.status = status[:40]
        attempt.updated_at = now
    charge_id = id_of(intent.get("latest_charge"))
    if charge_id and not attempt.charge_id:
        attempt.charge_id = charge_id


def payment_method_of(intent: Mapping[str, Any]) -> str:
    """How a succeeded intent was paid ("card", "ideal", …), as far as the event tells: the
    charge's payment method details or the payment method when expanded, else the one type
    the intent allowed; "" when it cannot be known from the event."""
    for holder, field in (
        (intent.get("latest_charge"), "payment_method_details"),
        (intent, "payment_method"),
    ):
        details = holder.get(field) if isinstance(holder, Mapping) else None
        if isinstance(details, Mapping) and isinstance(details.get("type"), str):
            return str(details["type"])[:40]
    types = intent.get("payment_method_types")
    if isinstance(types, list) and len(types) == 1 and isinstance(types[0], str):
        return types[0][:40]
    return ""


def _mismatch(
    order: Order, intent: Mapping[str, Any]
) -> tuple[AttentionReason, dict[str, Any], str] | None:
    """What does not match between a payment and its order: the reason, its data, and the
    few words of the event's outcome."""
    intent_id = str(intent.get("id"))
    metadata = intent.get("metadata") or {}
    if str(metadata.get("order_id", order.id)) != str(order.id):
        return (
            AttentionReason.PAYMENT_NAMES_OTHER_ORDER,
            {"intent": intent_id},
            "the payment names another order",
        )
    amount = intent.get("amount_received") or intent.get("amount")
    if amount != order.total_cents:
        return (
            AttentionReason.PAYMENT_AMOUNT_DIFFERS,
            {"intent": intent_id, "paid_cents": amount, "total_cents": order.total_cents},
            f"paid {amount} cents, the order is {order.total_cents} cents",
        )
    currency = str(intent.get("currency", ""))
    if currency.upper() != order.currency:
        return (
            AttentionReason.PAYMENT_CURRENCY_DIFFERS,
            {"intent": intent_id, "paid_currency": currency, "currency": order.currency},
            f"paid in {currency}, the order is in {order.currency}",
        )
    return None


def _payment_succeeded(event: Applying) -> Outcome:
    intent, attempt, order = event.obj, event.attempt, event.order
    session, now = event.session, event.now
    _note_intent_status(attempt, {**intent, "status": IntentStatus.SUCCEEDED}, now)
    attempt.status = IntentStatus.SUCCEEDED
    attempt.succeeded_at = attempt.succeeded_at or now
    attempt.payment_method = attempt.payment_method or payment_method_of(intent)
    if order.paid_at is not None or order.status in {OrderStatus.PAID, OrderStatus.SHIPPED}:
        if order.paid_intent_id in (None, attempt.intent_id):
            return Outcome(EventOutcome.ALREADY_PAID, "already paid")
        return _paid_twice(attempt, order)
    problem = _mismatch(order, intent)
    if problem:
        reason, params, words = problem
        flag_order(order, reason, **params)
        return Outcome(EventOutcome.MISMATCH, "needs attention: " + words)
    if order.status == OrderStatus.PENDING_PAYMENT and order.released_at is None:
        claimed = _claim_payment(session, order.id, attempt.intent_id, now)
        if claimed != 1:
            # Another success took the order first (at the same moment, on PostgreSQL the
            # UPDATE waited for it): read what it wrote; a payment by another intent is
            # the customer paying twice.
            session.refresh(order)
            if order.paid_intent_id not in (None, attempt.intent_id):
                return _paid_twice(attempt, order)
            return Outcome(EventOutcome.ALREADY_PAID, "already handled")
        # What the UPDATE wrote, without reading the row back.
        set_committed_value(order, "status", OrderStatus.PAID)
        set_committed_value(order, "paid_at", now)
        set_committed_value(order, "paid_intent_id", attempt.intent_id)
        set_committed_value(order, "payment_failure_message", "")
        record_step(session, order.id, OrderStep.PAID, now=now)
        issue_invoice(session, order, now=now, first_payment=True, early_refunds=event.has_refunds)
        queue_order_confirmation(session, order, now=now)
        if order.refunded_cents or event.has_refunds:
            recount_refunds(
                session, order, now=now
            )  # refunds reported before the success (out of order)
        return Outcome(EventOutcome.PAID, "paid")
    # The order had expired (or was cancelled) and gave its stock back: take it again.
    if order.status in {OrderStatus.EXPIRED, OrderStatus.CANCELLED}:
        in_stock = _retake_stock(session, order)
        order.status = OrderStatus.PAID
        order.paid_at = now
        order.paid_intent_id = attempt.intent_id
        record_step(session, order.id, OrderStep.PAID, now=now)
        # Paid is paid: the money came in, so it is invoiced even when it must go back.
        issue_invoice(session, order, now=now)
        if in_stock:
            order.released_at = None
            _retake_code_use(session, order)
            queue_order_confirmation(session, order, now=now)
            recount_refunds(session, order, now=now)
            return Outcome(EventOutcome.PAID_AFTER_EXPIRY, "paid after expiry")
        order.needs_refund = True
        flag_order(order, AttentionReason.PAID_AFTER_EXPIRY_NO_STOCK)
        recount_refunds(session, order, now=now)
        return Outcome(EventOutcome.PAID_NEEDS_REFUND, "paid after expiry, needs refund")
    flag_order(order, AttentionReason.PAYMENT_FOR_STATUS, status=str(order.status))
    return Outcome(
        EventOutcome.UNEXPECTED_STATUS, f"needs attention: payment for a {order.status} order"
    )


_ORDERS = table_of(Order)
# Pending, never paid nor released: the UPDATE's WHERE is the claim (one success wins).
_CLAIM_PAYMENT = (
    update(_ORDERS)
    .where(
        _ORDERS.c.id == bindparam("order"),
        _ORDERS.c.status == OrderStatus.PENDING_PAYMENT,
        _ORDERS.c.released_at.is_(None),
        _ORDERS.c.paid_at.is_(None),
    )
    .values(
        status=OrderStatus.PAID,
        paid_at=bindparam("now"),
        paid_intent_id=bindparam("intent"),
        payment_failure_message="",
    )
)


def _claim_payment(session: Session, order_id: int, intent_id: str, now: datetime) -> int:
    return rows_changed(
        session, _CLAIM_PAYMENT, {"order": order_id, "now": now, "intent": intent_id}
    )


def _paid_twice(attempt: PaymentAttempt, order: Order) -> Outcome:
    flag_order(
        order,
        AttentionReason.PAID_TWICE,
        intent=attempt.intent_id,
        amount_cents=attempt.amount_cents,
        currency=attempt.currency,
        paid_by=order.paid_intent_id,
    )
    return Outcome(EventOutcome.PAID_TWICE, "needs attention: paid twice")


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
            customer_email=customer_identity(order.email),
            customer_slot=None,
            discount_cents=order.discount_cents,
            redeemed_at=order.created_at,
        )
    )


def _payment_processing(event: Applying) -> Outcome:
    intent, attempt, order = event.obj, event.attempt, event.order
    now = event.now
    _note_intent_status(attempt, {**intent, "status": IntentStatus.PROCESSING}, now)
    if not order.is_payable:
        return Outcome(EventOutcome.IGNORED, f"ignored: order is {order.status}")
    order.payment_failure_message = ""
    if attempt.status != IntentStatus.PROCESSING:
        return Outcome(EventOutcome.IGNORED, "ignored: later news")
    return Outcome(EventOutcome.PROCESSING, "processing")


def _payment_failed(event: Applying) -> Outcome:
    intent, attempt, order = event.obj, event.attempt, event.order
    now = event.now
    _note_intent_status(
        attempt, {**intent, "status": intent.get("status") or "requires_payment_method"}, now
    )
    if not order.is_payable:
        # A failure that arrives after a success (or after expiry) changes nothing.
        return Outcome(EventOutcome.IGNORED, f"ignored: order is {order.status}")
    error = intent.get("last_payment_error") or {}
    order.payment_failure_message = failure_message(error if isinstance(error, Mapping) else {})
    return Outcome(EventOutcome.FAILED, "payment failed")


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


def _payment_canceled(event: Applying) -> Outcome:
    attempt, order, now = event.attempt, event.order, event.now
    if attempt.status == IntentStatus.SUCCEEDED:
        return Outcome(EventOutcome.IGNORED, "ignored: the payment succeeded")
    attempt.status = IntentStatus.CANCELED
    attempt.canceled_at = attempt.canceled_at or now
    attempt.updated_at = now
    if order.is_payable:
        return Outcome(EventOutcome.CANCELED, "canceled: the next payment gets a new intent")
    return Outcome(EventOutcome.CANCELED, "canceled")


def _charge_refunded(event: Applying) -> Outcome:
    charge, attempt, order = event.obj, event.attempt, event.order
    session, now = event.session, event.now
    charge_id = id_of(charge.get("id"))
    if charge_id and not attempt.charge_id:
        attempt.charge_id = charge_id
    refunded = charge.get("amount_refunded")
    if not isinstance(refunded, int) or isinstance(refunded, bool) or refunded < 0:
        return Outcome(EventOutcome.IGNORED, "ignored: no refunded amount")
    return charge_refunded(session, refunded, attempt, order, now=now)


def _refund_changed(event: Applying) -> Outcome:
    return refund_reported(event.session, event.obj, event.attempt, event.order, now=event.now)


def _dispute(kind: DisputeKind, *, closed: bool = False) -> Handler:
    def handle(event: Applying) -> Outcome:
        return dispute_reported(
            event.session, kind, event.obj, event.attempt, event.order, closed=closed, now=event.now
        )

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
