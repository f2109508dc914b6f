"""Loading the demo shop from `shop.demo_content` through the same services staff use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.demo_content import CATEGORIES, PRODUCTS
from shop.models import Category, Product
from shop.services.catalog import AllergyDraft, DisclaimerDraft, ProductDraft, create_product


@dataclass
class DemoReport:
    categories_added: int = 0
    products_added: int = 0
    skipped: int = 0


def load_demo_shop(session: Session, *, now: datetime) -> DemoReport:
    """Add the demo categories and products that are not there yet (matched by slug)."""
    report = DemoReport()
    begin_write(session)
    existing = {c.slug: c for c in session.scalars(select(Category))}
    for data in CATEGORIES:
        if data["slug"] in existing:
            report.skipped += 1
            continue
        category = Category(
            slug=data["slug"],
            name_en=data["name"]["en"],
            name_nl=data["name"]["nl"],
            description_en=data["description"]["en"],
            description_nl=data["description"]["nl"],
            position=data["position"],
        )
        session.add(category)
        existing[data["slug"]] = category
        report.categories_added += 1
    session.commit()

    known_products = set(session.scalars(select(Product.slug)))
    for index, data in enumerate(PRODUCTS):
        if data["slug"] in known_products:
            report.skipped += 1
            continue
        allergy = data["allergy"]
        draft = ProductDraft(
            slug=data["slug"],
            category_id=existing[data["category"]].id,
            name_en=data["name"]["en"],
            name_nl=data["name"]["nl"],
            summary_en=data["summary"]["en"],
            summary_nl=data["summary"]["nl"],
            description_md_en=data["description_md"]["en"],
            description_md_nl=data["description_md"]["nl"],
            price_cents=data["price_cents"],
            stock=data["stock"],
            min_age=data["min_age"],
            is_featured=data["featured"],
            disclaimers=[
                DisclaimerDraft(kind=d["kind"], text_en=d["text"]["en"], text_nl=d["text"]["nl"])
                for d in data["disclaimers"]
            ],
            allergy=AllergyDraft(
                has_no_known_allergens=allergy["no_known_allergens"],
                allergens=list(allergy["allergens"]),
                warning_en=allergy["warning"]["en"],
                warning_nl=allergy["warning"]["nl"],
            ),
        )
        # Spread creation times so "newest first" has a visible order in the demo.
        created = now - timedelta(hours=len(PRODUCTS) - index)
        create_product(session, draft, now=created, publish=True)
        report.products_added += 1
    return report
