"""The back office's orders: the filtered list and its CSV export, one order in full, and
the staff actions on it (mark shipped, cancel, refund, clear the attention flag).

Every action writes its audit entry in the transaction that makes the change: shipping and
clearing here, cancelling through `release_order(actor=...)`, refunding through
`refund_order(actor=...)` (the gateway is called between that function's transactions).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import ColumnElement, Row, exists, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from shop.models import (
    COUNTING_REFUND_STATUSES,
    AuditEntry,
    Order,
    OrderLine,
    OrderStatus,
    OutboxEmail,
    PaymentAttempt,
    PaymentDispute,
    PaymentEvent,
    PromoCode,
    Refund,
    StaffMember,
)
from shop.payments import Gateway
from shop.refusals import Reason, Refused
from shop.rules.promotions import normalise_code
from shop.services.audit import diff, record_change
from shop.services.orders import lock_order, release_order
from shop.services.refunds import counted_cents, extra_payments, refund_order

PER_PAGE = 50
CSV_BATCH_SIZE = 500
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


@dataclass(frozen=True)
class OrderFilters:
    """What the order list is narrowed to; dates are local dates in the shop's time zone,
    both inclusive."""

    status: OrderStatus | None = None
    created_from: date | None = None
    created_to: date | None = None
    code: str = ""
    needs_attention: bool = False
    needs_refund: bool = False
    search: str = ""


def local_day_start(day: date, zone: tzinfo) -> datetime:
    """The UTC instant a local day begins (23 or 25 hours apart around a clock change)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: OrderFilters, zone: tzinfo) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status is not None:
        conditions.append(Order.status == filters.status)
    if filters.created_from is not None:
        conditions.append(Order.created_at >= local_day_start(filters.created_from, zone))
    if filters.created_to is not None:
        next_day = filters.created_to + timedelta(days=1)
        conditions.append(Order.created_at < local_day_start(next_day, zone))
    if filters.code.strip():
        code = normalise_code(filters.code)
        # The code's row first; the order's own copy of the text for a code deleted since.
        conditions.append(
            or_(
                Order.promo_code_id.in_(select(PromoCode.id).where(PromoCode.code == code)),
                func.lower(Order.promo_code_text) == code,
            )
        )
    if filters.needs_attention:
        conditions.append(Order.needs_attention.is_(True))
    if filters.needs_refund:
        conditions.append(Order.needs_refund.is_(True))
    search = filters.search.strip()
    if search:
        pattern = _like_pattern(search)
        conditions.append(
            or_(
                Order.number.ilike(pattern, escape="\\"),
                Order.email.ilike(pattern, escape="\\"),
                Order.customer_name.ilike(pattern, escape="\\"),
            )
        )
    if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
        conditions.append(false())
    return conditions


@dataclass(frozen=True)
class OrderPage:
    orders: Sequence[Order]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def list_orders(
    session: Session,
    filters: OrderFilters,
    *,
    zone: tzinfo,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> OrderPage:
    """One page of the filtered orders, newest first, in two queries whatever the page size."""
    conditions = _conditions(filters, zone)
    total = session.scalar(select(func.count()).select_from(Order).where(*conditions)) or 0
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    orders = session.scalars(
        select(Order)
        .where(*conditions)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return OrderPage(orders=orders, total=total, page=page, per_page=per_page)


# --- the CSV export ----------------------------------------------------------------------

CSV_HEADER = (
    "number",
    "created",
    "status",
    "email",
    "name",
    "country",
    "subtotal",
    "discount",
    "total",
    "refunded",
    "code",
    "paid at",
)

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The cell as text a spreadsheet will not run: a leading quote before a formula start."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _euros(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _local(instant: datetime | None, zone: tzinfo) -> str:
    return "" if instant is None else instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def order_csv(
    session: Session, filters: OrderFilters, *, zone: tzinfo, batch_size: int = CSV_BATCH_SIZE
) -> Iterator[str]:
    """The filtered orders as CSV text, a batch of rows at a time (never all in memory);
    the first chunk is a UTF-8 byte order mark and the header, so Excel reads the accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_HEADER)
    yield buffer.getvalue()
    result = session.execute(
        select(
            Order.number,
            Order.created_at,
            Order.status,
            Order.email,
            Order.customer_name,
            Order.country,
            Order.subtotal_cents,
            Order.discount_cents,
            Order.total_cents,
            Order.refunded_cents,
            Order.promo_code_text,
            Order.paid_at,
        )
        .where(*_conditions(filters, zone))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .execution_options(yield_per=batch_size)
    )
    for batch in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        for row in batch:
            cells = (
                row.number or "",
                _local(row.created_at, zone),
                str(row.status),
                row.email,
                row.customer_name,
                row.country,
                _euros(row.subtotal_cents),
                _euros(row.discount_cents),
                _euros(row.total_cents),
                _euros(row.refunded_cents),
                row.promo_code_text,
                _local(row.paid_at, zone),
            )
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
        yield buffer.getvalue()


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
        .options(selectinload(Order.lines).selectinload(OrderLine.warnings))
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
    """Mark a paid order shipped with its carrier and tracking code, and audit it."""
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


def refund_paid_order(
    session: Session,
    gateway: Gateway,
    order_id: int,
    *,
    amount_cents: int,
    restock: bool,
    reason: str,
    actor: StaffMember,
    now: datetime,
    seen_state: str | None = None,
) -> Refund:
    """Refund (part of) a paid order through the gateway; the audit entry is written with
    the Refund row. Raises `shop.services.refunds.RefundRefused` with the reason."""
    return refund_order(
        session,
        gateway,
        order_id,
        amount_cents=amount_cents,
        restock=restock,
        reason=reason.strip()[:500],
        now=now,
        actor=actor,
        seen_state=seen_state,
    )


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
