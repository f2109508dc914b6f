"""What staff do to an order after it was placed: mark it shipped, cancel it while it is
unpaid, clear its "needs attention" flag. Each action writes its audit entry in the
transaction that makes the change (cancelling through `release_order(actor=...)`).
Refunds are `shop.services.orders.refunds`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from shop.models import (
    Order,
    OrderStatus,
    OrderStep,
    StaffMember,
)
from shop.refusals import Reason, Refused
from shop.services.audit import diff, record_change
from shop.services.emails import ORDER_SHIPPED, queue_email
from shop.services.orders.history import record_step
from shop.services.orders.holds import lock_order, release_order

MAX_NOTE_LENGTH = 1000


class OrderRefusal(Reason):
    NO_SUCH_ORDER = "no_such_order"
    CARRIER_MISSING = "carrier_missing"
    CARRIER_TOO_LONG = "carrier_too_long"
    NOT_PAID = "not_paid"
    WAITS_FOR_REFUND = "waits_for_refund"
    NOT_PAYABLE = "not_payable"
    NOTE_MISSING = "note_missing"
    NOTE_TOO_LONG = "note_too_long"  # most
    NO_ATTENTION_NEEDED = "no_attention_needed"


class OrderActionRefused(Refused):
    """A staff action that cannot be done to this order (`reason`: an `OrderRefusal`)."""


# --- the list --------------------------------------------------------------------------


# --- actions -----------------------------------------------------------------------------


def _locked_order(session: Session, order_id: int) -> Order:
    order = lock_order(session, order_id)
    if order is None:
        raise OrderActionRefused(OrderRefusal.NO_SUCH_ORDER)
    return order


def _refuse(session: Session, reason: OrderRefusal) -> OrderActionRefused:
    session.rollback()
    return OrderActionRefused(reason)


def can_ship(order: Order) -> bool:
    """Paid and holding its goods (not one paid after its stock was gone)."""
    return order.status == OrderStatus.PAID and not order.needs_refund


def mark_shipped(
    session: Session,
    order_id: int,
    *,
    carrier: str,
    tracking_code: str,
    actor: StaffMember,
    now: datetime,
) -> Order:
    """Mark a paid order shipped with its carrier and tracking code, note the step, queue
    the customer's e-mail and audit it, all in one transaction. A second click finds the
    order shipped and is refused, so the customer hears of it once."""
    carrier, tracking_code = carrier.strip(), tracking_code.strip()
    if not carrier:
        raise OrderActionRefused(OrderRefusal.CARRIER_MISSING)
    if len(carrier) > 100 or len(tracking_code) > 200:
        raise OrderActionRefused(OrderRefusal.CARRIER_TOO_LONG)
    order = _locked_order(session, order_id)
    if order.status != OrderStatus.PAID:
        raise _refuse(session, OrderRefusal.NOT_PAID)
    if not can_ship(order):
        raise _refuse(session, OrderRefusal.WAITS_FOR_REFUND)
    fields = ("status", "shipped_at", "carrier", "tracking_code")
    before = {field: getattr(order, field) for field in fields}
    order.status = OrderStatus.SHIPPED
    order.shipped_at = now
    order.carrier = carrier
    order.tracking_code = tracking_code
    after = {field: getattr(order, field) for field in fields}
    record_change(
        session,
        actor,
        "ship",
        order,
        diff(before, after),
        now=now,
        summary=f"order {order.number} shipped with {carrier}",
    )
    record_step(session, order.id, OrderStep.SHIPPED, now=now)
    queue_email(session, order, ORDER_SHIPPED, now=now)
    session.commit()
    return order


def cancel_order(session: Session, order_id: int, *, actor: StaffMember, now: datetime) -> None:
    """Cancel an unpaid order: its stock and code use go back once, with an audit entry."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderActionRefused(OrderRefusal.NO_SUCH_ORDER)
    if not order.is_payable:
        raise OrderActionRefused(OrderRefusal.NOT_PAYABLE)
    cancelled = release_order(
        session,
        order_id,
        now=now,
        to_status=OrderStatus.CANCELLED,
        only_if_due=False,
        actor=actor,
    )
    if not cancelled:  # paid, expired or cancelled since the page was shown
        raise OrderActionRefused(OrderRefusal.NOT_PAYABLE)


def clear_attention(
    session: Session, order_id: int, *, note: str, actor: StaffMember, now: datetime
) -> Order:
    """Clear the "needs attention" flag with a note saying what was done (kept in the audit)."""
    note = note.strip()
    if not note:
        raise OrderActionRefused(OrderRefusal.NOTE_MISSING)
    if len(note) > MAX_NOTE_LENGTH:
        raise OrderActionRefused(OrderRefusal.NOTE_TOO_LONG, most=MAX_NOTE_LENGTH)
    order = _locked_order(session, order_id)
    if not order.needs_attention:
        raise _refuse(session, OrderRefusal.NO_ATTENTION_NEEDED)
    # The reason stays on the order (a "needs refund" flag may still rest on it).
    order.needs_attention = False
    changes: dict[str, tuple[object, object]] = {
        "needs_attention": (True, False),
        "note": (None, note),
    }
    record_change(
        session,
        actor,
        "clear_attention",
        order,
        changes,
        now=now,
        summary=f"order {order.number}: {note}",
    )
    session.commit()
    return order
