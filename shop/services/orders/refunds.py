"""Refunds: made by staff (back office, command line), reported by the provider (a refund made
in Stripe's Dashboard), moved on by events and answers, and counted on the order.

The rules:
- A refund the shop makes is written `pending`, with its idempotency key, in its own
  transaction **before** the provider is asked. A webhook about it that arrives before the
  provider's answer finds that row (through the `shop_refund_id` sent as metadata) and so
  never counts the money twice; the answer, when it comes, finds the row already moved on.
- A refund row moves by its provider id, forward only: pending → succeeded → failed or
  canceled (a late "pending" never undoes a "succeeded").
- What counts as refunded is recomputed from the rows each time (`recount_refunds`): pending
  and succeeded refunds of the payment that paid the order. A failed or canceled refund gives
  its amount back to "refundable" and marks the order for staff.
- A refund of an extra payment (an order paid twice) returns that payment; the order's own
  refunded amount does not change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.models import (
    COUNTING_REFUND_STATUSES,
    AttentionReason,
    CreditNote,
    IntentStatus,
    Order,
    OrderStatus,
    OrderStep,
    OutboxEmail,
    PaymentAttempt,
    Refund,
    RefundOrigin,
    RefundStatus,
    StaffMember,
)
from shop.payments import Gateway, GatewayError, RefundResult
from shop.refusals import Reason, Refused
from shop.services.audit import diff, record_change
from shop.services.emails import ORDER_REFUNDED, queue_email
from shop.services.installation import installation_key
from shop.services.invoices import issue_credit_note
from shop.services.orders.history import record_step
from shop.services.orders.holds import lock_order
from shop.services.payment_links import EventOutcome, Outcome, flag_order
from shop.services.reservations import order_quantities, release_stock

log = logging.getLogger(__name__)

RECONCILE_REFUND_DAYS = 30
REFUNDABLE_STATUSES = frozenset(
    {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.PARTIALLY_REFUNDED}
)
_RANK = {
    RefundStatus.PENDING: 0,
    RefundStatus.REQUIRES_ACTION: 0,
    RefundStatus.SUCCEEDED: 1,
    RefundStatus.FAILED: 2,
    RefundStatus.CANCELED: 2,
}


class RefundRefusal(Reason):
    NO_SUCH_ORDER = "no_such_order"
    NOT_REFUNDABLE = "not_refundable"  # status
    STALE_FORM = "stale_form"
    AMOUNT_OUT_OF_RANGE = "amount_out_of_range"  # most_cents
    NO_PAYMENT = "no_payment"
    PROVIDER_REFUSED = "provider_refused"  # code, request_id
    NO_SUCH_PAYMENT = "no_such_payment"
    NOT_AN_EXTRA_PAYMENT = "not_an_extra_payment"
    ALREADY_BEING_REFUNDED = "already_being_refunded"


class RefundRefused(Refused):
    """The refund cannot be made (`reason`: a `RefundRefusal`)."""


def refund_status(raw: object) -> RefundStatus:
    """Stripe's refund status as the shop's; one it does not know yet counts as pending."""
    try:
        return RefundStatus(str(raw))
    except ValueError:
        return RefundStatus.PENDING


# --- counting -------------------------------------------------------------------------------


def paid_attempt(session: Session, order: Order) -> PaymentAttempt | None:
    """The payment attempt whose intent paid the order."""
    if order.paid_intent_id is None:
        return None
    return session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.intent_id == order.paid_intent_id)
    ).first()


def counted_cents(session: Session, attempt_id: int) -> int:
    """What is refunded, or on its way back, of one payment."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
                Refund.payment_attempt_id == attempt_id,
                Refund.status.in_(COUNTING_REFUND_STATUSES),
            )
        )
        or 0
    )


def recount_refunds(session: Session, order: Order, *, now: datetime) -> None:
    """Set the order's refunded amount and status from its refund rows; a status that
    becomes (partly) refunded is a step of the order's history."""
    attempt = paid_attempt(session, order)
    if attempt is None:
        return  # not paid (yet): refunds that came early count once the payment lands
    session.flush()
    order.refunded_cents = counted_cents(session, attempt.id)
    if order.status not in REFUNDABLE_STATUSES | {OrderStatus.REFUNDED}:
        return
    before = order.status
    if order.refunded_cents >= order.total_cents and order.total_cents > 0:
        order.status = OrderStatus.REFUNDED
        order.needs_refund = False  # the money the flag asked staff to return is back
    elif order.refunded_cents > 0:
        order.status = OrderStatus.PARTIALLY_REFUNDED
    else:
        order.status = OrderStatus.SHIPPED if order.shipped_at else OrderStatus.PAID
    if order.status != before and order.status in _REFUND_STEPS:
        record_step(session, order.id, _REFUND_STEPS[order.status], now=now)


_REFUND_STEPS = {
    OrderStatus.REFUNDED: OrderStep.REFUNDED,
    OrderStatus.PARTIALLY_REFUNDED: OrderStep.PARTIALLY_REFUNDED,
}


def tell_customer_if_succeeded(
    session: Session, refund: Refund, order: Order, *, now: datetime
) -> None:
    """Issue the refund's credit note and queue its e-mail once the money is back (never
    while it is pending: a refund may still fail). Both are made once per refund."""
    if refund.status == RefundStatus.SUCCEEDED:
        issue_credit_note(session, refund, order, now=now)
        queue_email(session, order, ORDER_REFUNDED, now=now, refund=refund)


def refund_state(session: Session, order: Order) -> str:
    """What a refund form was shown: the refunded amount and how many refunds there were. A
    form sent with another state was made before some other refund (a second tab, a resent
    form); sent twice with the same state it is one refund."""
    count = session.scalar(select(func.count(Refund.id)).where(Refund.order_id == order.id))
    return f"{order.refunded_cents}-{count or 0}"


# --- moving a refund row on ---------------------------------------------------------------


def _restock(session: Session, refund: Refund, order: Order) -> None:
    # The goods come back once per order, however many refunds ask for it, and only if the
    # order still held them: one paid after its stock was released never did.
    if not refund.restock_requested or refund.restocked or order.released_at is not None:
        return
    already = session.scalar(
        select(
            exists().where(
                Refund.order_id == order.id, Refund.restocked.is_(True), Refund.id != refund.id
            )
        )
    )
    if already:
        return
    refund.restocked = True
    release_stock(session, order_quantities(session, order.id))


def move_refund(
    session: Session,
    refund: Refund,
    order: Order,
    status: RefundStatus,
    *,
    failure_reason: str = "",
    now: datetime,
) -> bool:
    """Move a refund row to `status` if that is forward; True if it changed. The caller
    recounts the order and commits."""
    moved = _RANK[status] >= _RANK[refund.status] and status != refund.status
    if moved:
        before = refund.status
        refund.status = status
        refund.updated_at = now
        if status not in COUNTING_REFUND_STATUSES:
            refund.failure_reason = failure_reason[:200]
            flag_order(
                order,
                AttentionReason.REFUND_FAILED,
                amount_cents=refund.amount_cents,
                currency=order.currency,
                status=str(status),
                failure=failure_reason,
            )
            log.warning(
                "refund %s of order %s %s (was %s)", refund.id, order.number, status, before
            )
        tell_customer_if_succeeded(session, refund, order, now=now)
    # The goods go back once the provider has taken the refund on (not when staff asked:
    # a refused refund must not restock).
    if refund.status in COUNTING_REFUND_STATUSES and refund.provider_refund_id is not None:
        _restock(session, refund, order)
    return moved


def record_refund_answer(
    session: Session, refund_id: int, result: RefundResult, *, now: datetime
) -> Refund:
    """Apply the provider's answer to the refund the shop asked for, in one transaction."""
    begin_write(session)
    refund = session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    assert refund is not None  # rows the shop makes are never deleted
    order = session.get(Order, refund.order_id, with_for_update=True, populate_existing=True)
    assert order is not None
    if refund.provider_refund_id is None:
        twin = session.scalars(select(Refund).where(Refund.provider_refund_id == result.id)).first()
        if twin is not None:
            # An event without our reference got here first and wrote its own row for the
            # same refund: keep the shop's row (it has the reason and the restock wish), and
            # any e-mail about the twin (its key names the provider's refund, as the kept
            # row's will, so the customer is not told twice).
            session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.refund_id == twin.id)
                .values(refund_id=refund.id)
                .execution_options(synchronize_session=False)
            )
            # Its credit note, likewise, becomes the kept row's (one note per refund).
            session.execute(
                update(CreditNote)
                .where(CreditNote.refund_id == twin.id)
                .values(refund_id=refund.id)
                .execution_options(synchronize_session=False)
            )
            session.delete(twin)
            session.flush()
        refund.provider_refund_id = result.id
        refund.updated_at = now
    move_refund(
        session,
        refund,
        order,
        refund_status(result.status),
        failure_reason=result.failure_reason,
        now=now,
    )
    recount_refunds(session, order, now=now)
    session.commit()
    return refund


def _send(session: Session, gateway: Gateway, refund: Refund, *, now: datetime) -> Refund:
    """Ask the provider for a refund row that is written; apply the answer."""
    refund_id = refund.id
    attempt = session.get(PaymentAttempt, refund.payment_attempt_id)
    assert attempt is not None and refund.idempotency_key is not None
    order_number = session.scalar(select(Order.number).where(Order.id == refund.order_id))
    request: dict[str, Any] = {
        "intent_id": attempt.intent_id,
        "amount_cents": refund.amount_cents,
        "idempotency_key": refund.idempotency_key,
        "metadata": {"shop_refund_id": str(refund.id), "order_number": order_number or ""},
    }
    session.rollback()  # no transaction stays open while the provider is asked
    try:
        result = gateway.refund(**request)
    except GatewayError as error:
        if not error.refused:
            # The provider may have made it: the row stays pending, and `payments reconcile`
            # asks again with the same idempotency key (which cannot refund twice).
            log.warning("refund %s unconfirmed (%s); reconcile will ask again", refund_id, error)
            return session.get(Refund, refund_id, populate_existing=True)  # type: ignore[return-value]
        _refused(session, refund_id, error, now=now)
        raise RefundRefused(
            RefundRefusal.PROVIDER_REFUSED,
            code=error.code,
            message=str(error),
            request_id=error.request_id,
        ) from error
    return record_refund_answer(session, refund_id, result, now=now)


def _refused(session: Session, refund_id: int, error: GatewayError, *, now: datetime) -> None:
    begin_write(session)
    refund = session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    assert refund is not None
    order = session.get(Order, refund.order_id, with_for_update=True, populate_existing=True)
    assert order is not None
    refund.status = RefundStatus.FAILED
    refund.failure_reason = (error.code or "refused")[:200]
    refund.updated_at = now
    recount_refunds(session, order, now=now)
    record_change(
        session,
        None,
        "refund_refused",
        order,
        {"refund_status": (RefundStatus.PENDING, RefundStatus.FAILED)},
        now=now,
        summary=f"the provider refused refund {refund.id} of order {order.number} "
        f"({error.code or 'no code'}, request {error.request_id or '-'})",
        source="Stripe",
    )
    session.commit()


# --- what staff ask for ------------------------------------------------------------------


def _key(namespace: str, order: Order, state: str, amount: int) -> str:
    return f"{namespace}-refund-{order.id}-{state}-{amount}"


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
    seen_state: str | None = None,
) -> Refund:
    """Refund a paid order fully or partly: write the refund (pending) with its audit entry,
    ask the provider, apply the answer. `seen_state` is the form's `refund_state`: a form
    sent twice is one refund, a form made before another refund is refused. A refund whose
    answer never came stays pending (see `reconcile_refunds`)."""
    namespace = installation_key(session)
    # Locked before it is read: two refunds at once add up instead of overwriting each other.
    order = lock_order(session, order_id)
    if order is None:
        raise RefundRefused(RefundRefusal.NO_SUCH_ORDER)
    if order.status not in REFUNDABLE_STATUSES:
        session.rollback()
        raise RefundRefused(RefundRefusal.NOT_REFUNDABLE, status=str(order.status))
    refundable = order.total_cents - order.refunded_cents
    amount = refundable if amount_cents is None else amount_cents
    state = refund_state(session, order)
    if seen_state is not None and seen_state != state:
        twin = session.scalars(
            select(Refund).where(
                Refund.idempotency_key == _key(namespace, order, seen_state, amount)
            )
        ).first()
        session.rollback()
        if twin is not None:
            return twin
        raise RefundRefused(RefundRefusal.STALE_FORM)
    if amount <= 0 or amount > refundable:
        session.rollback()
        raise RefundRefused(RefundRefusal.AMOUNT_OUT_OF_RANGE, most_cents=refundable)
    attempt = paid_attempt(session, order)
    if attempt is None:
        session.rollback()
        raise RefundRefused(RefundRefusal.NO_PAYMENT)
    restock = (
        restock
        and order.released_at is None
        and not session.scalar(
            select(
                exists().where(
                    Refund.order_id == order.id,
                    Refund.restock_requested.is_(True),
                    Refund.status.in_(COUNTING_REFUND_STATUSES),
                )
            )
        )
    )
    refund = Refund(
        order_id=order.id,
        payment_attempt_id=attempt.id,
        idempotency_key=_key(namespace, order, state, amount),
        status=RefundStatus.PENDING,
        origin=RefundOrigin.SHOP,
        amount_cents=amount,
        restock_requested=restock,
        reason=reason[:500],
        created_at=now,
        updated_at=now,
    )
    session.add(refund)
    before = {
        "status": order.status,
        "refunded_cents": order.refunded_cents,
        "needs_refund": order.needs_refund,
    }
    try:
        session.flush()
    except IntegrityError:
        # The same refund asked twice at the same moment: the first one stands.
        session.rollback()
        return session.scalars(
            select(Refund).where(Refund.idempotency_key == _key(namespace, order, state, amount))
        ).one()
    recount_refunds(session, order, now=now)
    changes = diff(
        before,
        {
            "status": order.status,
            "refunded_cents": order.refunded_cents,
            "needs_refund": order.needs_refund,
        },
    )
    changes["refund_amount_cents"] = (None, amount)
    if restock:
        changes["restock"] = (False, True)
    record_change(
        session,
        actor,
        "refund",
        order,
        changes,
        now=now,
        summary=f"refund of {amount} cents of order {order.number} asked for (refund {refund.id})"
        + (", goods back in stock" if restock else ""),
    )
    session.commit()
    return _send(session, gateway, refund, now=now)


def refundable_cents(order: Order) -> int:
    """What may still be refunded: nothing unless the order was paid."""
    if order.status not in {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.PARTIALLY_REFUNDED}:
        return 0
    return order.total_cents - order.refunded_cents


def can_restock(session: Session, order: Order) -> bool:
    """Whether a refund may still put the order's goods back: once per order, and only if
    the order held them (one paid after its stock was released never did)."""
    if order.released_at is not None:
        return False
    return not session.scalar(
        select(
            exists().where(
                Refund.order_id == order.id,
                Refund.restock_requested.is_(True),
                Refund.status.in_(COUNTING_REFUND_STATUSES),
            )
        )
    )


def extra_payments(session: Session, order: Order) -> list[PaymentAttempt]:
    """Successful payments of the order besides the one that paid it (paid twice)."""
    if order.paid_intent_id is None:
        return []
    return list(
        session.scalars(
            select(PaymentAttempt)
            .where(
                PaymentAttempt.order_id == order.id,
                PaymentAttempt.status == IntentStatus.SUCCEEDED,
                PaymentAttempt.intent_id != order.paid_intent_id,
            )
            .order_by(PaymentAttempt.sequence)
        )
    )


def refund_extra_payment(
    session: Session,
    gateway: Gateway,
    attempt_id: int,
    *,
    now: datetime,
    actor: StaffMember | None = None,
) -> Refund:
    """Give back a payment that came after the order was already paid, in full."""
    namespace = installation_key(session)
    begin_write(session)
    attempt = session.get(PaymentAttempt, attempt_id, with_for_update=True)
    order = session.get(Order, attempt.order_id, with_for_update=True) if attempt else None
    if attempt is None or order is None:
        session.rollback()
        raise RefundRefused(RefundRefusal.NO_SUCH_PAYMENT)
    if attempt.status != IntentStatus.SUCCEEDED or attempt.intent_id == order.paid_intent_id:
        session.rollback()
        raise RefundRefused(RefundRefusal.NOT_AN_EXTRA_PAYMENT)
    if counted_cents(session, attempt.id) > 0:
        session.rollback()
        raise RefundRefused(RefundRefusal.ALREADY_BEING_REFUNDED)
    refund = Refund(
        order_id=order.id,
        payment_attempt_id=attempt.id,
        idempotency_key=f"{namespace}-refund-extra-{attempt.intent_id}",
        status=RefundStatus.PENDING,
        origin=RefundOrigin.SHOP,
        amount_cents=attempt.amount_cents,
        reason="extra payment",
        created_at=now,
        updated_at=now,
    )
    session.add(refund)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise RefundRefused(RefundRefusal.ALREADY_BEING_REFUNDED) from None
    record_change(
        session,
        actor,
        "refund_extra_payment",
        order,
        {"refund_amount_cents": (None, attempt.amount_cents)},
        now=now,
        summary=f"extra payment {attempt.intent_id} of order {order.number} refunded "
        f"({attempt.amount_cents} cents)",
    )
    session.commit()
    return _send(session, gateway, refund, now=now)


# --- what the provider reports ------------------------------------------------------------


def refund_reported(
    session: Session,
    refund_object: Mapping[str, Any],
    attempt: PaymentAttempt,
    order: Order,
    *,
    now: datetime,
) -> Outcome:
    """A refund object from an event (`refund.created|updated|failed`): find its row (by
    provider id, by the shop's reference, or a Dashboard refund noted from `charge.refunded`),
    or write one, and move it on. The caller commits."""
    provider_id = str(refund_object.get("id") or "")
    amount = refund_object.get("amount")
    if not provider_id or not isinstance(amount, int) or amount <= 0:
        return Outcome(EventOutcome.IGNORED, "ignored: not a refund")
    status = refund_status(refund_object.get("status"))
    refund = session.scalars(select(Refund).where(Refund.provider_refund_id == provider_id)).first()
    if refund is None:
        refund = _unnamed_row(session, refund_object, attempt, amount)
        if refund is not None:
            refund.provider_refund_id = provider_id
    if refund is None:
        refund = Refund(
            order_id=order.id,
            payment_attempt_id=attempt.id,
            provider_refund_id=provider_id,
            status=status,
            origin=RefundOrigin.PROVIDER,
            amount_cents=amount,
            reason="made at the payment provider",
            created_at=now,
            updated_at=now,
        )
        session.add(refund)
        if status not in COUNTING_REFUND_STATUSES:
            refund.failure_reason = str(refund_object.get("failure_reason") or "")[:200]
        tell_customer_if_succeeded(session, refund, order, now=now)
        outcome = Outcome(EventOutcome.REFUND, f"refund {status}: new")
    else:
        moved = move_refund(
            session,
            refund,
            order,
            status,
            failure_reason=str(refund_object.get("failure_reason") or ""),
            now=now,
        )
        outcome = Outcome(
            EventOutcome.REFUND, f"refund {refund.status}" + ("" if moved else ": no change")
        )
    recount_refunds(session, order, now=now)
    return outcome


def _unnamed_row(
    session: Session, refund_object: Mapping[str, Any], attempt: PaymentAttempt, amount: int
) -> Refund | None:
    metadata = refund_object.get("metadata") or {}
    reference = metadata.get("shop_refund_id") if isinstance(metadata, Mapping) else None
    if isinstance(reference, str) and reference.isascii() and reference.isdigit():
        # The shop's own refund, before its answer came back. The reference alone is not
        # trusted: the row must be for the same payment and amount, and still unnamed.
        row = session.scalars(
            select(Refund).where(
                Refund.id == int(reference[:15]),
                Refund.payment_attempt_id == attempt.id,
                Refund.amount_cents == amount,
                Refund.provider_refund_id.is_(None),
            )
        ).first()
        if row is not None:
            return row
    # A Dashboard refund that `charge.refunded` reported before its own event came.
    return session.scalars(
        select(Refund)
        .where(
            Refund.payment_attempt_id == attempt.id,
            Refund.origin == RefundOrigin.PROVIDER,
            Refund.provider_refund_id.is_(None),
            Refund.amount_cents == amount,
        )
        .order_by(Refund.id)
    ).first()


def charge_refunded(
    session: Session, refunded_cents: int, attempt: PaymentAttempt, order: Order, *, now: datetime
) -> Outcome:
    """`charge.refunded`: the charge's refunded total. Only more than the shop knows of is
    new (a Dashboard refund whose own event has not come yet); it is noted as a refund
    without a provider id, which that event then names. A smaller total is an old event."""
    known = counted_cents(session, attempt.id)
    if refunded_cents > known:
        noted = Refund(
            order_id=order.id,
            payment_attempt_id=attempt.id,
            status=RefundStatus.SUCCEEDED,
            origin=RefundOrigin.PROVIDER,
            amount_cents=refunded_cents - known,
            reason="made at the payment provider",
            created_at=now,
            updated_at=now,
        )
        session.add(noted)
        tell_customer_if_succeeded(session, noted, order, now=now)
        outcome = Outcome(
            EventOutcome.REFUND, f"refunded {refunded_cents}: {refunded_cents - known} new"
        )
    else:
        outcome = Outcome(EventOutcome.REFUND, f"refunded {refunded_cents}: known")
    recount_refunds(session, order, now=now)
    return outcome


# --- asking again -------------------------------------------------------------------------


def reconcile_refunds(session: Session, gateway: Gateway, *, now: datetime) -> int:
    """Ask the provider about refunds still pending (sending again, with the same key, the
    ones whose answer never came); returns how many changed."""
    rows = session.execute(
        select(Refund.id, Refund.provider_refund_id, Refund.status)
        .where(
            Refund.status.in_([RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION]),
            Refund.created_at >= now - timedelta(days=RECONCILE_REFUND_DAYS),
        )
        .order_by(Refund.id)
    ).all()
    session.rollback()
    changed = 0
    for refund_id, provider_id, status in rows:
        try:
            if provider_id is None:
                refund = session.get(Refund, refund_id)
                if refund is None or refund.idempotency_key is None:
                    session.rollback()
                    continue
                try:
                    answered = _send(session, gateway, refund, now=now)
                except RefundRefused:
                    changed += 1
                    continue
            else:
                result = gateway.retrieve_refund(provider_id)
                answered = record_refund_answer(session, refund_id, result, now=now)
        except GatewayError:
            session.rollback()
            continue
        if answered.status != status or (provider_id is None and answered.provider_refund_id):
            changed += 1
    return changed
