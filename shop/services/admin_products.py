"""The catalogue as staff edit it: saving a product with its warnings, and its pictures.

Each use case is one transaction that also writes its audit entry (who, when, the fields
before → after), so a change and its record exist together or not at all. The publishing
rule is `services.catalog`'s: a draft may lack warnings, a product in the shop may not.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from shop.db import begin_write, save_in_write_transaction
from shop.images import PreparedImage
from shop.models import (
    AllergenEntry,
    AllergyStatement,
    Category,
    Disclaimer,
    PriceChange,
    Product,
    ProductImage,
    StaffMember,
)
from shop.models.catalog import sorted_entries
from shop.services.audit import diff, publication_action, record_change
from shop.services.catalog import (
    AllergyDraft,
    CatalogNotFound,
    InvalidProduct,
    ProductDraft,
    ProductNotPublishable,
    check_draft,
    missing_warnings,
    new_allergy_statement,
    new_disclaimer,
)

# The widest price the form takes: € 999 999,99. Anything above is a typo.
MAX_PRICE_EUROS = 999_999
_EUROS = re.compile(r"(?:€\s*)?([0-9]{1,6})(?:[.,]([0-9]{1,2}))?")

MAX_ALT_LENGTH = 300


class StaleProduct(Exception):
    """Someone saved the product after this form was opened; saving would undo their work."""


@dataclass(frozen=True)
class SavedProduct:
    """The outcome of a save: the product, and why it is not published when that was asked."""

    product: Product
    changed: bool
    missing: tuple[str, ...] = ()


def parse_euros(text: str) -> int:
    """Cents for a price typed as "12,50", "12.50", "12" or "€ 12,5"; InvalidProduct otherwise.

    Strict on purpose: "12,505", "1e3", "-1" and "1.234,50" are refused rather than guessed.
    """
    found = _EUROS.fullmatch(text.strip())
    if found is None:
        raise InvalidProduct(
            "price_cents",
            _("Type the price in euros, like 12,50 or 12.50 (at most two decimals)."),
        )
    euros, cents = found.group(1), found.group(2) or "0"
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def version_of(product: Product) -> str:
    """What an edit form remembers to notice that someone else saved in between."""
    return product.updated_at.isoformat()


def audit_fields(product: Product) -> dict[str, Any]:
    """The product as the audit log compares it, warnings included."""
    return {
        "slug": product.slug,
        "category_id": product.category_id,
        "name_en": product.name_en,
        "name_nl": product.name_nl,
        "summary_en": product.summary_en,
        "summary_nl": product.summary_nl,
        "description_md_en": product.description_md_en,
        "description_md_nl": product.description_md_nl,
        "price_cents": product.price_cents,
        "stock": product.stock,
        "min_age": product.min_age,
        "is_featured": product.is_featured,
        "is_active": product.is_active,
        "disclaimers": [
            f"{d.kind}: {d.text_en} | {d.text_nl} [{d.content_hash[:12]}]"
            for d in product.disclaimers
        ],
        "allergy": _statement_facts(product.allergy_statement),
    }


def _statement_facts(statement: AllergyStatement | None) -> str | None:
    if statement is None:
        return None
    if statement.has_no_known_allergens:
        listed = "no known allergens"
    else:
        listed = ", ".join(
            f"{e.allergen} ({e.presence})" for e in sorted_entries(statement.entries)
        )
    return (
        f"{listed}: {statement.warning_en} | {statement.warning_nl} [{statement.content_hash[:12]}]"
    )


def save_product(
    session: Session,
    product_id: int | None,
    draft: ProductDraft,
    *,
    publish: bool,
    actor: StaffMember | None,
    now: datetime,
    expected_version: str | None = None,
) -> SavedProduct:
    """Create (`product_id` None) or update a product with its warnings, in one transaction.

    Asked to publish an incomplete draft, it saves the draft unpublished and names what is
    missing; a product already in the shop is never saved without its warnings
    (ProductNotPublishable, nothing written). Raises InvalidProduct, CatalogNotFound and,
    when `expected_version` is outdated, StaleProduct.
    """
    check_draft(draft)
    return save_in_write_transaction(
        session, lambda: _save(session, product_id, draft, publish, actor, now, expected_version)
    )


def _save(
    session: Session,
    product_id: int | None,
    draft: ProductDraft,
    publish: bool,
    actor: StaffMember | None,
    now: datetime,
    expected_version: str | None,
) -> SavedProduct:
    if session.get(Category, draft.category_id) is None:
        raise InvalidProduct("category_id", _("Choose a category from the list."))
    taken = select(Product.id).where(Product.slug == draft.slug)
    if product_id is not None:
        taken = taken.where(Product.id != product_id)
    if session.scalar(taken) is not None:
        raise InvalidProduct("slug", _("Another product has this slug already."))

    if product_id is None:
        product = Product(is_active=False, created_at=now, updated_at=now)
        before: dict[str, Any] = {}
    else:
        found = session.get(Product, product_id, with_for_update=True)
        if found is None:
            raise CatalogNotFound(str(product_id))
        product = found
        if expected_version is not None and expected_version != version_of(product):
            raise StaleProduct(product_id)
        before = audit_fields(product)
    was_active = product.is_active

    if was_active and not (
        _same_disclaimers(product, draft)
        and _same_statement(product.allergy_statement, draft.allergy)
    ):
        # The database refuses an active product without warnings at any moment, and a
        # statement can only be replaced by deleting the old row first (one per product).
        # So the product is off while its warnings are swapped, and on again before commit.
        product.is_active = False
        session.flush()
    _apply(session, product, draft)
    missing = tuple(missing_warnings(product))
    if was_active and publish and missing:
        raise ProductNotPublishable(missing)
    if product_id is None:
        session.add(product)
    # The warnings are written while the product is still off: a flush updates the product
    # before it inserts the rows that refer to it, and the database refuses an active
    # product without warnings at every statement.
    _flush(session)
    product.is_active = publish and not missing

    changes = diff(before, audit_fields(product))
    if not changes:
        return SavedProduct(product, changed=False)
    product.updated_at = now
    _flush(session)
    if "price_cents" in changes:
        # The price history (the EU Omnibus rule's 30-day lowest price) gets every price.
        session.add(
            PriceChange(product_id=product.id, price_cents=product.price_cents, effective_at=now)
        )
    record_change(
        session,
        actor,
        publication_action(product_id is None, was_active, product.is_active),
        product,
        changes,
        now=now,
        summary=_summary(product, changes),
    )
    return SavedProduct(product, changed=True, missing=missing if publish else ())


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        # Two people saving the same new slug at once: the unique index decides.
        if "slug" not in str(error.orig):
            raise
        raise InvalidProduct("slug", _("Another product has this slug already.")) from None


def _apply(session: Session, product: Product, draft: ProductDraft) -> None:
    product.slug = draft.slug
    product.category_id = draft.category_id
    product.name_en = draft.name_en.strip()
    product.name_nl = draft.name_nl.strip()
    product.summary_en = draft.summary_en.strip()
    product.summary_nl = draft.summary_nl.strip()
    product.description_md_en = draft.description_md_en
    product.description_md_nl = draft.description_md_nl
    product.price_cents = draft.price_cents
    product.stock = draft.stock
    product.min_age = draft.min_age
    product.is_featured = draft.is_featured
    _apply_disclaimers(product, draft)
    if not _same_statement(product.allergy_statement, draft.allergy):
        if product.allergy_statement is not None:
            # Deleted before its successor is added: a product has one statement at a time.
            product.allergy_statement = None
            session.flush()
        if draft.allergy is not None:
            product.allergy_statement = new_allergy_statement(draft.allergy)


def _apply_disclaimers(product: Product, draft: ProductDraft) -> None:
    # A disclaimer whose wording is unchanged keeps its row (only its place may move); a
    # changed one is a new row with a new hash, so what orders recorded stays identifiable.
    unused = {d.content_hash: d for d in reversed(product.disclaimers)}
    rows: list[Disclaimer] = []
    for position, item in enumerate(draft.disclaimers):
        fresh = new_disclaimer(item, position)
        kept = unused.pop(fresh.content_hash, None)
        if kept is not None:
            kept.position = position
            rows.append(kept)
        else:
            rows.append(fresh)
    product.disclaimers = rows


def _same_disclaimers(product: Product, draft: ProductDraft) -> bool:
    current = [d.content_hash for d in product.disclaimers]
    wanted = [new_disclaimer(item, 0).content_hash for item in draft.disclaimers]
    return sorted(current) == sorted(wanted)


def _same_statement(statement: AllergyStatement | None, draft: AllergyDraft | None) -> bool:
    if statement is None or draft is None:
        return statement is None and draft is None
    return statement.content_hash == new_allergy_statement(draft).content_hash


def _summary(product: Product, changes: dict[str, tuple[Any, Any]]) -> str:
    parts = [f"product {product.slug}"]
    if "price_cents" in changes:
        old, new = changes["price_cents"]
        parts.append("price " + ("(new)" if old is None else _euros(old)) + " → " + _euros(new))
    if "is_active" in changes:
        parts.append("published" if product.is_active else "not published")
    others = sorted(set(changes) - {"price_cents", "is_active"})
    if others:
        parts.append("changed " + ", ".join(others))
    return "; ".join(parts)


def _euros(cents: int) -> str:
    return f"€{cents // 100},{cents % 100:02d}"


# --- pictures ----------------------------------------------------------------------------


def _image_facts(image: ProductImage) -> str:
    return (
        f"#{image.id} {image.width}×{image.height} {image.mime_type}, "
        f"alt: {image.alt_en} | {image.alt_nl}"
    )


def add_product_image(
    session: Session,
    product_id: int,
    prepared: PreparedImage,
    *,
    alt_en: str,
    alt_nl: str,
    actor: StaffMember | None,
    now: datetime,
) -> ProductImage:
    """Store a prepared picture after the product's others, with its audit entry."""
    alt_en, alt_nl = alt_en.strip(), alt_nl.strip()
    for field_name, value in (("alt_en", alt_en), ("alt_nl", alt_nl)):
        if len(value) > MAX_ALT_LENGTH:
            raise InvalidProduct(
                field_name, _("Use at most %(count)s characters.", count=MAX_ALT_LENGTH)
            )
    begin_write(session)
    try:
        product = session.get(Product, product_id, with_for_update=True)
        if product is None:
            raise CatalogNotFound(str(product_id))
        last = session.scalar(
            select(func.max(ProductImage.position)).where(ProductImage.product_id == product_id)
        )
        image = ProductImage(
            product_id=product_id,
            position=0 if last is None else last + 1,
            alt_en=alt_en,
            alt_nl=alt_nl,
            mime_type=prepared.mime_type,
            width=prepared.width,
            height=prepared.height,
            data=prepared.data,
            thumbnail=prepared.thumbnail,
            etag=prepared.etag,
            created_at=now,
        )
        session.add(image)
        session.flush()
        record_change(
            session,
            actor,
            "image_upload",
            product,
            {f"image {image.id}": (None, _image_facts(image))},
            now=now,
            summary=f"product {product.slug}; picture added",
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return image


def delete_product_image(
    session: Session,
    product_id: int,
    image_id: int,
    *,
    actor: StaffMember | None,
    now: datetime,
) -> None:
    """Remove one of a product's pictures, with its audit entry (CatalogNotFound if absent)."""
    begin_write(session)
    try:
        image = session.scalar(
            select(ProductImage).where(
                ProductImage.id == image_id, ProductImage.product_id == product_id
            )
        )
        if image is None:
            raise CatalogNotFound(str(image_id))
        product = image.product
        record_change(
            session,
            actor,
            "image_delete",
            product,
            {f"image {image.id}": (_image_facts(image), None)},
            now=now,
            summary=f"product {product.slug}; picture removed",
        )
        session.delete(image)
        session.commit()
    except Exception:
        session.rollback()
        raise


# --- reading, for the back office --------------------------------------------------------


class ProductFilter(enum.StrEnum):
    ALL = ""
    ACTIVE = "active"
    INACTIVE = "inactive"
    SOLD_OUT = "sold_out"
    MISSING_WARNINGS = "missing_warnings"


@dataclass(frozen=True)
class ProductRow:
    product: Product
    has_warnings: bool


@dataclass(frozen=True)
class ProductList:
    rows: list[ProductRow]
    number: int
    size: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.size))


def _has_warnings() -> ColumnElement[bool]:
    # The SQL twin of `missing_warnings` (the CHECK constraints already guarantee texts in
    # both languages): a disclaimer, and a statement that is "none known" or names some.
    has_disclaimer = select(Disclaimer.id).where(Disclaimer.product_id == Product.id).exists()
    names_allergens = (
        select(AllergenEntry.allergen)
        .where(AllergenEntry.statement_id == AllergyStatement.id)
        .exists()
    )
    has_statement = (
        select(AllergyStatement.id)
        .where(
            AllergyStatement.product_id == Product.id,
            or_(AllergyStatement.has_no_known_allergens.is_(True), names_allergens),
        )
        .exists()
    )
    return and_(has_disclaimer, has_statement)


def list_products_for_staff(
    session: Session, *, search: str, status: ProductFilter, number: int, size: int
) -> ProductList:
    """One page of products matching the staff's words (name or slug) and filter, by name."""
    has_warnings = _has_warnings()
    query = select(Product, has_warnings.label("has_warnings"), func.count().over()).options(
        joinedload(Product.category)
    )
    words = search.strip()
    if words:
        query = query.where(
            or_(
                Product.name_en.icontains(words, autoescape=True),
                Product.name_nl.icontains(words, autoescape=True),
                Product.slug.icontains(words, autoescape=True),
            )
        )
    if status == ProductFilter.ACTIVE:
        query = query.where(Product.is_active.is_(True))
    elif status == ProductFilter.INACTIVE:
        query = query.where(Product.is_active.is_(False))
    elif status == ProductFilter.SOLD_OUT:
        query = query.where(Product.stock <= 0)
    elif status == ProductFilter.MISSING_WARNINGS:
        query = query.where(~has_warnings)
    query = query.order_by(func.lower(Product.name_en), Product.id)
    rows = session.execute(query.limit(size).offset((number - 1) * size)).all()
    return ProductList(
        rows=[ProductRow(row[0], bool(row[1])) for row in rows],
        number=number,
        size=size,
        total=rows[0][2] if rows else 0,
    )


def product_for_staff(session: Session, product_id: int) -> Product:
    """A product in any state with its warnings and pictures (not their bytes)."""
    product = session.scalars(
        select(Product)
        .where(Product.id == product_id)
        .options(
            joinedload(Product.category),
            selectinload(Product.disclaimers),
            selectinload(Product.allergy_statement).selectinload(AllergyStatement.entries),
            selectinload(Product.images).load_only(
                ProductImage.id,
                ProductImage.position,
                ProductImage.alt_en,
                ProductImage.alt_nl,
                ProductImage.width,
                ProductImage.height,
                ProductImage.mime_type,
            ),
        )
    ).first()
    if product is None:
        raise CatalogNotFound(str(product_id))
    return product


def price_history(session: Session, product_id: int, limit: int = 10) -> list[PriceChange]:
    """The product's latest prices, newest first."""
    return list(
        session.scalars(
            select(PriceChange)
            .where(PriceChange.product_id == product_id)
            .order_by(PriceChange.effective_at.desc(), PriceChange.id.desc())
            .limit(limit)
        )
    )
