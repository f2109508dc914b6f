"""The cart: product ids and quantities kept in the visitor's signed session, priced from
the database every time (a price in a cookie is never trusted).

`Cart` is the plain data the session holds; `view_cart` turns it into lines with the
current prices, the warnings, and the code's discount or the reason it does not apply.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Select,
    String,
    bindparam,
    func,
    literal,
    select,
    text,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from shop.models import (
    AllergenEntry,
    AllergyStatement,
    Disclaimer,
    Product,
    ProductImage,
    PromoCode,
)
from shop.models.catalog import localized
from shop.refusals import Reason, Refused
from shop.rules.promotions import Line, PricedCart, PromoNotApplicable, price_cart
from shop.services.catalog import CardImage
from shop.services.promotions import check_code_for_cart

# A cart line's product: the ORM object while an order is placed, plain values on the pages.
P = TypeVar("P", Product, "CartProduct")

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
class CartLine(Generic[P]):
    """A line of a cart: its product as an ORM object while an order is placed
    (`load_cart_products`), as plain values on the cart and checkout pages (`ViewLine`)."""

    product: P
    quantity: int
    discount_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.quantity

    @property
    def exceeds_stock(self) -> bool:
        return self.quantity > self.product.stock


@dataclass(frozen=True)
class CartDisclaimer:
    """A disclaimer as the cart and checkout show it (and the digest identifies it)."""

    kind: str
    text_en: str
    text_nl: str
    content_hash: str

    def text(self, locale: str) -> str:
        return localized(self, "text", locale)


@dataclass(frozen=True)
class CartAllergen:
    allergen: str
    presence: str


@dataclass(frozen=True)
class CartAllergyStatement:
    """An allergy statement as plain values: what `labels.allergy_summary` words."""

    has_no_known_allergens: bool
    warning_en: str
    warning_nl: str
    content_hash: str
    entries: tuple[CartAllergen, ...] = ()

    def warning(self, locale: str) -> str:
        return localized(self, "warning", locale)


@dataclass(frozen=True)
class CartProduct:
    """What the cart and checkout pages show of a product, read as rows: no ORM objects
    (building `Product`s with their warnings cost more CPU than the page's queries)."""

    id: int
    slug: str
    category_id: int
    name_en: str
    name_nl: str
    price_cents: int
    stock: int
    min_age: int
    needs_verified_age: bool
    requires_id_check_at_delivery: bool
    is_withdrawal_excluded: bool
    withdrawal_reason_en: str
    withdrawal_reason_nl: str
    allergy_statement: CartAllergyStatement | None
    disclaimers: tuple[CartDisclaimer, ...] = ()
    # The first picture only: the lines' thumbnail.
    images: tuple[CardImage, ...] = ()

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def withdrawal_reason(self, locale: str) -> str:
        """Why the product cannot be returned under the right of withdrawal, if it cannot."""
        return localized(self, "withdrawal_reason", locale) if self.is_withdrawal_excluded else ""


ViewLine = CartLine[CartProduct]  # a line of the cart as its pages show it


@dataclass
class CartView:
    lines: list[ViewLine]
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


# The columns of a `CartProduct` up to its allergy statement, in its fields' order, then the
# statement's (NULL when the product has none).
_PRODUCT_COLUMNS = (
    Product.id,
    Product.slug,
    Product.category_id,
    Product.name_en,
    Product.name_nl,
    Product.price_cents,
    Product.stock,
    Product.min_age,
    Product.needs_verified_age,
    Product.requires_id_check_at_delivery,
    Product.is_withdrawal_excluded,
    Product.withdrawal_reason_en,
    Product.withdrawal_reason_nl,
)
_STATEMENT_COLUMNS = (
    AllergyStatement.id,
    AllergyStatement.has_no_known_allergens,
    AllergyStatement.warning_en,
    AllergyStatement.warning_nl,
    AllergyStatement.content_hash,
)
_DISCLAIMER = 0
_ALLERGEN = 1


# The first picture (the lines' thumbnail), by position.
_IMAGE_COLUMNS = (
    ProductImage.id,
    ProductImage.product_id,
    ProductImage.position,
    ProductImage.alt_en,
    ProductImage.alt_nl,
    ProductImage.width,
    ProductImage.height,
)


@functools.cache
def _cart_products_query() -> Select[*tuple[Any, ...]]:
    first_position = (
        select(func.min(ProductImage.position))
        .where(ProductImage.product_id == Product.id)
        .correlate(Product)
        .scalar_subquery()
    )
    return (
        select(*_PRODUCT_COLUMNS, *_STATEMENT_COLUMNS, *_IMAGE_COLUMNS)
        .outerjoin(AllergyStatement, AllergyStatement.product_id == Product.id)
        .outerjoin(
            ProductImage,
            (ProductImage.product_id == Product.id) & (ProductImage.position == first_position),
        )
        .where(
            Product.id.in_(bindparam("product_ids", expanding=True)),
            Product.is_active == true(),
        )
    )


@functools.cache
def _cart_warnings_query() -> CompoundSelect[*tuple[Any, ...]]:
    """Every disclaimer and allergen entry of the products, in one statement: (product id,
    which of the two, position, kind or allergen, text_en or presence, text_nl, hash), each
    product's disclaimers in their order (as `Product.disclaimers` orders them)."""
    ids: BindParameter[Any] = bindparam("product_ids", expanding=True)
    disclaimers = select(
        Disclaimer.product_id,
        literal(_DISCLAIMER).label("source"),
        Disclaimer.position,
        Disclaimer.id,
        type_coerce(Disclaimer.kind, String).label("name"),
        Disclaimer.text_en,
        Disclaimer.text_nl,
        Disclaimer.content_hash,
    ).where(Disclaimer.product_id.in_(ids))
    entries = (
        select(
            AllergyStatement.product_id,
            literal(_ALLERGEN),
            literal(0),
            literal(0),
            AllergenEntry.allergen,
            type_coerce(AllergenEntry.presence, String),
            literal(""),
            literal(""),
        )
        .join(AllergyStatement, AllergyStatement.id == AllergenEntry.statement_id)
        .where(AllergyStatement.product_id.in_(ids))
    )
    return union_all(disclaimers, entries).order_by(
        text("product_id"), text("source"), text("position"), text("id")
    )


def load_cart_view_products(session: Session, product_ids: list[int]) -> dict[int, CartProduct]:
    """The active products of a cart as the cart and checkout pages show them: their warnings
    and their first picture's sizes (not its bytes), in two queries."""
    if not product_ids:
        return {}
    ids = {"product_ids": product_ids}
    rows = session.execute(_cart_products_query(), ids).all()
    if not rows:
        return {}
    disclaimers: dict[int, list[CartDisclaimer]] = {}
    allergens: dict[int, list[CartAllergen]] = {}
    for product_id, source, _position, _id, name, text_en, text_nl, content_hash in session.execute(
        _cart_warnings_query(), ids
    ):
        if source == _DISCLAIMER:
            disclaimers.setdefault(product_id, []).append(
                CartDisclaimer(name, text_en, text_nl, content_hash)
            )
        else:
            allergens.setdefault(product_id, []).append(CartAllergen(name, text_en))
    products: dict[int, CartProduct] = {}
    columns = len(_PRODUCT_COLUMNS)
    image_at = columns + len(_STATEMENT_COLUMNS)
    for row in rows:
        product_id = row[0]
        image = () if row[image_at] is None else (CardImage(*row[image_at:]),)
        statement = None
        if row[columns] is not None:
            statement = CartAllergyStatement(
                has_no_known_allergens=row[columns + 1],
                warning_en=row[columns + 2],
                warning_nl=row[columns + 3],
                content_hash=row[columns + 4],
                entries=tuple(allergens.get(product_id, ())),
            )
        products[product_id] = CartProduct(
            id=product_id,
            slug=row[1],
            category_id=row[2],
            name_en=row[3],
            name_nl=row[4],
            price_cents=row[5],
            stock=row[6],
            min_age=row[7],
            needs_verified_age=row[8],
            requires_id_check_at_delivery=row[9],
            is_withdrawal_excluded=row[10],
            withdrawal_reason_en=row[11],
            withdrawal_reason_nl=row[12],
            allergy_statement=statement,
            disclaimers=tuple(disclaimers.get(product_id, ())),
            images=image,
        )
    return products


def load_cart_products(session: Session, product_ids: list[int]) -> dict[int, Product]:
    """The active products of an order being placed, with their warnings, as ORM objects, in
    a fixed number of queries (the pages read `load_cart_view_products`' plain values)."""
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
    return {product.id: product for product in session.scalars(query)}


def rule_lines(lines: Sequence[CartLine[Product]] | Sequence[ViewLine]) -> list[Line]:
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
    products = load_cart_view_products(session, sorted(cart.quantities))
    lines = [
        ViewLine(product=products[pid], quantity=qty)
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
