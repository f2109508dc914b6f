"""Promo code use cases: find a typed code, check it against a cart, create and change codes
(with their audit entries), staff's "valid at …?" check (the back office's and `flask --app
shop promo check`'s), the running public codes for banners, and the EU Omnibus "lowest price
in the 30 days before" for products a public code covers.

The decisions are the pure rules' (`shop.rules.promotions`, `shop.rules.campaigns`); this
module loads what they need and writes what they decide. Refusals are raised as reasons with
their data (`UnknownCode`, `PromoNotApplicable`, `InvalidPromoCode`); `shop.web.wording`
words them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Select, String, bindparam, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from shop.db import begin_write
from shop.models import (
    Category,
    Order,
    PriceChange,
    Product,
    PromoCode,
    PromoRedemption,
    StaffMember,
)
from shop.models.promotions import promo_code_categories, promo_code_products
from shop.refusals import Reason, Refused
from shop.rules.campaigns import PublicCode, omnibus_period_start
from shop.rules.promotions import (
    Kind,
    Line,
    PromoNotApplicable,
    PromoTerms,
    Refusal,
    Window,
    check_code,
    customer_identity,
    normalise_code,
)
from shop.services.audit import diff, record_change

MAX_CODE_LENGTH = 64


class UnknownCode(PromoNotApplicable):
    """No code by that name. Customers get one generic message for all unknown codes."""

    def __init__(self, reason: Refusal = Refusal.UNKNOWN_CODE, **params: Any) -> None:
        super().__init__(reason, **params)


class PromoTermsRefusal(Reason):
    """Why staff's terms cannot make, or change, a code."""

    CODE_LENGTH = "code_length"  # max_length
    KIND_UNKNOWN = "kind_unknown"
    PERCENT_OUT_OF_RANGE = "percent_out_of_range"
    AMOUNT_NOT_POSITIVE = "amount_not_positive"
    FREE_SHIPPING_HAS_NO_VALUE = "free_shipping_has_no_value"
    LIMIT_BELOW_ONE = "limit_below_one"
    MINIMUM_NEGATIVE = "minimum_negative"
    BANNER_TITLE_MISSING = "banner_title_missing"
    UNKNOWN_SCOPE = "unknown_scope"  # names: the slugs that match nothing
    DUPLICATE_CODE = "duplicate_code"
    USED_CODE_TERMS = "used_code_terms"  # kind or value of a code orders were priced with


class InvalidPromoCode(Refused):
    """Staff gave terms that cannot make a code; `field` names the field (in `params`)."""

    reason: PromoTermsRefusal

    def __init__(self, reason: PromoTermsRefusal, *, field: str, **params: Any) -> None:
        super().__init__(reason, field=field, **params)

    @property
    def field(self) -> str:
        return str(self.params["field"])


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
    # No code contains a NUL, and PostgreSQL would refuse to even look for one.
    if not normalised or len(normalised) > MAX_CODE_LENGTH or "\x00" in normalised:
        raise UnknownCode()
    query = (
        select(PromoCode)
        .where(PromoCode.code == normalised)
        # The rules need only the ids of the products and categories it covers.
        .options(
            selectinload(PromoCode.products).load_only(Product.id),
            selectinload(PromoCode.categories).load_only(Category.id),
        )
    )
    code = session.scalars(query).first()
    if code is None:
        raise UnknownCode()
    return code


def customer_uses(session: Session, promo_code_id: int, email: str) -> int:
    """How many live orders of this customer (`customer_identity`) used the code."""
    query = select(func.count()).where(
        PromoRedemption.promo_code_id == promo_code_id,
        PromoRedemption.customer_email == customer_identity(email),
    )
    return session.scalar(query) or 0


# A code without a banner (not public) is told to customers only once it runs: before it
# starts, or while it is switched off, it is answered exactly as a code that does not exist,
# so guessing cannot find next month's codes or ones staff held back. Once it has ended it
# says so ("ended on …"): whoever was given it deserves the reason, and an ended code gives a
# guesser nothing to use. A public code says all its reasons: its banner announces it.
HIDDEN_UNTIL_ANNOUNCED = frozenset({Refusal.INACTIVE, Refusal.NOT_STARTED})


def check_code_for_cart(
    session: Session, typed: str, lines: Sequence[Line], *, now: datetime, email: str | None = None
) -> PromoCode:
    """The code if it applies to these lines now, else UnknownCode or PromoNotApplicable:
    what a customer may be told (staff's `check_code_at` tells them everything)."""
    code = find_code(session, typed)
    uses = customer_uses(session, code.id, email) if email and code.per_customer_limit else 0
    try:
        check_code(code.terms(), lines, now=now, customer_uses=uses)
    except PromoNotApplicable as refused:
        if not code.is_public and refused.reason in HIDDEN_UNTIL_ANNOUNCED:
            raise UnknownCode() from None
        raise
    return code


def _validate(draft: PromoDraft) -> None:
    code = normalise_code(draft.code)
    if not code or len(code) > MAX_CODE_LENGTH:
        raise InvalidPromoCode(
            PromoTermsRefusal.CODE_LENGTH, field="code", max_length=MAX_CODE_LENGTH
        )
    try:
        kind = Kind(draft.kind)
    except ValueError:
        raise InvalidPromoCode(PromoTermsRefusal.KIND_UNKNOWN, field="kind") from None
    if kind == Kind.PERCENT and not 1 <= draft.value <= 100:
        raise InvalidPromoCode(PromoTermsRefusal.PERCENT_OUT_OF_RANGE, field="value")
    if kind == Kind.AMOUNT and draft.value <= 0:
        raise InvalidPromoCode(PromoTermsRefusal.AMOUNT_NOT_POSITIVE, field="value")
    if kind == Kind.FREE_SHIPPING and draft.value != 0:
        raise InvalidPromoCode(PromoTermsRefusal.FREE_SHIPPING_HAS_NO_VALUE, field="value")
    for name in ("usage_limit", "per_customer_limit"):
        limit = getattr(draft, name)
        if limit is not None and limit < 1:
            raise InvalidPromoCode(PromoTermsRefusal.LIMIT_BELOW_ONE, field=name)
    if draft.min_subtotal_cents is not None and draft.min_subtotal_cents < 0:
        raise InvalidPromoCode(PromoTermsRefusal.MINIMUM_NEGATIVE, field="min_subtotal_cents")
    if draft.is_public and not draft.banner_title_en.strip():
        raise InvalidPromoCode(PromoTermsRefusal.BANNER_TITLE_MISSING, field="banner_title_en")


def _scope(session: Session, draft: PromoDraft) -> tuple[list[Product], list[Category]]:
    """The products and categories the draft names; InvalidPromoCode if one does not exist."""
    products = list(session.scalars(select(Product).where(Product.slug.in_(draft.product_slugs))))
    categories = list(
        session.scalars(select(Category).where(Category.slug.in_(draft.category_slugs)))
    )
    missing = set(draft.product_slugs) - {p.slug for p in products}
    missing |= set(draft.category_slugs) - {c.slug for c in categories}
    if missing:
        raise InvalidPromoCode(
            PromoTermsRefusal.UNKNOWN_SCOPE, field="scope", names=tuple(sorted(missing))
        )
    return products, categories


def audit_fields(code: PromoCode) -> dict[str, Any]:
    """A code's terms as the audit log records them (scope by slug, sorted)."""
    return {
        "code": code.display_code,
        "kind": str(code.kind),
        "value": code.value,
        "starts_at": code.starts_at,
        "ends_at": code.ends_at,
        "is_active": code.is_active,
        "usage_limit": code.usage_limit,
        "per_customer_limit": code.per_customer_limit,
        "min_subtotal_cents": code.min_subtotal_cents,
        "products": sorted(p.slug for p in code.products),
        "categories": sorted(c.slug for c in code.categories),
        "is_public": code.is_public,
        "banner_title_en": code.banner_title_en,
        "banner_title_nl": code.banner_title_nl,
        "banner_text_en": code.banner_text_en,
        "banner_text_nl": code.banner_text_nl,
    }


def _apply(code: PromoCode, draft: PromoDraft, scope: tuple[list[Product], list[Category]]) -> None:
    code.code = normalise_code(draft.code)
    code.display_code = draft.code.strip()
    code.kind = Kind(draft.kind)
    code.value = draft.value
    code.starts_at = draft.window.starts_at
    code.ends_at = draft.window.ends_at
    code.is_active = draft.is_active
    code.usage_limit = draft.usage_limit
    code.per_customer_limit = draft.per_customer_limit
    code.min_subtotal_cents = draft.min_subtotal_cents
    code.is_public = draft.is_public
    code.banner_title_en = draft.banner_title_en.strip()
    code.banner_title_nl = draft.banner_title_nl.strip()
    code.banner_text_en = draft.banner_text_en.strip()
    code.banner_text_nl = draft.banner_text_nl.strip()
    code.products, code.categories = scope


def create_promo_code(
    session: Session, draft: PromoDraft, *, now: datetime, actor: StaffMember | None = None
) -> PromoCode:
    """Add a code with its scope; the code is stored normalised and must be new.

    The audit entry (by `actor`; None is the command line) is written in the same commit.
    """
    _validate(draft)
    begin_write(session)
    try:
        scope = _scope(session, draft)
    except InvalidPromoCode:
        session.rollback()
        raise
    code = PromoCode(times_used=0, created_at=now, updated_at=now)
    _apply(code, draft, scope)
    session.add(code)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise InvalidPromoCode(PromoTermsRefusal.DUPLICATE_CODE, field="code") from None
    record_change(
        session,
        actor,
        "create",
        code,
        diff({}, audit_fields(code)),
        now=now,
        summary=f"promo code {code.display_code}",
    )
    session.commit()
    return code


def has_been_used(session: Session, promo_code_id: int) -> bool:
    """True once any order took the code, even one that later expired unpaid.

    Such an order keeps the code's name, kind and value as a snapshot, so it reads its own
    terms whatever becomes of the code; but the code's numbers on the promo page would add
    up two different offers under one name, so a used code keeps what it gives.
    """
    in_orders = select(Order.id).where(Order.promo_code_id == promo_code_id).exists()
    in_redemptions = (
        select(PromoRedemption.id).where(PromoRedemption.promo_code_id == promo_code_id).exists()
    )
    taken = select(PromoCode.times_used).where(PromoCode.id == promo_code_id).scalar_subquery()
    used, redeemed, times_used = session.execute(select(in_orders, in_redemptions, taken)).one()
    return bool(used or redeemed or (times_used or 0) > 0)


def update_promo_code(
    session: Session,
    promo_code_id: int,
    draft: PromoDraft,
    *,
    now: datetime,
    actor: StaffMember | None = None,
) -> PromoCode | None:
    """Change a code's terms, with its audit entry in the same commit.

    Once a code has been used its kind and value stay as they are (InvalidPromoCode on
    "kind" or "value"): its orders were priced with them. Returns None when the draft
    changes nothing (nothing is written then).
    """
    _validate(draft)
    begin_write(session)
    try:
        code = session.get(PromoCode, promo_code_id)
        if code is None:
            raise UnknownCode()
        scope = _scope(session, draft)
        before = audit_fields(code)
        changes_what_it_gives = (Kind(draft.kind), draft.value) != (Kind(code.kind), code.value)
        _apply(code, draft, scope)
        changes = diff(before, audit_fields(code))
        if not changes:
            session.rollback()
            return None
        code.updated_at = now
        try:
            # The UPDATE takes the code's row lock before the check below: a checkout taking
            # a use at the same moment either commits first (and is seen) or waits for us.
            session.flush()
        except IntegrityError:
            raise InvalidPromoCode(PromoTermsRefusal.DUPLICATE_CODE, field="code") from None
        if changes_what_it_gives and has_been_used(session, promo_code_id):
            field_name = "kind" if "kind" in changes else "value"
            raise InvalidPromoCode(PromoTermsRefusal.USED_CODE_TERMS, field=field_name)
        record_change(
            session,
            actor,
            "update",
            code,
            changes,
            now=now,
            summary=f"promo code {code.display_code}",
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return code


def check_code_at(
    session: Session,
    code: PromoCode,
    *,
    at: datetime,
    subtotal_cents: int | None = None,
    email: str | None = None,
) -> None:
    """Staff's "is it valid at time T?": raise PromoNotApplicable with the reason if not.

    The cart is one line the code covers, of `subtotal_cents`; without a subtotal the
    minimum is not checked (the question is then only about the time, limits and customer).
    """
    terms = code.terms()
    if subtotal_cents is None:
        terms = dataclasses.replace(terms, min_subtotal_cents=None)
    uses = customer_uses(session, code.id, email) if email and terms.per_customer_limit else 0
    check_code(terms, [line_in_scope(terms, subtotal_cents or 0)], now=at, customer_uses=uses)


def line_in_scope(terms: PromoTerms, subtotal_cents: int) -> Line:
    """One cart line of that amount that the code covers, so only the code's terms decide."""
    if terms.product_ids:
        return Line(min(terms.product_ids), None, subtotal_cents, 1)
    if terms.category_ids:
        return Line(0, min(terms.category_ids), subtotal_cents, 1)
    return Line(0, None, subtotal_cents, 1)


def all_codes(session: Session) -> list[PromoCode]:
    """Every code, newest window first, with its scope."""
    query = (
        select(PromoCode)
        .options(selectinload(PromoCode.products), selectinload(PromoCode.categories))
        .order_by(PromoCode.starts_at.desc(), PromoCode.id.desc())
    )
    return list(session.scalars(query))


def running_public_codes(
    session: Session, *, now: datetime, until: datetime | None = None
) -> list[PublicCode]:
    """Public, active codes whose window contains `now`: the site-wide banners, as plain
    values.

    With `until`, also those that begin by then (a caller keeping the list for a while
    filters it again by the instant of each page).
    """
    starts_by = until if until is not None else now
    rows = session.execute(_running_public_codes_query(), {"now": now, "starts_by": starts_by})
    return [
        PublicCode(
            row.id,
            row.display_code,
            Kind(row.kind),
            row.value,
            Window(row.starts_at, row.ends_at),
            **{name: getattr(row, name).strip() for name in BANNER_FIELDS},
            product_ids=_ids(row.product_ids),
            category_ids=_ids(row.category_ids),
        )
        for row in rows
    ]


def _ids(joined: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (joined or "").split(",") if part)


@functools.cache
def _running_public_codes_query() -> Select[Any]:
    # Asked on every page behind the gate, so one round trip of plain rows, built once: of its
    # scope a banner needs only the ids, which ride along as "3,17" strings.
    def joined(table: Any, column: str) -> Any:
        return (
            select(func.aggregate_strings(cast(table.c[column], String), ","))
            .where(table.c.promo_code_id == PromoCode.id)
            .correlate(PromoCode)
            .scalar_subquery()
        )

    return (
        select(
            PromoCode.id,
            PromoCode.display_code,
            PromoCode.kind,
            PromoCode.value,
            PromoCode.starts_at,
            PromoCode.ends_at,
            *(getattr(PromoCode, name) for name in BANNER_FIELDS),
            joined(promo_code_products, "product_id").label("product_ids"),
            joined(promo_code_categories, "category_id").label("category_ids"),
        )
        .where(
            PromoCode.is_public.is_(True),
            PromoCode.is_active.is_(True),
            or_(PromoCode.starts_at.is_(None), PromoCode.starts_at <= bindparam("starts_by")),
            or_(PromoCode.ends_at.is_(None), PromoCode.ends_at > bindparam("now")),
            or_(PromoCode.usage_limit.is_(None), PromoCode.times_used < PromoCode.usage_limit),
        )
        .order_by(PromoCode.starts_at, PromoCode.id)
    )


BANNER_FIELDS = ("banner_title_en", "banner_title_nl", "banner_text_en", "banner_text_nl")


def public_code(code: PromoCode | PromoDraft) -> PublicCode:
    """A saved code, or staff's draft of one (for the banner preview), as banners read it."""
    banner = {name: getattr(code, name).strip() for name in BANNER_FIELDS}
    if isinstance(code, PromoDraft):
        return PublicCode(0, code.code.strip(), Kind(code.kind), code.value, code.window, **banner)
    return PublicCode(
        code.id,
        code.display_code,
        Kind(code.kind),
        code.value,
        code.window,
        product_ids=frozenset(product.id for product in code.products),
        category_ids=frozenset(category.id for category in code.categories),
        **banner,
    )


def lowest_price_before(session: Session, product_id: int, instant: datetime) -> int | None:
    """The lowest price the product had in the 30 days before `instant` (None: no history).

    Counts the price in force when the period began and every change within it.
    """
    values = {
        "ids": [product_id],
        "period_start": omnibus_period_start(instant),
        "instant": instant,
    }
    # The list's statement for a list of one: one round trip, built once.
    row = session.execute(_lowest_prices_query(), values).first()
    lowest_within, at_start = (row[1], row[2]) if row is not None else (None, None)
    candidates = [price for price in (lowest_within, at_start) if price is not None]
    return min(candidates) if candidates else None


@functools.cache
def _lowest_prices_query() -> Select[Any]:
    # Built once (a list's notes ask it on every page), the values bound as parameters.
    period_start: BindParameter[datetime] = bindparam("period_start")
    instant: BindParameter[datetime] = bindparam("instant")
    in_force_at_start = (
        select(PriceChange.price_cents)
        .where(PriceChange.product_id == Product.id, PriceChange.effective_at <= period_start)
        .order_by(PriceChange.effective_at.desc(), PriceChange.id.desc())
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )
    lowest_changed_within = (
        select(func.min(PriceChange.price_cents))
        .where(
            PriceChange.product_id == Product.id,
            PriceChange.effective_at > period_start,
            PriceChange.effective_at < instant,
        )
        .correlate(Product)
        .scalar_subquery()
    )
    return select(Product.id, lowest_changed_within, in_force_at_start).where(
        Product.id.in_(bindparam("ids", expanding=True))
    )


def lowest_prices_before(
    session: Session, product_ids: Iterable[int], instant: datetime
) -> dict[int, int | None]:
    """`lowest_price_before` for many products in one round trip (a list's Omnibus notes)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    values = {"ids": ids, "period_start": omnibus_period_start(instant), "instant": instant}
    rows = session.execute(_lowest_prices_query(), values)
    lowest: dict[int, int | None] = {}
    for product_id, within, at_start in rows:
        candidates = [price for price in (within, at_start) if price is not None]
        lowest[product_id] = min(candidates) if candidates else None
    return lowest
