"""The numbers behind the promo page: per code, and per local day for the chart.

What counts as a sale here, once for both: an order that was paid and still stands, i.e. in
status paid, shipped or partially refunded. A fully refunded order is left out (the sale was
undone: the customer has their money back and the shop gave no discount on anything kept).
Revenue is what the shop kept: the order's total minus what was refunded of it, so a
partial refund lowers the revenue but the order still counts, with its whole discount.
Orders awaiting payment, expired or cancelled are not sales.

Both reports are a fixed number of queries however many codes or orders there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from shop.models import Order, OrderStatus, PromoCode
from shop.rules.promotions import last_local_date, window_from_local

SALE_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.PARTIALLY_REFUNDED)
CHART_DAYS = 90


@dataclass(frozen=True)
class CodeNumbers:
    """What one code did: its sales, the discount they got, what the shop kept of them."""

    orders: int = 0  # every order placed with the code, whatever became of it
    paid_orders: int = 0
    discount_cents: int = 0
    revenue_cents: int = 0


@dataclass(frozen=True)
class DaySales:
    day: date  # a calendar day in the shop's time zone
    orders: int
    revenue_cents: int


@dataclass(frozen=True)
class CampaignWindow:
    """A public code's window as local days (both inclusive; None: open on that side)."""

    code: str
    first_day: date | None
    last_day: date | None


def _is_sale() -> ColumnElement[bool]:
    return Order.status.in_(SALE_STATUSES)


def numbers_per_code(session: Session) -> dict[int, CodeNumbers]:
    """{promo code id: its numbers} for every code used by at least one order (one query)."""
    sale = _is_sale()
    query = (
        select(
            Order.promo_code_id,
            func.count(),
            func.sum(case((sale, 1), else_=0)),
            func.sum(case((sale, Order.discount_cents), else_=0)),
            func.sum(case((sale, Order.total_cents - Order.refunded_cents), else_=0)),
        )
        .where(Order.promo_code_id.is_not(None))
        .group_by(Order.promo_code_id)
    )
    return {
        code_id: CodeNumbers(
            orders=int(orders),
            paid_orders=int(paid or 0),
            discount_cents=int(discount or 0),
            revenue_cents=int(revenue or 0),
        )
        for code_id, orders, paid, discount, revenue in session.execute(query)
    }


def chart_days(today: date, days: int = CHART_DAYS) -> list[date]:
    """The last `days` local days, oldest first, ending with `today`."""
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def sales_per_day(
    session: Session, *, today: date, tz: ZoneInfo, days: int = CHART_DAYS
) -> list[DaySales]:
    """Sales and revenue per local day (by the moment of payment), a zero for a quiet day.

    The orders of the period are read in one query and counted here: grouping by local day
    in SQL would need each database's own time zone functions (SQLite has none).
    """
    calendar = chart_days(today, days)
    window = window_from_local(calendar[0], calendar[-1], tz)
    assert window.starts_at is not None and window.ends_at is not None
    query = select(Order.paid_at, Order.total_cents - Order.refunded_cents).where(
        _is_sale(),
        Order.paid_at.is_not(None),
        Order.paid_at >= window.starts_at,
        Order.paid_at < window.ends_at,
    )
    counts: dict[date, int] = defaultdict(int)
    revenue: dict[date, int] = defaultdict(int)
    for paid_at, kept_cents in session.execute(query):
        assert paid_at is not None  # the query asked for paid orders only
        day = paid_at.astimezone(tz).date()
        counts[day] += 1
        revenue[day] += kept_cents
    return [DaySales(day, counts[day], revenue[day]) for day in calendar]


def campaign_windows(codes: Iterable[PromoCode], tz: ZoneInfo) -> list[CampaignWindow]:
    """The public codes' windows as local days, for shading the chart."""
    return [
        CampaignWindow(
            code=code.display_code,
            first_day=code.starts_at.astimezone(tz).date() if code.starts_at else None,
            last_day=last_local_date(code.window, tz),
        )
        for code in codes
        if code.is_public
    ]
