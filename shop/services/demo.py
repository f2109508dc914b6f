"""Loading the demo shop from `shop.demo_data` (the files in `shop/data/demo/`) and
`shop.demo_promotions` through the same services staff use: categories, products, the knowledge
base's articles and promo codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.demo_data import ArticleData, DemoData, load_demo_data
from shop.demo_pictures import DemoPicture, demo_pictures
from shop.demo_promotions import DemoPromo, demo_promotions
from shop.illustrations import draw_scene
from shop.images import prepare_image
from shop.models import Article, Category, Product, PromoCode, RelatedProduct
from shop.rules.promotions import normalise_code, window_from_local
from shop.services.articles import ArticleDraft, save_article
from shop.services.products import (
    AllergyDraft,
    DisclaimerDraft,
    ProductDraft,
    add_product_image,
    create_product,
)
from shop.services.promotions import PromoDraft, create_promo_code

# A drawn picture is a PNG of a few hundred kilobytes; the staff's upload limit is a setting
# the demo need not depend on.
DEMO_PICTURE_MAX_BYTES = 8_000_000


@dataclass
class DemoReport:
    categories_added: int = 0
    products_added: int = 0
    articles_added: int = 0
    skipped: int = 0


def load_demo_shop(session: Session, *, now: datetime) -> DemoReport:
    """Add the demo categories and products that are not there yet (matched by slug)."""
    report = DemoReport()
    demo = load_demo_data()
    begin_write(session)
    existing = {c.slug: c for c in session.scalars(select(Category))}
    for data in demo.categories:
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
    pictures = demo_pictures()
    for index, product in enumerate(demo.products):
        if product["slug"] in known_products:
            report.skipped += 1
            continue
        allergy = product["allergy"]
        draft = ProductDraft(
            slug=product["slug"],
            category_id=existing[product["category"]].id,
            name_en=product["name"]["en"],
            name_nl=product["name"]["nl"],
            summary_en=product["summary"]["en"],
            summary_nl=product["summary"]["nl"],
            description_md_en=product["description_md"]["en"],
            description_md_nl=product["description_md"]["nl"],
            price_cents=product["price_cents"],
            stock=product["stock"],
            min_age=product["min_age"],
            is_featured=product["featured"],
            vat_rate=product["vat_rate"],
            kind=product["kind"],
            requires_id_check_at_delivery=product["requires_id_check_at_delivery"],
            needs_verified_age=product["needs_verified_age"],
            disclaimers=[
                DisclaimerDraft(kind=d["kind"], text_en=d["text"]["en"], text_nl=d["text"]["nl"])
                for d in product["disclaimers"]
            ],
            allergy=AllergyDraft(
                has_no_known_allergens=allergy["no_known_allergens"],
                allergens=list(allergy["allergens"]),
                warning_en=allergy["warning"]["en"],
                warning_nl=allergy["warning"]["nl"],
            ),
        )
        exclusion = product["withdrawal_exclusion"]
        if exclusion is not None:
            draft.is_withdrawal_excluded = True
            draft.withdrawal_reason_en = exclusion["en"]
            draft.withdrawal_reason_nl = exclusion["nl"]
        # Spread creation times so "newest first" has a visible order in the demo.
        created = now - timedelta(hours=len(demo.products) - index)
        created_product = create_product(session, draft, now=created, publish=True)
        _add_demo_pictures(
            session, created_product.id, pictures.get(product["slug"], []), now=created
        )
        report.products_added += 1
    _link_related(session, demo, added_before=known_products)
    report.articles_added = load_demo_articles(session, now=now)
    return report


def _add_demo_pictures(
    session: Session, product_id: int, pictures: list[DemoPicture], *, now: datetime
) -> None:
    # Through prepare_image like a staff upload, so the demo exercises the same pipeline.
    slug = session.scalar(select(Product.slug).where(Product.id == product_id)) or ""
    for demo in pictures:
        prepared = prepare_image(draw_scene(demo.scene, slug), max_bytes=DEMO_PICTURE_MAX_BYTES)
        add_product_image(
            session,
            product_id,
            prepared,
            alt_en=demo.alt_en,
            alt_nl=demo.alt_nl,
            actor=None,
            now=now,
        )


def _link_related(session: Session, demo: DemoData, *, added_before: set[str]) -> None:
    # The picks of the products added now (an earlier load's products keep staff's own).
    ids = {
        slug: product_id for slug, product_id in session.execute(select(Product.slug, Product.id))
    }
    for product in demo.products:
        if product["slug"] in added_before:
            continue
        session.add_all(
            RelatedProduct(product_id=ids[product["slug"]], related_id=ids[slug], position=index)
            for index, slug in enumerate(product["related"])
        )
    session.commit()


def demo_article_draft(
    data: ArticleData, *, slug: str, published_at: datetime, related_slugs: list[str]
) -> ArticleDraft:
    """A demo article's texts (`shop/data/demo`) as a draft, under `slug`, published at
    `published_at`, related to `related_slugs` (the benchmark's catalogue reuses it)."""
    return ArticleDraft(
        slug=slug,
        title_en=data["title"]["en"],
        title_nl=data["title"]["nl"],
        summary_en=data["summary"]["en"],
        summary_nl=data["summary"]["nl"],
        body_md_en=data["body_md"]["en"],
        body_md_nl=data["body_md"]["nl"],
        disclaimer_en=data["disclaimer"]["en"],
        disclaimer_nl=data["disclaimer"]["nl"],
        published_at=published_at,
        related_slugs=related_slugs,
    )


def load_demo_articles(session: Session, *, now: datetime) -> int:
    """Publish the demo articles that are not there yet (matched by slug); returns how many.

    Each is published a week apart, newest last in the demo data, with those of its related
    products that are in the shop.
    """
    known = set(session.scalars(select(Article.slug)))
    on_sale = set(session.scalars(select(Product.slug).where(Product.is_active.is_(True))))
    articles = load_demo_data().articles
    added = 0
    for index, data in enumerate(articles):
        if data["slug"] in known:
            continue
        draft = demo_article_draft(
            data,
            slug=data["slug"],
            published_at=now - timedelta(weeks=len(articles) - index),
            related_slugs=[slug for slug in data["related_products"] if slug in on_sale],
        )
        save_article(session, None, draft, publish=True, actor=None, now=now)
        added += 1
    return added


def load_demo_promotions(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Add the demo promo codes that are not there yet (matched by code); returns how many.

    `tz` is the shop's zone: the seasonal code runs around today's local date in it.
    """
    existing = set(session.scalars(select(PromoCode.code)))
    added = 0
    for promo in demo_promotions(now.astimezone(tz).date()):
        if normalise_code(promo.code) in existing:
            continue
        create_promo_code(session, _promo_draft(promo, tz), now=now)
        added += 1
    return added


def _promo_draft(promo: DemoPromo, shop_tz: ZoneInfo) -> PromoDraft:
    tz = ZoneInfo(promo.timezone) if promo.timezone else shop_tz
    title = promo.banner_title or {"en": "", "nl": ""}
    text = promo.banner_text or {"en": "", "nl": ""}
    return PromoDraft(
        code=promo.code,
        kind=promo.kind,
        value=promo.value,
        window=window_from_local(promo.first_date, promo.last_date, tz),
        usage_limit=promo.usage_limit,
        min_subtotal_cents=promo.min_subtotal_cents,
        category_slugs=promo.category_slugs,
        is_public=promo.banner_title is not None,
        banner_title_en=title["en"],
        banner_title_nl=title["nl"],
        banner_text_en=text["en"],
        banner_text_nl=text["nl"],
    )
