"""Placing an order: one transaction that prices the cart again, checks age and code at this
instant, reserves stock and the code's use with conditional UPDATEs, and snapshots every
line with the warnings the customer acknowledged and the VAT it holds (per line and per
rate, shop.rules.vat), and the shipping line: the method chosen for the destination's zone
at its price, free from the threshold (shop.rules.shipping), its VAT split over the goods'
rates and counted in the summary per rate. The order's total is the goods after the
discount plus shipping, and that is what the payment asks for.

Nothing relies on SELECT … FOR UPDATE (SQLite ignores it): a reservation is an UPDATE whose
WHERE clause carries the condition (`stock >= qty`, `times_used < usage_limit`), and its
row count says whether it held. On PostgreSQL the updated rows stay locked until commit, so
concurrent checkouts queue on them; on SQLite the write transaction is IMMEDIATE.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from shop.db import begin_write, table_of
from shop.labels import allergy_summary
from shop.models import (
    AcknowledgedWarning,
    AgeCheckMethod,
    AgeCheckOutcome,
    Order,
    OrderLine,
    OrderStatus,
    OrderStep,
    OrderVatLine,
    Product,
    PromoCode,
    PromoRedemption,
    WarningKind,
)
from shop.refusals import Reason, Refused
from shop.rules.age import is_old_enough
from shop.rules.promotions import (
    Kind,
    PromoNotApplicable,
    Refusal,
    customer_identity,
    normalise_email,
    price_cart,
)
from shop.rules.vat import vat_breakdown
from shop.services.cart import CartLine, CartProduct, load_cart_products, rule_lines
from shop.services.orders.history import record_step
from shop.services.promotions import check_code_for_cart
from shop.services.reservations import reserve_stock, take_code_use
from shop.services.shipping import choose_shipping


class CheckoutRefusal(Reason):
    """Why an order cannot be placed (a code's own refusals are `PromoNotApplicable`)."""

    EMPTY_CART = "empty_cart"
    UNAVAILABLE = "unavailable"
    SOLD_OUT = "sold_out"  # product_name, available
    # age: the age required; products: the names of those that require it, in the order's
    # language, when they (not the shop's own minimum) set it
    TOO_YOUNG = "too_young"
    # age: the age to verify; products: those that need a verified age (empty when the shop
    # asks it of every order). Passed only by the OpenID provider, in this browser session.
    AGE_NOT_VERIFIED = "age_not_verified"
    NOT_ACKNOWLEDGED = "not_acknowledged"
    WARNINGS_CHANGED = "warnings_changed"


class CheckoutRefused(Refused):
    """The order cannot be placed; `reason` and the data say why, for the customer."""

    reason: CheckoutRefusal

    @property
    def product_name(self) -> str:
        return str(self.params.get("product_name", ""))

    @property
    def available(self) -> int:
        return int(self.params.get("available", 0))

    @property
    def required_age(self) -> int:
        return int(self.params.get("age", 0))


@dataclass(frozen=True)
class Customer:
    email: str
    name: str
    street: str
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class CheckoutRequest:
    items: Mapping[int, int]
    customer: Customer
    # None when the provider verified the age (`verified_age`): no date of birth is asked.
    birth_date: date | None
    acknowledged: bool
    code: str = ""
    warnings_digest: str | None = None
    locale: str = "en"
    # None: the cheapest method that ships to the country (a form sent without a choice).
    shipping_method_id: int | None = None
    # The age the OpenID provider verified in this browser session (0: none).
    verified_age: int = 0


@dataclass(frozen=True)
class ShopPolicy:
    min_age: int
    age_policy_version: int
    hold_minutes: int
    currency: str
    # Shipping is free from goods worth this much after the discount; None: never by value.
    free_shipping_from_cents: int | None = None
    # Every order needs the age verified by the OpenID provider (SHOP_AGE_VERIFIER_AT).
    provider_verifies_every_order: bool = False


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def warnings_digest(products: Iterable[Product | CartProduct]) -> str:
    """Identifies the exact set of warning versions shown for these products (as the order
    loads them, or as the checkout page showed them)."""
    parts: list[str] = []
    for product in sorted(products, key=lambda p: p.id):
        parts.extend(f"{product.id}:{d.kind}:{d.content_hash}" for d in product.disclaimers)
        statement = product.allergy_statement
        parts.append(f"{product.id}:allergy:{statement.content_hash if statement else '-'}")
    return _sha256("\n".join(parts))


def _snapshot_warnings(product: Product, locale: str) -> list[dict[str, object]]:
    """The rows of `acknowledged_warnings` for one line (without the line's id): each
    disclaimer and the allergy statement, in the words the customer read."""
    texts = [
        (WarningKind(str(disclaimer.kind)), disclaimer.content_hash, disclaimer.text(locale))
        for disclaimer in product.disclaimers
    ]
    statement = product.allergy_statement
    if statement is not None:
        texts.append(
            (WarningKind.ALLERGY, statement.content_hash, allergy_summary(statement, locale))
        )
    return [
        {
            "position": position,
            "kind": kind,
            "content_hash": content_hash,
            "text": text,
            "text_hash": _sha256(text),
        }
        for position, (kind, content_hash, text) in enumerate(texts)
    ]


def _reserve_stock(session: Session, lines: list[CartLine[Product]]) -> None:
    short = reserve_stock(session, [(line.product.id, line.quantity) for line in lines])
    if short is not None:
        product = next(line.product for line in lines if line.product.id == short)
        available = session.scalar(select(Product.stock).where(Product.id == short))
        raise CheckoutRefused(
            CheckoutRefusal.SOLD_OUT, product_name=product.name_en, available=available or 0
        )


def _take_code_use(session: Session, code: PromoCode) -> None:
    if not take_code_use(session, code.id):
        raise PromoNotApplicable(Refusal.USED_UP)


def _customer_slot(session: Session, code: PromoCode, identity: str) -> int | None:
    """The per-customer use this order takes (1…limit), or None when there is no limit.

    Counted after the code's row was updated, so on PostgreSQL this runs while holding that
    row's lock; the unique (code, e-mail, slot) constraint is the backstop either way.
    """
    if code.per_customer_limit is None:
        return None
    taken = set(
        session.scalars(
            select(PromoRedemption.customer_slot).where(
                PromoRedemption.promo_code_id == code.id,
                PromoRedemption.customer_email == identity,
            )
        )
    )
    free = [slot for slot in range(1, code.per_customer_limit + 1) if slot not in taken]
    if not free:
        raise PromoNotApplicable(Refusal.ALREADY_USED)
    return free[0]


_ORDERS = table_of(Order)
_NUMBER_ORDER = (
    update(_ORDERS).where(_ORDERS.c.id == bindparam("order")).values(number=bindparam("new_number"))
)


def place_order(
    session: Session, request: CheckoutRequest, policy: ShopPolicy, *, today: date, now: datetime
) -> Order:
    """Place the order in one transaction, or raise CheckoutRefused / PromoNotApplicable."""
    if not request.items:
        raise CheckoutRefused(CheckoutRefusal.EMPTY_CART)
    if not request.acknowledged:
        raise CheckoutRefused(CheckoutRefusal.NOT_ACKNOWLEDGED)
    begin_write(session)
    try:
        order = _place(session, request, policy, today=today, now=now)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        # The per-customer slot is the one unique row a concurrent checkout can take first.
        if "promo_redemptions" in str(error.orig):
            raise PromoNotApplicable(Refusal.ALREADY_USED) from None
        raise
    except Exception:
        session.rollback()
        raise
    return order


def needs_verified_age(products: Iterable[Product | CartProduct], policy: ShopPolicy) -> bool:
    """Whether an order of `products` needs the age verified by the OpenID provider."""
    return policy.provider_verifies_every_order or any(p.needs_verified_age for p in products)


def _check_verified_age(
    request: CheckoutRequest, policy: ShopPolicy, lines: list[CartLine[Product]], required_age: int
) -> bool:
    """True when the provider verified the age the order needs; refused when the order
    needs that and it did not; False when a date of birth decides."""
    if request.verified_age >= required_age:
        return True
    if not needs_verified_age((line.product for line in lines), policy):
        return False
    demanding = [
        line.product.name(request.locale) for line in lines if line.product.needs_verified_age
    ]
    raise CheckoutRefused(
        CheckoutRefusal.AGE_NOT_VERIFIED, age=required_age, products=tuple(demanding)
    )


def _place(
    session: Session, request: CheckoutRequest, policy: ShopPolicy, *, today: date, now: datetime
) -> Order:
    products = load_cart_products(session, sorted(request.items))
    lines: list[CartLine[Product]] = []
    for product_id, quantity in sorted(request.items.items()):
        if product_id not in products or quantity < 1:
            raise CheckoutRefused(CheckoutRefusal.UNAVAILABLE)
        lines.append(CartLine(product=products[product_id], quantity=quantity))

    required_age = max([policy.min_age, *(line.product.min_age for line in lines)])
    verified_by_provider = _check_verified_age(request, policy, lines, required_age)
    if not verified_by_provider and (
        request.birth_date is None or not is_old_enough(request.birth_date, today, required_age)
    ):
        demanding = [
            line.product.name(request.locale)
            for line in lines
            if required_age > policy.min_age and line.product.min_age >= required_age
        ]
        raise CheckoutRefused(
            CheckoutRefusal.TOO_YOUNG, age=required_age, products=tuple(demanding)
        )
    if request.warnings_digest is not None and request.warnings_digest != warnings_digest(
        products.values()
    ):
        raise CheckoutRefused(CheckoutRefusal.WARNINGS_CHANGED)

    email = normalise_email(request.customer.email)
    identity = customer_identity(email)  # what the once-per-customer limit counts
    code = None
    if request.code:
        code = check_code_for_cart(session, request.code, rule_lines(lines), now=now, email=email)
    priced = price_cart(rule_lines(lines), code.terms() if code else None)
    shipping = choose_shipping(
        session,
        request.customer.country,
        request.shipping_method_id,
        goods_cents=priced.total_cents,
        free_from_cents=policy.free_shipping_from_cents,
        needs_age_check=any(line.product.requires_id_check_at_delivery for line in lines),
    )
    # A free-shipping code makes the shipping line 0; it never touches the goods' prices.
    shipping_cents = (
        0 if code is not None and code.kind == Kind.FREE_SHIPPING else shipping.cost_cents
    )
    # Each line is taxed on its total after its share of the discount; shipping follows the
    # goods' rates (shop.rules.vat).
    vat = vat_breakdown(
        [
            (line.product.vat_rate.percent, line.total_cents - discount)
            for line, discount in zip(lines, priced.line_discounts_cents, strict=True)
        ],
        shipping_gross_cents=shipping_cents,
    )

    _reserve_stock(session, lines)
    slot = None
    if code is not None:
        _take_code_use(session, code)
        slot = _customer_slot(session, code, identity)

    order = Order(
        token=secrets.token_urlsafe(24),
        status=OrderStatus.PENDING_PAYMENT,
        locale=request.locale,
        email=email,
        customer_name=request.customer.name,
        street=request.customer.street,
        postcode=request.customer.postcode,
        city=request.customer.city,
        country=request.customer.country,
        currency=policy.currency,
        subtotal_cents=priced.subtotal_cents,
        discount_cents=priced.discount_cents,
        shipping_method_name=shipping.method.name(request.locale),
        shipping_carrier=shipping.method.carrier,
        shipping_includes_age_check=shipping.method.includes_age_check,
        shipping_cents=shipping_cents,
        total_cents=priced.total_cents + shipping_cents,
        promo_code_id=code.id if code else None,
        promo_code_text=code.display_code if code else "",
        # The terms it got, so the order reads them without the code (which may change).
        promo_kind=Kind(code.kind) if code else None,
        promo_value=code.value if code else None,
        created_at=now,
        expires_at=now + timedelta(minutes=policy.hold_minutes),
        warnings_acknowledged_at=now,
        age_check_outcome=AgeCheckOutcome.PASSED,
        age_check_method=AgeCheckMethod.OIDC if verified_by_provider else AgeCheckMethod.DOB,
        age_checked_at=now,
        age_policy_version=policy.age_policy_version,
        age_required=required_age,
    )
    session.add(order)
    session.flush()
    # A human number from the row id: unique and increasing, with no counter row to contend on.
    number = f"{today.year}-{order.id:06d}"  # the local year, as customers read it
    session.execute(_NUMBER_ORDER, {"order": order.id, "new_number": number})
    set_committed_value(order, "number", number)
    # The lines, their warnings and the VAT per rate as one multi-row INSERT each (Core, not
    # ORM objects: an order writes ~10 rows, and the unit of work cost more than the SQL).
    line_ids = session.scalars(
        insert(table_of(OrderLine)).returning(
            table_of(OrderLine).c.id, sort_by_parameter_order=True
        ),
        [
            {
                "order_id": order.id,
                "position": position,
                "product_id": line.product.id,
                "product_slug": line.product.slug,
                "product_name": line.product.name(request.locale),
                "unit_price_cents": line.product.price_cents,
                "quantity": line.quantity,
                "line_total_cents": line.total_cents,
                "discount_cents": discount,
                "min_age": line.product.min_age,
                "requires_id_check": line.product.requires_id_check_at_delivery,
                "vat_percent": taxed.percent,
                "vat_cents": taxed.vat_cents,
                "lot_number": None,
            }
            for position, (line, discount, taxed) in enumerate(
                zip(lines, priced.line_discounts_cents, vat.lines, strict=True)
            )
        ],
    ).all()
    warnings = [
        {"order_line_id": line_id, **warning}
        for line_id, line in zip(line_ids, lines, strict=True)
        for warning in _snapshot_warnings(line.product, request.locale)
    ]
    if warnings:
        session.execute(insert(table_of(AcknowledgedWarning)), warnings)
    session.execute(
        insert(table_of(OrderVatLine)),
        [
            {
                "order_id": order.id,
                "vat_percent": rate.percent,
                "net_cents": rate.net_cents,
                "vat_cents": rate.vat_cents,
                "gross_cents": rate.gross_cents,
            }
            for rate in vat.rates
        ],
    )
    record_step(session, order.id, OrderStep.PLACED, now=now)
    if code is not None:
        session.execute(
            insert(table_of(PromoRedemption)).values(
                promo_code_id=code.id,
                order_id=order.id,
                customer_email=identity,
                customer_slot=slot,
                discount_cents=priced.discount_cents,
                redeemed_at=now,
            )
        )
    return order
