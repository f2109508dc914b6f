"""An order's history for its customer: the steps it took (written by each transition, in
its own transaction, through `record_step`), its refunds, and how it was paid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shop.db import table_of
from shop.models import Order, OrderStatusEvent, OrderStep, Refund

_INSERT_STEP = insert(table_of(OrderStatusEvent))


def record_step(session: Session, order_id: int, step: OrderStep, *, now: datetime) -> None:
    """Note a step of the order's life (in the caller's transaction; it commits)."""
    # Written at once, without RETURNING: nothing reads the row back in the transaction.
    session.execute(_INSERT_STEP, {"order_id": order_id, "step": step, "happened_at": now})


@dataclass(frozen=True)
class CustomerHistory:
    steps: Sequence[OrderStatusEvent]
    refunds: Sequence[Refund]


def customer_history(session: Session, order: Order) -> CustomerHistory:
    """What the order page shows below the status: its steps, oldest first, and its refunds
    (two queries whatever the order's age)."""
    return CustomerHistory(
        steps=session.scalars(
            select(OrderStatusEvent)
            .where(OrderStatusEvent.order_id == order.id)
            .order_by(OrderStatusEvent.happened_at, OrderStatusEvent.id)
        ).all(),
        refunds=session.scalars(
            select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)
        ).all(),
    )
