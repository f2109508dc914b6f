"""Test builders and small helpers: make a product or a promo code the way staff would, the
checkout form's request, pass the gate. One builder per thing, shared by every test module."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from shop.models import Category, Product, PromoCode, ShippingMethod, ShippingRate
from shop.rules.promotions import Window, window_from_local
from shop.rules.shipping import Zone
from shop.services.orders.placing import CheckoutRequest, Customer
from shop.services.products import AllergyDraft, DisclaimerDraft, ProductDraft, create_product
from shop.services.promotions import PromoDraft, create_promo_code

_serial = count(1)
CREATED = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def pass_age_gate(client: Any, *, remember: bool = False) -> None:
    """Answer the confirm-mode gate with yes, as a visitor would."""
    page = client.get("/age-gate")
    form = {"csrf_token": csrf_token(page.get_data(as_text=True)), "answer": "yes", "next": "/"}
    if remember:
        form["remember"] = "yes"
    response = client.post("/age-gate", data=form)
    assert response.status_code == 303, response.status_code


def make_category(session: Session, slug: str | None = None, **overrides: Any) -> Category:
    number = next(_serial)
    values: dict[str, Any] = {
        "slug": slug or f"category-{number}",
        "name_en": f"Category {number}",
        "name_nl": f"Categorie {number}",
        "position": number,
    }
    values.update(overrides)
    category = Category(**values)
    session.add(category)
    session.commit()
    return category


MUSHROOM_WARNING = AllergyDraft(
    has_no_known_allergens=False,
    allergens=[("fungi", "contains")],
    warning_en="Do not use if you are allergic to mushrooms.",
    warning_nl="Niet gebruiken als je allergisch bent voor paddenstoelen.",
)

NOT_MEDICAL_ADVICE = DisclaimerDraft(
    kind="health",
    text_en="Not medical advice. No proven effect in humans.",
    text_nl="Geen medisch advies. Geen bewezen effect bij mensen.",
)


def make_product(
    session: Session,
    name: str = "Golden Teacher 15 g",
    *,
    category: Category | None = None,
    price_cents: int = 1995,
    stock: int = 10,
    publish: bool = True,
    now: datetime = CREATED,
    **overrides: Any,
) -> Product:
    """A product with a disclaimer and a mushroom allergy warning, published by default."""
    number = next(_serial)
    category = category or make_category(session)
    draft = ProductDraft(
        slug=overrides.pop("slug", f"product-{number}"),
        category_id=category.id,
        name_en=name,
        name_nl=overrides.pop("name_nl", name),
        summary_en=overrides.pop("summary_en", f"Summary of {name}"),
        price_cents=price_cents,
        stock=stock,
        disclaimers=overrides.pop("disclaimers", [NOT_MEDICAL_ADVICE]),
        allergy=overrides.pop("allergy", MUSHROOM_WARNING),
        **overrides,
    )
    return create_product(session, draft, now=now, publish=publish)


# --- promo codes and checkout requests, shared by the promotion, cart, checkout, expiry,
# concurrency and payment tests ----------------------------------------------------------------

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# "Halloween 2025: 15% off your entire order, valid Oct 21 – Nov 2, 2025" (Amsterdam dates).
HALLOWEEN_2025 = window_from_local(date(2025, 10, 21), date(2025, 11, 2), AMSTERDAM)
ANN = Customer(
    email="ann@example.nl",
    name="Ann de Vries",
    street="Prinsengracht 263",
    postcode="1016 GV",
    city="Amsterdam",
    country="NL",
)
BORN_1990 = date(1990, 5, 17)


def make_code(
    session: Session, code: str = "HALLOWEEN2025", *, now: datetime = CREATED, **terms: Any
) -> PromoCode:
    """A promo code made as staff make one: by default Halloween 2025, 15% off the order;
    any `PromoDraft` field may be given (`kind`, `value`, `window`, `usage_limit`, …)."""
    terms.setdefault("kind", "percent")
    terms.setdefault("value", 15)
    terms.setdefault("window", HALLOWEEN_2025)
    return create_promo_code(session, PromoDraft(code=code, **terms), now=now)


def running_window(today: date, *, days_before: int = 400, days_after: int = 30) -> Window:
    """A code window that includes `today` (Amsterdam dates)."""
    return window_from_local(
        today - timedelta(days=days_before), today + timedelta(days=days_after), AMSTERDAM
    )


def checkout_request(
    items: dict[int, int],
    *,
    customer: Customer = ANN,
    birth_date: date = BORN_1990,
    code: str = "",
    acknowledged: bool = True,
    locale: str = "en",
    **more: Any,
) -> CheckoutRequest:
    """What the checkout form sends, by default Ann's, born in 1990, warnings acknowledged."""
    return CheckoutRequest(
        items=items,
        customer=customer,
        birth_date=birth_date,
        acknowledged=acknowledged,
        code=code,
        locale=locale,
        **more,
    )


# --- shipping ---------------------------------------------------------------------------------

EVERY_ZONE_FREE = {zone: 0 for zone in Zone}
DEFAULT_SHIPPING_NAME = "Test delivery"


def make_shipping_method(
    session: Session,
    name_en: str = "Parcel",
    *,
    prices: Mapping[Zone, int] | None = None,
    **overrides: Any,
) -> ShippingMethod:
    """A shipping method as staff make one: by default a PostNL parcel at € 6,95 to every
    zone; `prices` maps a zone to its price (a zone left out is not shipped to)."""
    method = ShippingMethod(
        name_en=name_en,
        name_nl=overrides.pop("name_nl", f"{name_en} (nl)"),
        carrier=overrides.pop("carrier", "PostNL"),
        includes_age_check=overrides.pop("includes_age_check", False),
        is_active=overrides.pop("is_active", True),
        position=overrides.pop("position", 10),
        rates=[
            ShippingRate(zone=zone, price_cents=price)
            for zone, price in (prices if prices is not None else dict.fromkeys(Zone, 695)).items()
        ],
        **overrides,
    )
    session.add(method)
    session.commit()
    return method
