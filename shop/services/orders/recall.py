"""Recalls: every order, and the customer's e-mail, that received a lot (batch).

Staff record each line's lot when they mark an order shipped (`fulfilment.mark_shipped`).
When a supplier recalls a lot, `orders_with_lot` lists who received it, for the back
office's recall page and `flask --app shop recall LOT`. A recall list names customers and
their e-mail addresses, so every export of it (a CSV download, a run of the command) is
written to the audit log: who, which lot, how many rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Order, OrderLine, StaffMember
from shop.services.audit import record_change
from shop.services.orders.export import spreadsheet_safe

CSV_HEADER = (
    "lot",
    "order_number",
    "placed_at",
    "shipped_at",
    "customer_name",
    "email",
    "product",
    "product_slug",
    "quantity",
)


@dataclass(frozen=True)
class RecallRow:
    """One order line that received the lot."""

    lot: str
    order_id: int
    order_number: str
    placed_at: datetime
    shipped_at: datetime | None
    customer_name: str
    email: str
    product_name: str
    product_slug: str
    quantity: int


@dataclass(frozen=True)
class LotRecall:
    """What a recall export is about, for the audit log (object type "LotRecall", id the lot)."""

    id: str


def orders_with_lot(session: Session, lot: str) -> list[RecallRow]:
    """Every order line shipped from `lot` (normalised: `shop.rules.lots.normalise_lot`),
    oldest order first."""
    rows = session.execute(
        select(Order, OrderLine)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.lot_number == lot)
        .order_by(Order.created_at, Order.id, OrderLine.position)
    ).all()
    return [
        RecallRow(
            lot=lot,
            order_id=order.id,
            order_number=order.number or "",
            placed_at=order.created_at,
            shipped_at=order.shipped_at,
            customer_name=order.customer_name,
            email=order.email,
            product_name=line.product_name,
            product_slug=line.product_slug,
            quantity=line.quantity,
        )
        for order, line in rows
    ]


def _local(instant: datetime | None, zone: tzinfo) -> str:
    return "" if instant is None else instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def recall_csv(rows: list[RecallRow], *, zone: tzinfo) -> str:
    """The recall list as CSV, times local to the shop; cells a spreadsheet would run as
    formulas (a customer named "=HYPERLINK(…)") are made plain text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        cells = [
            row.lot,
            row.order_number,
            _local(row.placed_at, zone),
            _local(row.shipped_at, zone),
            row.customer_name,
            row.email,
            row.product_name,
            row.product_slug,
            str(row.quantity),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return buffer.getvalue()


def record_recall_export(
    session: Session,
    actor: StaffMember | None,
    lot: str,
    *,
    rows: int,
    how: str,
    now: datetime,
) -> None:
    """Audit an export of the recall list (`how`: "csv" from the back office, "cli" from
    the command line, without a staff member), and commit it."""
    record_change(
        session,
        actor,
        "export_recall",
        LotRecall(lot),
        {"lot": (None, lot), "rows": (None, rows), "how": (None, how)},
        now=now,
        summary=f"recall list of lot {lot}: {rows} row(s) exported ({how})",
    )
    session.commit()
