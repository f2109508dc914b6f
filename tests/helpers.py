"""Test builders and small helpers: make a product the way staff would, pass the gate."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from shop.models import Category, Product
from shop.services.catalog import AllergyDraft, DisclaimerDraft, ProductDraft, create_product

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
