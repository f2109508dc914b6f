"""The staff's related-product picks: which products a product's page shows first under
"You may also like" (the page fills up to four from the same category,
`services.catalog.related_products`).

Staff type the picks as product slugs, in the order they want them; a pick must be a product
in the shop, not the product itself, and listed once. Saving replaces the picks and writes
the audit entry in one transaction.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.models import Product, RelatedProduct, StaffMember
from shop.refusals import Reason, Refused
from shop.services.audit import record_change
from shop.services.catalog import CatalogNotFound

# More than the page shows (four), so a sold-out pick can give way to the next one.
MAX_PICKS = 8


class RelatedRefusal(Reason):
    TOO_MANY = "too_many"
    TWICE = "twice"
    ITSELF = "itself"
    NOT_IN_SHOP = "not_in_shop"


class InvalidRelated(Refused):
    """The typed picks cannot be saved (the reason and the slugs concerned)."""


def parse_slugs(typed: str) -> list[str]:
    """The slugs in what staff typed: separated by commas, spaces or new lines."""
    return [slug for slug in re.split(r"[\s,]+", typed.strip().lower()) if slug]


def related_slugs(session: Session, product_id: int) -> list[str]:
    """The product's picks as slugs, in the staff's order."""
    query = (
        select(Product.slug)
        .join(RelatedProduct, RelatedProduct.related_id == Product.id)
        .where(RelatedProduct.product_id == product_id)
        .order_by(RelatedProduct.position)
    )
    return list(session.scalars(query))


def set_related_products(
    session: Session,
    product_id: int,
    slugs: list[str],
    *,
    actor: StaffMember | None,
    now: datetime,
) -> None:
    """Replace the product's picks by `slugs` (in that order), with the audit entry."""
    if len(slugs) > MAX_PICKS:
        raise InvalidRelated(RelatedRefusal.TOO_MANY, limit=MAX_PICKS)
    twice = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if twice:
        raise InvalidRelated(RelatedRefusal.TWICE, slugs=tuple(twice))
    begin_write(session)
    try:
        product = session.get(Product, product_id)
        if product is None:
            raise CatalogNotFound(product=product_id)
        if product.slug in slugs:
            raise InvalidRelated(RelatedRefusal.ITSELF, slugs=(product.slug,))
        found = {p.slug: p for p in session.scalars(select(Product).where(Product.slug.in_(slugs)))}
        missing = [slug for slug in slugs if slug not in found or not found[slug].is_active]
        if missing:
            raise InvalidRelated(RelatedRefusal.NOT_IN_SHOP, slugs=tuple(missing))
        before = related_slugs(session, product_id)
        session.execute(delete(RelatedProduct).where(RelatedProduct.product_id == product_id))
        session.add_all(
            RelatedProduct(product_id=product_id, related_id=found[slug].id, position=position)
            for position, slug in enumerate(slugs)
        )
        if before != slugs:
            record_change(
                session,
                actor,
                "related_products",
                product,
                {"related": (", ".join(before) or None, ", ".join(slugs) or None)},
                now=now,
                summary=f"product {product.slug}; related products",
            )
        session.commit()
    except Exception:
        session.rollback()
        raise
