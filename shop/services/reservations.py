"""What an unpaid order holds: units of stock and one use of its promo code. The one place
that takes them and gives them back, for checkout, expiry, cancellation, late payments and
refunds that restock.

Every change is a conditional UPDATE in the caller's transaction (`stock >= quantity`,
`times_used < usage_limit`), never a read-modify-write: two app servers selling the last
unit at the same moment cannot both succeed. Products are touched in id order, so two
transactions over the same products take their row locks in the same order (no deadlock).
Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from shop.db import rows_changed
from shop.models import OrderLine, Product, PromoCode

Quantities = Iterable[tuple[int, int]]  # (product id, units)


def order_quantities(session: Session, order_id: int) -> list[tuple[int, int]]:
    """(product id, units) of an order's lines whose product still exists, in id order."""
    rows = session.execute(
        select(OrderLine.product_id, OrderLine.quantity)
        .where(OrderLine.order_id == order_id, OrderLine.product_id.is_not(None))
        .order_by(OrderLine.product_id)
    ).all()
    return [(product_id, quantity) for product_id, quantity in rows if product_id is not None]


def reserve_stock(
    session: Session, quantities: Quantities, *, on_sale_only: bool = True
) -> int | None:
    """Take the units from stock, all or (with the caller rolling back) none; returns the id
    of the first product without enough stock, or None when every unit was taken.
    `on_sale_only`: a product taken off sale is not sold (checkout); a payment that already
    happened may take stock of any product."""
    for product_id, quantity in sorted(quantities):
        conditions = [Product.id == product_id, Product.stock >= quantity]
        if on_sale_only:
            conditions.append(Product.is_active.is_(True))
        taken = rows_changed(
            session,
            update(Product)
            .where(*conditions)
            .values(stock=Product.stock - quantity)
            .execution_options(synchronize_session=False),
        )
        if taken != 1:
            return product_id
    return None


def release_stock(session: Session, quantities: Quantities) -> None:
    """Put the units back in stock."""
    for product_id, quantity in sorted(quantities):
        session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(stock=Product.stock + quantity)
            .execution_options(synchronize_session=False)
        )


def take_code_use(session: Session, promo_code_id: int, *, active_only: bool = True) -> bool:
    """Count one more use of the code if its total limit allows; False when it is used up
    (or, with `active_only`, switched off)."""
    conditions = [
        PromoCode.id == promo_code_id,
        or_(PromoCode.usage_limit.is_(None), PromoCode.times_used < PromoCode.usage_limit),
    ]
    if active_only:
        conditions.append(PromoCode.is_active.is_(True))
    taken = rows_changed(
        session,
        update(PromoCode)
        .where(*conditions)
        .values(times_used=PromoCode.times_used + 1)
        .execution_options(synchronize_session=False),
    )
    return taken == 1


def give_back_code_use(session: Session, promo_code_id: int) -> None:
    """Count one use of the code less (never below zero)."""
    session.execute(
        update(PromoCode)
        .where(PromoCode.id == promo_code_id, PromoCode.times_used > 0)
        .values(times_used=PromoCode.times_used - 1)
        .execution_options(synchronize_session=False)
    )
