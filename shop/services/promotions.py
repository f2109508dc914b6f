"""Promo code use cases: find a typed code, check it against a cart, create codes, banners,
and the EU Omnibus "lowest price in the 30 days before" for products a public code covers.

The decisions are the pure rules' (`shop.rules.promotions`); this module loads what they
need and writes what they decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from shop.db import begin_write
from shop.models import Category, PriceChange, Product, PromoCode, PromoRedemption
from shop.rules.promotions import (
    Kind,
    Line,
    Window,
    check_code,
    normalise_code,
    normalise_email,
)

OMNIBUS_DAYS = 30
MAX_CODE_LENGTH = 64


class UnknownCode(LookupError):
    """No code by that name. Customers get one generic message for all unknown codes."""


class InvalidPromoCode(ValueError):
    """Staff gave terms that cannot make a code; `field` names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass
class PromoDraft:
    code: str
    kind: Kind | str
    value: int
    window: Window
    usage_limit: int | None = None
    per_customer_limit: int | None = None
    min_subtotal_cents: int | None = None
    product_slugs: Sequence[str] = ()
    category_slugs: Sequence[str] = ()
    is_active: bool = True
    is_public: bool = False
    banner_title_en: str = ""
    banner_title_nl: str = ""
    banner_text_en: str = ""
    banner_text_nl: str = ""


def find_code(session: Session, typed: str) -> PromoCode:
    """The code a customer typed (any case, stray spaces, look-alike characters)."""
    normalised = normalise_code(typed or "")
    if not normalised or len(normalised) > MAX_CODE_LENGTH:
        raise UnknownCode(typed)
    query = (
        select(PromoCode)
        .where(PromoCode.code == normalised)
        .options(selectinload(PromoCode.products), selectinload(PromoCode.categories))
    )
    code = session.scalars(query).first()
    if code is None:
        raise UnknownCode(typed)
    return code


def customer_uses(session: Session, promo_code_id: int, email: str) -> int:
    """How many live orders of this customer (normalised e-mail) used the code."""
    query = select(func.count()).where(
        PromoRedemption.promo_code_id == promo_code_id,
        PromoRedemption.customer_email == normalise_email(email),
    )
    return session.scalar(query) or 0


def check_code_for_cart(
    session: Session, typed: str, lines: Sequence[Line], *, now: datetime, email: str | None = None
) -> PromoCode:
    """The code if it applies to these lines now, else UnknownCode or PromoNotApplicable."""
    code = find_code(session, typed)
    uses = customer_uses(session, code.id, email) if email and code.per_customer_limit else 0
    check_code(code.terms(), lines, now=now, customer_uses=uses)
    return code


def _validate(draft: PromoDraft) -> None:
    code = normalise_code(draft.code)
    if not code or len(code) > MAX_CODE_LENGTH:
        raise InvalidPromoCode("code", f"a code of 1 to {MAX_CODE_LENGTH} characters is required")
    try:
        kind = Kind(draft.kind)
    except ValueError:
        raise InvalidPromoCode("kind", "percent or amount") from None
    if kind == Kind.PERCENT and not 1 <= draft.value <= 100:
        raise InvalidPromoCode("value", "a percentage from 1 to 100 is required")
    if kind == Kind.AMOUNT and draft.value <= 0:
        raise InvalidPromoCode("value", "an amount above zero is required")
    for name in ("usage_limit", "per_customer_limit"):
        limit = getattr(draft, name)
        if limit is not None and limit < 1:
            raise InvalidPromoCode(name, "a limit is 1 or more (leave it empty for no limit)")
    if draft.min_subtotal_cents is not None and draft.min_subtotal_cents < 0:
        raise InvalidPromoCode("min_subtotal_cents", "a minimum cannot be negative")
    if draft.is_public and not draft.banner_title_en.strip():
        raise InvalidPromoCode("banner_title_en", "a public code needs a banner title")


def create_promo_code(session: Session, draft: PromoDraft, *, now: datetime) -> PromoCode:
    """Add a code with its scope; the code is stored normalised and must be new."""
    _validate(draft)
    begin_write(session)
    products = list(session.scalars(select(Product).where(Product.slug.in_(draft.product_slugs))))
    categories = list(
        session.scalars(select(Category).where(Category.slug.in_(draft.category_slugs)))
    )
    missing = set(draft.product_slugs) - {p.slug for p in products}
    missing |= set(draft.category_slugs) - {c.slug for c in categories}
    if missing:
        session.rollback()
        raise InvalidPromoCode(
            "scope", "unknown product or category: " + ", ".join(sorted(missing))
        )
    code = PromoCode(
        code=normalise_code(draft.code),
        display_code=draft.code.strip(),
        kind=Kind(draft.kind),
        value=draft.value,
        starts_at=draft.window.starts_at,
        ends_at=draft.window.ends_at,
        is_active=draft.is_active,
        usage_limit=draft.usage_limit,
        per_customer_limit=draft.per_customer_limit,
        min_subtotal_cents=draft.min_subtotal_cents,
        is_public=draft.is_public,
        banner_title_en=draft.banner_title_en.strip(),
        banner_title_nl=draft.banner_title_nl.strip(),
        banner_text_en=draft.banner_text_en.strip(),
        banner_text_nl=draft.banner_text_nl.strip(),
        products=products,
        categories=categories,
        created_at=now,
        updated_at=now,
    )
    session.add(code)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidPromoCode("code", "a code with that name exists already") from None
    return code


def all_codes(session: Session) -> list[PromoCode]:
    """Every code, newest window first, with its scope."""
    query = (
        select(PromoCode)
        .options(selectinload(PromoCode.products), selectinload(PromoCode.categories))
        .order_by(PromoCode.starts_at.desc(), PromoCode.id.desc())
    )
    return list(session.scalars(query))


def running_banners(session: Session, *, now: datetime) -> list[PromoCode]:
    """Public, active codes whose window contains `now`: the site-wide banners."""
    query = (
        select(PromoCode)
        .where(
            PromoCode.is_public.is_(True),
            PromoCode.is_active.is_(True),
            or_(PromoCode.starts_at.is_(None), PromoCode.starts_at <= now),
            or_(PromoCode.ends_at.is_(None), PromoCode.ends_at > now),
            or_(PromoCode.usage_limit.is_(None), PromoCode.times_used < PromoCode.usage_limit),
        )
        .options(selectinload(PromoCode.products), selectinload(PromoCode.categories))
        .order_by(PromoCode.starts_at, PromoCode.id)
    )
    return list(session.scalars(query))


def lowest_price_before(session: Session, product_id: int, instant: datetime) -> int | None:
    """The lowest price the product had in the 30 days before `instant` (None: no history).

    Counts the price in force when the period began and every change within it.
    """
    period_start = instant - timedelta(days=OMNIBUS_DAYS)
    in_force_at_start = (
        select(PriceChange.price_cents)
        .where(PriceChange.product_id == product_id, PriceChange.effective_at <= period_start)
        .order_by(PriceChange.effective_at.desc(), PriceChange.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    lowest_changed_within = (
        select(func.min(PriceChange.price_cents))
        .where(
            PriceChange.product_id == product_id,
            PriceChange.effective_at > period_start,
            PriceChange.effective_at < instant,
        )
        .scalar_subquery()
    )
    # One round trip: a product page asks this once per promotion covering it.
    lowest_within, at_start = session.execute(
        select(lowest_changed_within, in_force_at_start)
    ).one()
    candidates = [price for price in (lowest_within, at_start) if price is not None]
    return min(candidates) if candidates else None


def covers_product(code: PromoCode, product: Product) -> bool:
    """True when the code discounts this product (whole-order codes cover everything)."""
    terms = code.terms()
    if not terms.product_ids and not terms.category_ids:
        return True
    return product.id in terms.product_ids or product.category_id in terms.category_ids
