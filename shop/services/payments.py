"""Payment use cases: the PaymentIntent behind an order's payment page (a new one only after
the last was canceled), what a customer's return from a redirect payment (iDEAL,
Bancontact, …) means, test-mode payments, cancelling the intents of orders that ended
unpaid, and reconciling with the provider what its events did not tell.

Whatever the shop learns of an intent — from a webhook, from retrieving it after the
customer's return, or from `payments reconcile` — goes through the same code
(`shop.services.webhooks.receive_event`); the return URL's own parameters are never
believed, only what the provider answers about an intent the shop made. Refunds are in
`shop.services.orders.refunds`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.labels import N_
from shop.models import (
    OPEN_INTENT_STATUSES,
    IntentStatus,
    Order,
    OrderStatus,
    PaymentAttempt,
    PaymentProvider,
)
from shop.payments import Gateway, GatewayError, Intent
from shop.payments.events import ProviderEvent, verify_event
from shop.payments.test_gateway import signed_event
from shop.services.installation import installation_key
from shop.services.orders.refunds import reconcile_refunds
from shop.services.payment_links import PAID_OUTCOMES, EventOutcome, Outcome
from shop.services.webhooks import receive_event

log = logging.getLogger(__name__)

RECONCILE_DAYS = 7
_FINAL = frozenset({IntentStatus.SUCCEEDED, IntentStatus.CANCELED})


class NotPayable(Exception):
    """The order is paid, expired or cancelled: there is nothing to pay."""


class PaymentUnderway(Exception):
    """The order's payment is processing at the bank, or has just succeeded: no new form."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class PaymentStart:
    order: Order
    intent: Intent


def latest_attempt(session: Session, order_id: int) -> PaymentAttempt | None:
    """The order's newest payment attempt."""
    return session.scalars(
        select(PaymentAttempt)
        .where(PaymentAttempt.order_id == order_id)
        .order_by(PaymentAttempt.sequence.desc())
        .limit(1)
    ).first()


def intent_idempotency_key(namespace: str, order: Order, sequence: int) -> str:
    """Deterministic per installation, order and attempt: a retried create makes no second
    intent, and another installation on the same Stripe account never shares it."""
    return f"{namespace}-order-{order.id}-intent-{sequence}-{order.total_cents}-{order.currency}"


def start_payment(
    session: Session,
    gateway: Gateway,
    order: Order,
    *,
    now: datetime,
    receipt_email: bool = False,
) -> PaymentStart:
    """The order's open PaymentIntent for exactly its total, asked of the provider first:
    reused while it can still be paid, replaced when it was canceled. Raises
    `PaymentUnderway` when it is processing or succeeded (its client secret is never handed
    out then) and `NotPayable` when the order cannot be paid."""
    if not order.is_payable:
        raise NotPayable(order.status)
    attempt = latest_attempt(session, order.id)
    if attempt is not None and gateway.is_test_mode:
        return PaymentStart(
            order,
            Intent(attempt.intent_id, attempt.status, order.total_cents, order.currency, None, {}),
        )
    if attempt is not None:
        intent = gateway.retrieve_intent(attempt.intent_id)
        if intent.status in OPEN_INTENT_STATUSES:
            if intent.status != attempt.status:
                _note_status(session, attempt.id, intent.status, now=now)
            return PaymentStart(order, intent)
        if intent.status != IntentStatus.CANCELED:
            apply_intent(session, gateway, intent, now=now)
            raise PaymentUnderway(intent.status)
        apply_intent(session, gateway, intent, now=now)
    sequence = attempt.sequence + 1 if attempt is not None else 1
    return _new_attempt(session, gateway, order, sequence, now=now, receipt_email=receipt_email)


def _new_attempt(
    session: Session,
    gateway: Gateway,
    order: Order,
    sequence: int,
    *,
    now: datetime,
    receipt_email: bool,
) -> PaymentStart:
    namespace = installation_key(session)
    intent = gateway.create_intent(
        amount_cents=order.total_cents,
        currency=order.currency,
        metadata={
            "order_id": str(order.id),
            "order_number": order.number or "",
            "shop_installation": namespace,
        },
        idempotency_key=intent_idempotency_key(namespace, order, sequence),
        description=f"Order {order.number}",
        receipt_email=order.email if receipt_email else "",
    )
    begin_write(session)
    session.add(
        PaymentAttempt(
            order_id=order.id,
            sequence=sequence,
            provider=PaymentProvider(gateway.provider),
            intent_id=intent.id,
            amount_cents=order.total_cents,
            currency=order.currency,
            status=intent.status,
            created_at=now,
            updated_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        # Two page loads at once: the idempotency key made them the same intent at the
        # provider; the unique (order, sequence) row makes sure the shop knows only one.
        session.rollback()
        attempt = session.scalars(
            select(PaymentAttempt).where(
                PaymentAttempt.order_id == order.id, PaymentAttempt.sequence == sequence
            )
        ).one()
        if not gateway.is_test_mode:
            intent = gateway.retrieve_intent(attempt.intent_id)
    return PaymentStart(order, intent)


def _note_status(session: Session, attempt_id: int, status: str, *, now: datetime) -> None:
    begin_write(session)
    attempt = session.get(PaymentAttempt, attempt_id, populate_existing=True)
    if attempt is not None and attempt.status not in _FINAL:
        attempt.status = status[:40]
        attempt.updated_at = now
    session.commit()


def _intent_object(intent: Intent) -> dict[str, Any]:
    """The intent as an event carries it, in today's shape."""
    error = None
    if intent.last_error_code or intent.last_error_message:
        error = {"code": intent.last_error_code, "message": intent.last_error_message}
    return {
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount_cents,
        "amount_received": intent.amount_received_cents,
        "currency": intent.currency.lower(),
        "status": intent.status,
        "metadata": dict(intent.metadata),
        "latest_charge": intent.latest_charge_id,
        "last_payment_error": error,
        "payment_method_types": list(intent.payment_method_types),
    }


_EVENT_FOR_STATUS = {
    IntentStatus.SUCCEEDED: "payment_intent.succeeded",
    IntentStatus.PROCESSING: "payment_intent.processing",
    IntentStatus.CANCELED: "payment_intent.canceled",
}


def apply_intent(session: Session, gateway: Gateway, intent: Intent, *, now: datetime) -> Outcome:
    """Apply what the provider answered about one of the shop's intents, as the event it
    stands for (stored once: the same news applied twice is a duplicate)."""
    event_type = _EVENT_FOR_STATUS.get(intent.status)  # type: ignore[call-overload]
    suffix = intent.status
    if event_type is None and intent.status == IntentStatus.REQUIRES_PAYMENT_METHOD:
        if not intent.last_error_code and not intent.last_error_message:
            return Outcome(EventOutcome.NO_NEWS, "no news")
        event_type = "payment_intent.payment_failed"
        suffix += "_" + hashlib.sha256(intent.last_error_message.encode()).hexdigest()[:12]
    if event_type is None:
        return Outcome(EventOutcome.NO_NEWS, "no news")
    event = {
        "id": f"retrieved_{intent.id}_{suffix}",
        "object": "event",
        "type": event_type,
        "created": int(now.timestamp()),
        # Not from a webhook: the shop asked the provider about its own intent.
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": _intent_object(intent)},
    }
    return receive_event(
        session,
        ProviderEvent.from_data(event),
        provider=PaymentProvider(gateway.provider),
        now=now,
    )


def check_returned_payment(
    session: Session, gateway: Gateway, order: Order, intent_id: str, *, now: datetime
) -> str | None:
    """The customer is back from Stripe (iDEAL, Bancontact, 3-D Secure, …) with
    `payment_intent` in the address: if that is one of this order's intents, ask the
    provider how it stands and apply it. Returns its status, or None when there was nothing
    to ask (another order's intent, test mode) or the provider could not be asked."""
    if gateway.is_test_mode or not order.is_payable:
        return None
    attempt = session.scalars(
        select(PaymentAttempt).where(
            PaymentAttempt.order_id == order.id, PaymentAttempt.intent_id == intent_id[:255]
        )
    ).first()
    if attempt is None:
        return None
    try:
        intent = gateway.retrieve_intent(attempt.intent_id)
    except GatewayError:
        return None
    apply_intent(session, gateway, intent, now=now)
    if intent.status in OPEN_INTENT_STATUSES and intent.status != attempt.status:
        _note_status(session, attempt.id, intent.status, now=now)
    return intent.status


def _test_intent_object(order: Order, intent_id: str, *, succeeded: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": order.total_cents,
        "amount_received": order.total_cents if succeeded else 0,
        "currency": order.currency.lower(),
        "status": "succeeded" if succeeded else "requires_payment_method",
        "latest_charge": ("ch_test_" + intent_id.removeprefix("pi_test_")) if succeeded else None,
        "payment_method_types": ["card"],
        "metadata": {"order_id": str(order.id), "order_number": order.number or ""},
        "last_payment_error": None,
    }
    if not succeeded:
        # A code of its own, so the order page shows the test-mode sentence (Stripe's
        # `card_declined` would be shown as a real decline).
        obj["last_payment_error"] = {
            "code": "test_mode_decline",
            "message": N_("Your card was declined (test mode)."),
        }
    return obj


def pay_in_test_mode(
    session: Session, gateway: Gateway, order: Order, *, succeed: bool, secret: str, now: datetime
) -> Outcome:
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
    return receive_event(session, event, provider=PaymentProvider.TEST, now=now)


# --- orders that ended unpaid ---------------------------------------------------------------


def cancel_abandoned_intents(
    session: Session, gateway: Gateway, *, now: datetime, limit: int = 200
) -> int:
    """Cancel at the provider the intents of orders that expired or were cancelled (asked
    for by `release_order`); returns how many were canceled. One that cannot be canceled
    because it was paid meanwhile is applied as the payment it is (a late success is
    honoured); one the provider could not be asked about is tried again next time."""
    rows = session.execute(
        select(PaymentAttempt.id, PaymentAttempt.intent_id)
        .where(
            PaymentAttempt.cancel_requested_at.is_not(None),
            PaymentAttempt.canceled_at.is_(None),
            PaymentAttempt.status.not_in(list(_FINAL)),
        )
        .order_by(PaymentAttempt.id)
        .limit(limit)
    ).all()
    session.rollback()
    if not rows:
        return 0
    namespace = installation_key(session)
    canceled = 0
    for attempt_id, intent_id in rows:
        intent: Intent | None
        try:
            intent = gateway.cancel_intent(
                intent_id, idempotency_key=f"{namespace}-cancel-{intent_id}"
            )
        except GatewayError as error:
            intent = _after_refused_cancel(session, gateway, attempt_id, intent_id, error, now=now)
            if intent is None:
                continue
        apply_intent(session, gateway, intent, now=now)
        if intent.status == IntentStatus.CANCELED:
            _mark_canceled(session, attempt_id, now=now)
            canceled += 1
    return canceled


def _after_refused_cancel(
    session: Session,
    gateway: Gateway,
    attempt_id: int,
    intent_id: str,
    error: GatewayError,
    *,
    now: datetime,
) -> Intent | None:
    # Refused: usually because the intent is processing or succeeded by now. Ask how it is.
    note = f"{error.code or 'error'} (request {error.request_id or '-'})"
    intent = None
    if error.refused:
        try:
            intent = gateway.retrieve_intent(intent_id)
        except GatewayError:
            intent = None
    begin_write(session)
    attempt = session.get(PaymentAttempt, attempt_id, populate_existing=True)
    if attempt is not None:
        attempt.cancel_error = note[:300]
        attempt.updated_at = now
    session.commit()
    return intent


def _mark_canceled(session: Session, attempt_id: int, *, now: datetime) -> None:
    begin_write(session)
    attempt = session.get(PaymentAttempt, attempt_id, populate_existing=True)
    if attempt is not None and attempt.canceled_at is None:
        attempt.canceled_at = now
        attempt.status = IntentStatus.CANCELED
        attempt.cancel_error = ""
    session.commit()


# --- reconciling --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconcileReport:
    paid: int
    intents_updated: int
    intents_canceled: int
    refunds_updated: int


def reconcile_pending_orders(session: Session, gateway: Gateway, *, now: datetime) -> int:
    """Ask the provider about every open intent of unpaid orders (processing, awaiting the
    customer, …) and apply its answer; returns how many orders it marked paid."""
    return _reconcile_intents(session, gateway, now=now)[0]


def _reconcile_intents(session: Session, gateway: Gateway, *, now: datetime) -> tuple[int, int]:
    if gateway.is_test_mode:
        return 0, 0  # test payments arrive as events at once, never late
    rows = session.execute(
        select(PaymentAttempt.intent_id, PaymentAttempt.status)
        .join(Order, Order.id == PaymentAttempt.order_id)
        .where(
            Order.status.in_(
                [OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED, OrderStatus.CANCELLED]
            ),
            Order.paid_at.is_(None),
            PaymentAttempt.status.not_in(list(_FINAL)),
            # A payment is confirmed within days or not at all; older orders are not asked about.
            Order.created_at >= now - timedelta(days=RECONCILE_DAYS),
        )
        .order_by(PaymentAttempt.id)
    ).all()
    session.rollback()
    paid = updated = 0
    for intent_id, known_status in rows:
        try:
            intent = gateway.retrieve_intent(intent_id)
        except GatewayError:
            continue
        outcome = apply_intent(session, gateway, intent, now=now)
        if outcome.kind in PAID_OUTCOMES:
            paid += 1
        if intent.status != known_status:
            updated += 1
            if intent.status in OPEN_INTENT_STATUSES:
                attempt = session.scalars(
                    select(PaymentAttempt).where(PaymentAttempt.intent_id == intent_id)
                ).first()
                if attempt is not None:
                    _note_status(session, attempt.id, intent.status, now=now)
    return paid, updated


def reconcile_payments(session: Session, gateway: Gateway, *, now: datetime) -> ReconcileReport:
    """Everything `flask --app shop payments reconcile` does: open intents of unpaid orders
    (succeeded, processing, canceled, failed), the cancellations still owed to the provider,
    and refunds still pending."""
    paid, updated = _reconcile_intents(session, gateway, now=now)
    canceled = cancel_abandoned_intents(session, gateway, now=now)
    refunds = reconcile_refunds(session, gateway, now=now) if not gateway.is_test_mode else 0
    return ReconcileReport(paid, updated, canceled, refunds)
