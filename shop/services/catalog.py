"""Catalogue use cases: what the storefront shows, and creating and publishing products.

The publishing rule lives here: a product is active only with at least one disclaimer and
an allergy statement, each in English and Dutch. Database triggers back it up, so a direct
UPDATE that skips this module is refused as well.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, func, literal_column, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, load_only, selectinload

from shop.db import begin_write
from shop.models import (
    ALLERGENS,
    AllergenEntry,
    AllergenPresence,
    AllergyStatement,
    Category,
    Disclaimer,
    DisclaimerKind,
    PriceChange,
    Product,
    ProductImage,
)
from shop.models.catalog import localized
from shop.services.search import count_matching, matching_products, search_terms

T = TypeVar("T")


class CatalogNotFound(LookupError):
    """No active product or category by that slug."""


class ProductNotPublishable(Exception):
    """The product lacks safety information; `missing` names what, in the shop's words."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__("cannot publish: missing " + ", ".join(missing))
        self.missing = tuple(missing)


class InvalidProduct(ValueError):
    """A product's data breaks a rule (bad price, unknown allergen, …); `field` says where."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


class Sort(enum.StrEnum):
    NAME = "name"
    PRICE = "price"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count


# What a card or a product page shows of a picture; the stored bytes stay in the database
# until `/images/<id>` asks for them.
_IMAGE_FACTS = (
    ProductImage.id,
    ProductImage.product_id,
    ProductImage.position,
    ProductImage.alt_en,
    ProductImage.alt_nl,
    ProductImage.width,
    ProductImage.height,
)


# What a product card shows: the descriptions (the bulk of a row) wait for the product page.
_CARD_FACTS = (
    Product.id,
    Product.slug,
    Product.category_id,
    Product.name_en,
    Product.name_nl,
    Product.summary_en,
    Product.summary_nl,
    Product.price_cents,
    Product.stock,
    Product.min_age,
    Product.is_active,
    Product.created_at,
)

# `= true` rather than `IS true`: PostgreSQL uses an index only for the former, and the
# catalogue's indexes start with (category_id, is_active, <sort key>).
ON_SALE = Product.is_active == true()


def _as_cards(query: Select[Any]) -> Select[Any]:
    # One query for the pictures of every product in the list, not one per card.
    return query.options(
        load_only(*_CARD_FACTS), selectinload(Product.images).load_only(*_IMAGE_FACTS)
    )


def list_categories(session: Session) -> list[Category]:
    """Every category, in the staff's order."""
    return list(session.scalars(select(Category).order_by(Category.position, Category.id)))


@dataclass(frozen=True)
class CategorySummary:
    """What the storefront shows of a category, detached from any session (it is cached)."""

    id: int
    slug: str
    name_en: str
    name_nl: str
    description_en: str
    description_nl: str

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def description(self, locale: str) -> str:
        return localized(self, "description", locale)


def category_summaries(session: Session) -> list[CategorySummary]:
    """Every category in the staff's order, as plain values: one query."""
    columns = (
        Category.id,
        Category.slug,
        Category.name_en,
        Category.name_nl,
        Category.description_en,
        Category.description_nl,
    )
    query = select(*columns).order_by(Category.position, Category.id)
    return [CategorySummary(*row) for row in session.execute(query)]


def featured_products(session: Session, limit: int = 8) -> list[Product]:
    """Active products marked featured, newest first."""
    query = (
        select(Product)
        .where(Product.is_featured == true(), ON_SALE)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(limit)
    )
    return list(session.scalars(_as_cards(query)))


def _ordering(sort: Sort, locale: str) -> list[ColumnElement[Any] | InstrumentedAttribute[Any]]:
    # Sort by the name the visitor reads (`localized` falls back to the other language when
    # one is empty), ignoring case: "albino A+" belongs before "Mexicana", not after "Zeta".
    # That is lower(coalesce(nullif(name_<shown>, ''), name_<other>)), kept by the database
    # in a generated, indexed column per language (migration 0006).
    shown_name: ColumnElement[Any] = literal_column(
        "products.name_sort_nl" if locale.startswith("nl") else "products.name_sort_en"
    )
    orderings: dict[Sort, list[ColumnElement[Any] | InstrumentedAttribute[Any]]] = {
        Sort.NAME: [shown_name, Product.id],
        Sort.PRICE: [Product.price_cents, Product.id],
        Sort.PRICE_DESC: [Product.price_cents.desc(), Product.id.desc()],
        Sort.NEWEST: [Product.created_at.desc(), Product.id.desc()],
    }
    return orderings[sort]


def category_products(
    session: Session,
    category: Category | CategorySummary,
    *,
    number: int,
    size: int,
    sort: Sort,
    locale: str,
) -> Page[Product]:
    """One page of a category's active products."""
    in_category = (Product.category_id == category.id, ON_SALE)
    ordering = _ordering(sort, locale)
    # Counted apart from the page, from an index alone: a window function over the page
    # query would read and sort every product of the category to show 24 of them.
    count = select(func.count()).select_from(Product).where(*in_category)
    cache_key = (str(session.get_bind().engine.url), category.id)
    known_total = _known_count(cache_key)
    # The page's ids first, in index order from the index alone (a deep page skips thousands
    # of entries without reading their rows), then the rows of those ids. One round trip.
    page_ids = (
        select(Product.id)
        .where(*in_category)
        .order_by(*ordering)
        .limit(size)
        .offset((number - 1) * size)
        .subquery()
    )
    total_column = count.correlate(None).scalar_subquery()
    columns = [Product] if known_total is not None else [Product, total_column]
    query = select(*columns).join(page_ids, Product.id == page_ids.c.id).order_by(*ordering)
    rows = session.execute(_as_cards(query)).all()
    if rows:
        total = known_total if known_total is not None else rows[0][1]
    else:
        # Past the end (or emptied): count afresh so the view can say how many pages there are.
        total = (session.scalar(count) or 0) if number > 1 else 0
    _remember_count(cache_key, total)
    return Page(items=[row[0] for row in rows], number=number, size=size, total=total)


# The total of a large category is kept for a minute in each process: counting 60,000 index
# entries costs ~10 ms a page on PostgreSQL, and a count a minute old ("63,890 products")
# misleads nobody. It holds no visitor's data. Smaller categories are counted every time:
# that is cheap, and staff see their changes at once. Keyed by database and category.
COUNT_KEPT_FROM = 10_000
COUNT_KEPT_SECONDS = 60.0
_kept_counts: dict[tuple[str, int], tuple[float, int]] = {}


def _known_count(key: tuple[str, int]) -> int | None:
    kept = _kept_counts.get(key)
    if kept is None or kept[0] < time.monotonic():
        return None
    return kept[1]


def _remember_count(key: tuple[str, int], total: int) -> None:
    if total < COUNT_KEPT_FROM:
        _kept_counts.pop(key, None)
    elif _known_count(key) is None:
        _kept_counts[key] = (time.monotonic() + COUNT_KEPT_SECONDS, total)


def search_products(session: Session, query: str, *, number: int, size: int) -> Page[Product]:
    """Active products matching every word of `query`, best matches first."""
    terms = search_terms(query)
    if not terms:
        return Page(items=[], number=number, size=size, total=0)
    matching = matching_products(session, terms, limit=size, offset=(number - 1) * size)
    rows = session.execute(_as_cards(matching)).all()
    total = rows[0][1] if rows else 0
    if not rows and number > 1:
        # Past the end: count once so the view can say how many pages there are.
        total = session.scalar(count_matching(session, terms)) or 0
    return Page(items=[row[0] for row in rows], number=number, size=size, total=total)


def product_for_sale(session: Session, slug: str) -> Product:
    """An active product with everything its page shows (warnings, category, images)."""
    query = (
        select(Product)
        .where(Product.slug == slug, Product.is_active.is_(True))
        # One round trip: a product has a handful of disclaimers and allergens, so joining
        # them all multiplies a few rows, which is cheaper than three queries.
        .options(
            joinedload(Product.category),
            joinedload(Product.allergy_statement).joinedload(AllergyStatement.entries),
            joinedload(Product.disclaimers),
            joinedload(Product.images).load_only(*_IMAGE_FACTS),
        )
    )
    product = session.scalars(query).unique().first()
    if product is None:
        raise CatalogNotFound(slug)
    return product


# --- writing products -------------------------------------------------------------------


@dataclass
class DisclaimerDraft:
    kind: DisclaimerKind | str
    text_en: str
    text_nl: str


@dataclass
class AllergyDraft:
    has_no_known_allergens: bool
    allergens: Sequence[tuple[str, AllergenPresence | str]] = ()
    warning_en: str = ""
    warning_nl: str = ""


@dataclass
class ProductDraft:
    slug: str
    category_id: int
    name_en: str
    price_cents: int
    stock: int = 0
    name_nl: str = ""
    summary_en: str = ""
    summary_nl: str = ""
    description_md_en: str = ""
    description_md_nl: str = ""
    min_age: int = 18
    is_featured: bool = False
    disclaimers: list[DisclaimerDraft] = field(default_factory=list)
    allergy: AllergyDraft | None = None


def missing_warnings(product: Product) -> list[str]:
    """What keeps the product from being published, in words for staff; empty when none."""
    missing: list[str] = []
    complete = [d for d in product.disclaimers if d.text_en.strip() and d.text_nl.strip()]
    if not complete:
        missing.append(_("a disclaimer (in English and Dutch)"))
    statement = product.allergy_statement
    if statement is None:
        missing.append(_("an allergy statement"))
    elif not statement.has_no_known_allergens and not (
        statement.entries and statement.warning_en.strip() and statement.warning_nl.strip()
    ):
        missing.append(_("an allergy warning naming the allergens (in English and Dutch)"))
    return missing


def _validate(draft: ProductDraft) -> None:
    if not draft.slug or len(draft.slug) > 160:
        raise InvalidProduct("slug", _("a slug of 1 to 160 characters is required"))
    if not draft.name_en.strip():
        raise InvalidProduct("name_en", _("a name is required"))
    if draft.price_cents < 0:
        raise InvalidProduct("price_cents", _("a price cannot be negative"))
    if draft.stock < 0:
        raise InvalidProduct("stock", _("stock cannot be negative"))
    if not 0 <= draft.min_age <= 120:
        raise InvalidProduct("min_age", _("a minimum age between 0 and 120 is required"))
    for disclaimer in draft.disclaimers:
        if disclaimer.kind not in set(DisclaimerKind):
            raise InvalidProduct(
                "disclaimers", _("unknown disclaimer kind %(kind)r", kind=disclaimer.kind)
            )
    if draft.allergy is not None:
        seen: set[str] = set()
        for code, presence in draft.allergy.allergens:
            if code not in ALLERGENS:
                raise InvalidProduct("allergy", _("unknown allergen %(code)r", code=code))
            if presence not in set(AllergenPresence):
                raise InvalidProduct(
                    "allergy", _("unknown presence %(presence)r", presence=presence)
                )
            if code in seen:
                raise InvalidProduct("allergy", _("allergen %(code)r listed twice", code=code))
            seen.add(code)
        if draft.allergy.has_no_known_allergens and draft.allergy.allergens:
            raise InvalidProduct("allergy", _("'no known allergens' cannot list allergens"))


def _validate_wording(draft: ProductDraft) -> None:
    # The database refuses these (CHECK constraints); saying so here gives staff the field to
    # fix instead of an IntegrityError. Checked after the publishing rule, whose reasons are
    # more useful when publishing.
    for disclaimer in draft.disclaimers:
        if not (disclaimer.text_en.strip() and disclaimer.text_nl.strip()):
            raise InvalidProduct(
                "disclaimers", _("each disclaimer needs a text in English and Dutch")
            )
    allergy = draft.allergy
    if (
        allergy is not None
        and not allergy.has_no_known_allergens
        and not (allergy.warning_en.strip() and allergy.warning_nl.strip())
    ):
        raise InvalidProduct(
            "allergy", _("a warning in English and Dutch is required unless none are known")
        )


def check_draft(draft: ProductDraft) -> None:
    """Raise InvalidProduct for the first rule the draft breaks (publishing aside)."""
    _validate(draft)
    _validate_wording(draft)


def new_disclaimer(item: DisclaimerDraft, position: int) -> Disclaimer:
    """A disclaimer row for the draft's wording, with its content hash."""
    disclaimer = Disclaimer(
        kind=DisclaimerKind(item.kind),
        text_en=item.text_en.strip(),
        text_nl=item.text_nl.strip(),
        position=position,
    )
    disclaimer.content_hash = disclaimer.compute_hash()
    return disclaimer


def new_allergy_statement(draft: AllergyDraft) -> AllergyStatement:
    """An allergy statement row for the draft, with its content hash."""
    statement = AllergyStatement(
        has_no_known_allergens=draft.has_no_known_allergens,
        warning_en=draft.warning_en.strip(),
        warning_nl=draft.warning_nl.strip(),
        entries=[
            AllergenEntry(allergen=code, presence=AllergenPresence(presence))
            for code, presence in draft.allergens
        ],
    )
    statement.content_hash = statement.compute_hash()
    return statement


def _apply_safety_information(product: Product, draft: ProductDraft) -> None:
    product.disclaimers = [
        new_disclaimer(item, position) for position, item in enumerate(draft.disclaimers)
    ]
    product.allergy_statement = (
        None if draft.allergy is None else new_allergy_statement(draft.allergy)
    )


def create_product(
    session: Session, draft: ProductDraft, *, now: datetime, publish: bool = False
) -> Product:
    """Add a product with its safety information; publish it only if it is complete."""
    _validate(draft)
    product = Product(
        slug=draft.slug,
        category_id=draft.category_id,
        name_en=draft.name_en.strip(),
        name_nl=draft.name_nl.strip(),
        summary_en=draft.summary_en.strip(),
        summary_nl=draft.summary_nl.strip(),
        description_md_en=draft.description_md_en,
        description_md_nl=draft.description_md_nl,
        price_cents=draft.price_cents,
        stock=draft.stock,
        min_age=draft.min_age,
        is_featured=draft.is_featured,
        # Always inserted inactive: the warnings are rows that reference the product, so
        # they exist only after it does, and the database refuses an active product without.
        is_active=False,
        created_at=now,
        updated_at=now,
    )
    _apply_safety_information(product, draft)
    # Decided before anything is written, so a refusal leaves no row and names every reason
    # (not the first CHECK constraint the database happens to trip over).
    if publish:
        missing = missing_warnings(product)
        if missing:
            raise ProductNotPublishable(missing)
    _validate_wording(draft)
    begin_write(session)
    session.add(product)
    try:
        session.flush()
        # The first entry of the price history (the EU Omnibus rule's 30-day lowest price).
        session.add(
            PriceChange(product_id=product.id, price_cents=product.price_cents, effective_at=now)
        )
        if publish:
            product.is_active = True
            session.flush()
    except Exception:
        session.rollback()
        raise
    session.commit()
    return product


def publish_product(session: Session, product_id: int, *, now: datetime) -> Product:
    """Make a product visible in the storefront, or say what safety information is missing."""
    begin_write(session)
    product = session.get(Product, product_id)
    if product is None:
        session.rollback()
        raise CatalogNotFound(str(product_id))
    missing = missing_warnings(product)
    if missing:
        session.rollback()
        raise ProductNotPublishable(missing)
    product.is_active = True
    product.updated_at = now
    session.commit()
    return product


def unpublish_product(session: Session, product_id: int, *, now: datetime) -> Product:
    """Take a product out of the storefront (orders keep their snapshots)."""
    begin_write(session)
    product = session.get(Product, product_id)
    if product is None:
        session.rollback()
        raise CatalogNotFound(str(product_id))
    product.is_active = False
    product.updated_at = now
    session.commit()
    return product


def change_price(session: Session, product_id: int, price_cents: int, *, now: datetime) -> Product:
    """Set a product's price and record it in the price history, in one transaction."""
    if price_cents < 0:
        raise InvalidProduct("price_cents", _("a price cannot be negative"))
    begin_write(session)
    product = session.get(Product, product_id)
    if product is None:
        session.rollback()
        raise CatalogNotFound(str(product_id))
    if product.price_cents != price_cents:
        product.price_cents = price_cents
        product.updated_at = now
        session.add(PriceChange(product_id=product.id, price_cents=price_cents, effective_at=now))
    session.commit()
    return product
