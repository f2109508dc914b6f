"""The cart: product ids and quantities kept in the visitor's signed session, priced from
the database every time (a price in a cookie is never trusted).

`Cart` is the plain data the session holds; `view_cart` turns it into lines with the
current prices, the warnings, and the code's discount or the reason it does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from shop.models import AllergyStatement, Product, PromoCode
from shop.refusals import Reason, Refused
from shop.rules.promotions import Line, PricedCart, PromoNotApplicable, price_cart
from shop.services.catalog import IMAGE_FACTS
from shop.services.promotions import check_code_for_cart

MAX_LINES = 50
MAX_DIGITS = 6


class CartRefusal(Reason):
    """Why the cart cannot change as asked."""

    NOT_A_NUMBER = "not_a_number"
    UNAVAILABLE = "unavailable"
    SOLD_OUT = "sold_out"  # product_name
    OVER_LINE_MAXIMUM = "over_line_maximum"  # product_name, available: the maximum
    NOT_ENOUGH_STOCK = "not_enough_stock"  # product_name, available: the stock
    TOO_MANY_LINES = "too_many_lines"


class CartRefused(Refused):
    """A cart change the shop refuses; the view words `reason` with its data."""

    reason: CartRefusal


@dataclass
class Cart:
    quantities: dict[int, int] = field(default_factory=dict)
    code: str = ""

    def to_session(self) -> dict[str, Any]:
        return {"q": {str(k): v for k, v in self.quantities.items()}, "code": self.code}

    @classmethod
    def from_session(cls, data: object) -> Cart:
        """Whatever the cookie holds; anything malformed is dropped, never an error."""
        if not isinstance(data, dict):
            return cls()
        quantities: dict[int, int] = {}
        raw = data.get("q")
        if isinstance(raw, dict):
            for key, value in list(raw.items())[:MAX_LINES]:
                if isinstance(key, str) and key.isdigit() and isinstance(value, int) and value > 0:
                    quantities[int(key)] = value
        code = data.get("code")
        return cls(quantities=quantities, code=code if isinstance(code, str) else "")

    @property
    def item_count(self) -> int:
        return sum(self.quantities.values())


def parse_whole_number(raw: object) -> int:
    """A form value as a whole number of at most six ASCII digits, else CartRefused."""
    if not isinstance(raw, str):
        raise CartRefused(CartRefusal.NOT_A_NUMBER)
    text = raw.strip()
    if not text or len(text) > MAX_DIGITS or not text.isascii() or not text.isdigit():
        raise CartRefused(CartRefusal.NOT_A_NUMBER)
    return int(text)


def _product_for_cart(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None or not product.is_active:
        raise CartRefused(CartRefusal.UNAVAILABLE)
    return product


def add_item(
    session: Session, cart: Cart, product_id_raw: object, quantity_raw: object, *, max_per_line: int
) -> Cart:
    """The cart with `quantity` more of the product, within stock and the per-line maximum."""
    product_id = parse_whole_number(product_id_raw)
    quantity = parse_whole_number(quantity_raw) if quantity_raw not in (None, "") else 1
    if quantity < 1:
        raise CartRefused(CartRefusal.NOT_A_NUMBER)
    product = _product_for_cart(session, product_id)
    if product.stock <= 0:
        raise CartRefused(CartRefusal.SOLD_OUT, product_name=product.name_en)
    wanted = cart.quantities.get(product_id, 0) + quantity
    return _with_quantity(cart, product, wanted, max_per_line)


def set_quantity(
    session: Session, cart: Cart, product_id_raw: object, quantity_raw: object, *, max_per_line: int
) -> Cart:
    """The cart with the line set to `quantity`; 0 removes it."""
    product_id = parse_whole_number(product_id_raw)
    quantity = parse_whole_number(quantity_raw)
    if quantity == 0:
        remaining = {k: v for k, v in cart.quantities.items() if k != product_id}
        return Cart(quantities=remaining, code=cart.code)
    product = _product_for_cart(session, product_id)
    return _with_quantity(cart, product, quantity, max_per_line)


def _with_quantity(cart: Cart, product: Product, wanted: int, max_per_line: int) -> Cart:
    if wanted > max_per_line:
        raise CartRefused(
            CartRefusal.OVER_LINE_MAXIMUM, product_name=product.name_en, available=max_per_line
        )
    if wanted > product.stock:
        raise CartRefused(
            CartRefusal.NOT_ENOUGH_STOCK, product_name=product.name_en, available=product.stock
        )
    if product.id not in cart.quantities and len(cart.quantities) >= MAX_LINES:
        raise CartRefused(CartRefusal.TOO_MANY_LINES)
    quantities = dict(cart.quantities)
    quantities[product.id] = wanted
    return Cart(quantities=quantities, code=cart.code)


@dataclass
class CartLine:
    product: Product
    quantity: int
    discount_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.quantity

    @property
    def exceeds_stock(self) -> bool:
        return self.quantity > self.product.stock


@dataclass
class CartView:
    lines: list[CartLine]
    priced: PricedCart
    code: PromoCode | None = None
    code_error: PromoNotApplicable | None = None
    dropped: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def highest_min_age(self) -> int:
        return max((line.product.min_age for line in self.lines), default=0)

    @property
    def needs_age_check_at_delivery(self) -> bool:
        """Does a product in it ship only with the carrier's age check at the door?"""
        return any(line.product.requires_id_check_at_delivery for line in self.lines)


def load_cart_products(
    session: Session, product_ids: list[int], *, with_pictures: bool = False
) -> dict[int, Product]:
    """The active products of a cart with their warnings (and, if asked, their pictures'
    sizes, not their bytes), in a fixed number of queries."""
    if not product_ids:
        return {}
    query = (
        select(Product)
        .where(Product.id.in_(product_ids), Product.is_active.is_(True))
        .options(
            # A cart and a checkout never show the long descriptions (loaded if asked for).
            defer(Product.description_md_en),
            defer(Product.description_md_nl),
            selectinload(Product.disclaimers),
            # One statement per product: joined in, its allergen entries selected apart.
            joinedload(Product.allergy_statement).selectinload(AllergyStatement.entries),
        )
    )
    if with_pictures:
        query = query.options(selectinload(Product.images).load_only(*IMAGE_FACTS))
    return {product.id: product for product in session.scalars(query)}


def rule_lines(lines: list[CartLine]) -> list[Line]:
    return [
        Line(
            product_id=line.product.id,
            category_id=line.product.category_id,
            unit_price_cents=line.product.price_cents,
            quantity=line.quantity,
        )
        for line in lines
    ]


def view_cart(session: Session, cart: Cart, *, now: datetime, email: str | None = None) -> CartView:
    """The cart priced now: lines of products still on sale, the code's discount or why not."""
    products = load_cart_products(session, sorted(cart.quantities), with_pictures=True)
    lines = [
        CartLine(product=products[pid], quantity=qty)
        for pid, qty in sorted(cart.quantities.items())
        if pid in products
    ]
    dropped = len(cart.quantities) - len(lines)
    code: PromoCode | None = None
    code_error: PromoNotApplicable | None = None
    if cart.code and lines:
        try:
            code = check_code_for_cart(session, cart.code, rule_lines(lines), now=now, email=email)
        except PromoNotApplicable as error:  # an unknown code (UnknownCode) included
            code_error = error
    priced = price_cart(rule_lines(lines), code.terms() if code else None)
    for line, discount in zip(lines, priced.line_discounts_cents, strict=True):
        line.discount_cents = discount
    return CartView(lines=lines, priced=priced, code=code, code_error=code_error, dropped=dropped)
