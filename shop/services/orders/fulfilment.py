"""What staff do to an order after it was placed: mark it shipped (with the lot of every
line), cancel it while it is unpaid, clear its "needs attention" flag. Each action writes
its audit entry in the transaction that makes the change (cancelling through
`release_order(actor=...)`). Refunds are `shop.services.orders.refunds`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from shop.models import (
    Order,
    OrderStatus,
    OrderStep,
    StaffMember,
)
from shop.refusals import Reason, Refused
from shop.rules.lots import InvalidLot, normalise_lot
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
    LOTS_INVALID = "lots_invalid"  # problems: {line id: LotProblem}
    NEEDS_AGE_CHECK_METHOD = "needs_age_check_method"


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


def shipping_includes_age_check(order: Order) -> bool | None:
    """Whether the order's shipping method includes the carrier's age check at the door;
    None for an order placed before shipping methods were recorded (migration 0019), whose
    method the shop does not know (staff are warned, shipping is not refused)."""
    if not order.shipping_method_name:
        return None
    return bool(order.shipping_includes_age_check)


def _lots_of(order: Order, typed: Mapping[int, str]) -> dict[int, str]:
    """Every line's lot, normalised; refuses naming each line whose lot is missing or bad."""
    lots: dict[int, str] = {}
    problems: dict[int, Reason] = {}
    for line in order.lines:
        try:
            lots[line.id] = normalise_lot(typed.get(line.id, ""))
        except InvalidLot as invalid:
            problems[line.id] = invalid.reason
    if problems:
        raise OrderActionRefused(OrderRefusal.LOTS_INVALID, problems=problems)
    return lots


def mark_shipped(
    session: Session,
    order_id: int,
    *,
    carrier: str,
    tracking_code: str,
    lots: Mapping[int, str],
    actor: StaffMember,
    now: datetime,
) -> Order:
    """Mark a paid order shipped with its carrier, tracking code and the lot of each line
    (`lots`: line id → lot as typed), note the step, queue the customer's e-mail and audit
    it, all in one transaction. A second click finds the order shipped and is refused, so
    the customer hears of it once. An order whose lines need an ID check at delivery is
    refused when its shipping method is known to lack the carrier's age check."""
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
    if order.needs_id_check and shipping_includes_age_check(order) is False:
        raise _refuse(session, OrderRefusal.NEEDS_AGE_CHECK_METHOD)
    try:
        line_lots = _lots_of(order, lots)
    except OrderActionRefused:
        session.rollback()
        raise
    fields = ("status", "shipped_at", "carrier", "tracking_code")
    before = {field: getattr(order, field) for field in fields}
    order.status = OrderStatus.SHIPPED
    order.shipped_at = now
    order.carrier = carrier
    order.tracking_code = tracking_code
    for line in order.lines:
        line.lot_number = line_lots[line.id]
    after = {field: getattr(order, field) for field in fields}
    changes = diff(before, after)
    changes["lots"] = (
        None,
        [f"{line.product_slug} ×{line.quantity}: {line.lot_number}" for line in order.lines],
    )
    record_change(
        session,
        actor,
        "ship",
        order,
        changes,
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
