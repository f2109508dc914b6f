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

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from shop.db import rows_changed, table_of
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


_PRODUCTS = table_of(Product)
# Built once, run with the product and units as parameters (a checkout runs one per line).
_TAKE_STOCK = (
    update(_PRODUCTS)
    .where(_PRODUCTS.c.id == bindparam("product"), _PRODUCTS.c.stock >= bindparam("units"))
    .values(stock=_PRODUCTS.c.stock - bindparam("units"))
)
_TAKE_ON_SALE_STOCK = _TAKE_STOCK.where(_PRODUCTS.c.is_active.is_(True))


def reserve_stock(
    session: Session, quantities: Quantities, *, on_sale_only: bool = True
) -> int | None:
    """Take the units from stock, all or (with the caller rolling back) none; returns the id
    of the first product without enough stock, or None when every unit was taken.
    `on_sale_only`: a product taken off sale is not sold (checkout); a payment that already
    happened may take stock of any product."""
    take = _TAKE_ON_SALE_STOCK if on_sale_only else _TAKE_STOCK
    for product_id, quantity in sorted(quantities):
        if rows_changed(session, take, {"product": product_id, "units": quantity}) != 1:
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


_CODES = table_of(PromoCode)
_TAKE_CODE_USE = (
    update(_CODES)
    .where(
        _CODES.c.id == bindparam("code_id"),
        or_(_CODES.c.usage_limit.is_(None), _CODES.c.times_used < _CODES.c.usage_limit),
    )
    .values(times_used=_CODES.c.times_used + 1)
)
_TAKE_ACTIVE_CODE_USE = _TAKE_CODE_USE.where(_CODES.c.is_active.is_(True))


def take_code_use(session: Session, promo_code_id: int, *, active_only: bool = True) -> bool:
    """Count one more use of the code if its total limit allows; False when it is used up
    (or, with `active_only`, switched off)."""
    take = _TAKE_ACTIVE_CODE_USE if active_only else _TAKE_CODE_USE
    return rows_changed(session, take, {"code_id": promo_code_id}) == 1


def give_back_code_use(session: Session, promo_code_id: int) -> None:
    """Count one use of the code less (never below zero)."""
    session.execute(
        update(PromoCode)
        .where(PromoCode.id == promo_code_id, PromoCode.times_used > 0)
        .values(times_used=PromoCode.times_used - 1)
        .execution_options(synchronize_session=False)
    )
