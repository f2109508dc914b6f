"""The back office's list of orders, filtered and paginated, and its CSV export (streamed a
batch at a time, every cell safe to open in a spreadsheet)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from shop.models import (
    Order,
    OrderStatus,
    PromoCode,
)
from shop.rules.promotions import normalise_code

PER_PAGE = 50
CSV_BATCH_SIZE = 500


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
