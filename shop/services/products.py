"""Writing products: creating and saving them with their safety information, publishing and
withdrawing them, their price and their pictures. The one module that writes a product.

The publishing rule lives here: a product is active only with at least one disclaimer and
an allergy statement, each in English and Dutch. Database triggers back it up, so a direct
UPDATE that skips this module is refused as well. Staff's saves (`save_product`, pictures)
write their audit entry in the same transaction, so a change and its record exist together
or not at all. Refusals are `ProductRefused` with a `ProductRefusal` and its data; their
words are `shop.web.wording`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.db import begin_write, save_in_write_transaction
from shop.images import PreparedImage
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
    ProductImageVariant,
    StaffMember,
)
from shop.models.catalog import sorted_entries
from shop.refusals import Reason, Refused
from shop.rules.product_kind import ProductKind
from shop.rules.vat import VatRate
from shop.services.audit import diff, publication_action, record_change
from shop.services.catalog import CatalogNotFound, CatalogRefusal

MAX_SLUG_LENGTH = 160
MAX_AGE = 120
MAX_ALT_LENGTH = 300


class ProductRefusal(Reason):
    # The draft breaks a rule (InvalidProduct, whose `field` is the draft's attribute).
    SLUG_LENGTH = "slug_length"
    NAME_MISSING = "name_missing"
    NEGATIVE_PRICE = "negative_price"
    NEGATIVE_STOCK = "negative_stock"
    MIN_AGE_OUT_OF_RANGE = "min_age_out_of_range"
    UNKNOWN_VAT_RATE = "unknown_vat_rate"  # rate
    UNKNOWN_KIND = "unknown_kind"  # kind
    UNKNOWN_DISCLAIMER_KIND = "unknown_disclaimer_kind"  # kind
    UNKNOWN_ALLERGEN = "unknown_allergen"  # code
    UNKNOWN_PRESENCE = "unknown_presence"  # presence
    ALLERGEN_TWICE = "allergen_twice"  # code
    ALLERGENS_BUT_NONE_KNOWN = "allergens_but_none_known"
    DISCLAIMER_HALF_WRITTEN = "disclaimer_half_written"
    ALLERGY_WARNING_MISSING = "allergy_warning_missing"
    UNKNOWN_CATEGORY = "unknown_category"
    SLUG_TAKEN = "slug_taken"
    ALT_TEXT_TOO_LONG = "alt_text_too_long"  # most
    WITHDRAWAL_REASON_MISSING = "withdrawal_reason_missing"
    # The publishing rule (ProductNotPublishable, whose `missing` says what is lacking).
    NOT_PUBLISHABLE = "not_publishable"  # missing
    MUST_KEEP_WARNINGS = "must_keep_warnings"  # missing: a product in the shop lost them
    # Someone saved the product after the form was opened (StaleProduct).
    STALE = "stale"


class MissingWarning(Reason):
    """Safety information a product lacks to be in the shop."""

    DISCLAIMER = "disclaimer"
    ALLERGY_STATEMENT = "allergy_statement"
    ALLERGY_WARNING = "allergy_warning"


class ProductRefused(Refused):
    """A product was not written (`reason`: a `ProductRefusal`)."""


class InvalidProduct(ProductRefused):
    """The draft breaks a rule (bad price, unknown allergen, …); `field` says where."""

    def __init__(self, reason: ProductRefusal, *, field: str, **params: Any) -> None:
        super().__init__(reason, **params)
        self.field = field


class ProductNotPublishable(ProductRefused):
    """The product lacks safety information; `missing` names what."""

    def __init__(self, reason: ProductRefusal, missing: Sequence[MissingWarning]) -> None:
        super().__init__(reason, missing=tuple(missing))

    @property
    def missing(self) -> tuple[MissingWarning, ...]:
        return tuple(self.params["missing"])


class StaleProduct(ProductRefused):
    """Someone saved the product after this form was opened; saving would undo their work."""

    def __init__(self) -> None:
        super().__init__(ProductRefusal.STALE)


# --- drafts and the rules they follow -----------------------------------------------------


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
    # The standard rate unless staff choose another: it never declares too little VAT.
    vat_rate: VatRate | str = VatRate.STANDARD
    # What the customer gets, for the storefront's filter; "other" until staff choose.
    kind: ProductKind | str = ProductKind.OTHER
    # The carrier must see an ID at the door: orders with it ship only with an age check.
    requires_id_check_at_delivery: bool = False
    # Ordered only after the OpenID provider verified min_age in the customer's session.
    needs_verified_age: bool = False
    disclaimers: list[DisclaimerDraft] = field(default_factory=list)
    allergy: AllergyDraft | None = None
    # Excluded from the right of withdrawal: then a reason in both languages is required.
    is_withdrawal_excluded: bool = False
    withdrawal_reason_en: str = ""
    withdrawal_reason_nl: str = ""


def missing_warnings(product: Product) -> list[MissingWarning]:
    """What keeps the product from being published; empty when nothing does."""
    missing: list[MissingWarning] = []
    complete = [d for d in product.disclaimers if d.text_en.strip() and d.text_nl.strip()]
    if not complete:
        missing.append(MissingWarning.DISCLAIMER)
    statement = product.allergy_statement
    if statement is None:
        missing.append(MissingWarning.ALLERGY_STATEMENT)
    elif not statement.has_no_known_allergens and not (
        statement.entries and statement.warning_en.strip() and statement.warning_nl.strip()
    ):
        missing.append(MissingWarning.ALLERGY_WARNING)
    return missing


def _validate(draft: ProductDraft) -> None:
    if not draft.slug or len(draft.slug) > MAX_SLUG_LENGTH:
        raise InvalidProduct(ProductRefusal.SLUG_LENGTH, field="slug")
    if not draft.name_en.strip():
        raise InvalidProduct(ProductRefusal.NAME_MISSING, field="name_en")
    if draft.price_cents < 0:
        raise InvalidProduct(ProductRefusal.NEGATIVE_PRICE, field="price_cents")
    if draft.stock < 0:
        raise InvalidProduct(ProductRefusal.NEGATIVE_STOCK, field="stock")
    if not 0 <= draft.min_age <= MAX_AGE:
        raise InvalidProduct(ProductRefusal.MIN_AGE_OUT_OF_RANGE, field="min_age")
    if draft.is_withdrawal_excluded:
        # The customer must be told why before ordering; an exclusion without a reason is not.
        for language in ("en", "nl"):
            if not getattr(draft, f"withdrawal_reason_{language}").strip():
                raise InvalidProduct(
                    ProductRefusal.WITHDRAWAL_REASON_MISSING,
                    field=f"withdrawal_reason_{language}",
                )
    if draft.vat_rate not in set(VatRate):
        raise InvalidProduct(ProductRefusal.UNKNOWN_VAT_RATE, field="vat_rate", rate=draft.vat_rate)
    if draft.kind not in set(ProductKind):
        raise InvalidProduct(ProductRefusal.UNKNOWN_KIND, field="kind", kind=draft.kind)
    for disclaimer in draft.disclaimers:
        if disclaimer.kind not in set(DisclaimerKind):
            raise InvalidProduct(
                ProductRefusal.UNKNOWN_DISCLAIMER_KIND, field="disclaimers", kind=disclaimer.kind
            )
    if draft.allergy is not None:
        seen: set[str] = set()
        for code, presence in draft.allergy.allergens:
            if code not in ALLERGENS:
                raise InvalidProduct(ProductRefusal.UNKNOWN_ALLERGEN, field="allergy", code=code)
            if presence not in set(AllergenPresence):
                raise InvalidProduct(
                    ProductRefusal.UNKNOWN_PRESENCE, field="allergy", presence=presence
                )
            if code in seen:
                raise InvalidProduct(ProductRefusal.ALLERGEN_TWICE, field="allergy", code=code)
            seen.add(code)
        if draft.allergy.has_no_known_allergens and draft.allergy.allergens:
            raise InvalidProduct(ProductRefusal.ALLERGENS_BUT_NONE_KNOWN, field="allergy")


def _validate_wording(draft: ProductDraft) -> None:
    # The database refuses these (CHECK constraints); saying so here gives staff the field to
    # fix instead of an IntegrityError. Checked after the publishing rule, whose reasons are
    # more useful when publishing.
    for disclaimer in draft.disclaimers:
        if not (disclaimer.text_en.strip() and disclaimer.text_nl.strip()):
            raise InvalidProduct(ProductRefusal.DISCLAIMER_HALF_WRITTEN, field="disclaimers")
    allergy = draft.allergy
    if (
        allergy is not None
        and not allergy.has_no_known_allergens
        and not (allergy.warning_en.strip() and allergy.warning_nl.strip())
    ):
        raise InvalidProduct(ProductRefusal.ALLERGY_WARNING_MISSING, field="allergy")


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


def _apply_fields(product: Product, draft: ProductDraft) -> None:
    """The draft's own fields onto the product (its warnings are rows: see the callers)."""
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
    product.vat_rate = VatRate(draft.vat_rate)
    product.kind = ProductKind(draft.kind)
    product.requires_id_check_at_delivery = draft.requires_id_check_at_delivery
    product.needs_verified_age = draft.needs_verified_age
    product.is_featured = draft.is_featured
    product.is_withdrawal_excluded = draft.is_withdrawal_excluded
    product.withdrawal_reason_en = draft.withdrawal_reason_en.strip()
    product.withdrawal_reason_nl = draft.withdrawal_reason_nl.strip()


def _record_price(session: Session, product: Product, now: datetime) -> None:
    # The price history (the EU Omnibus rule's 30-day lowest price) gets every price.
    session.add(
        PriceChange(product_id=product.id, price_cents=product.price_cents, effective_at=now)
    )


def _locked_product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id, with_for_update=True)
    if product is None:
        session.rollback()
        raise CatalogNotFound(product=product_id)
    return product


# --- creating, publishing, pricing ----------------------------------------------------------


def create_product(
    session: Session, draft: ProductDraft, *, now: datetime, publish: bool = False
) -> Product:
    """Add a product with its safety information; publish it only if it is complete (the
    demo shop and the tests; staff's form saves through `save_product`, with its audit)."""
    _validate(draft)
    # Always inserted inactive: the warnings are rows that reference the product, so they
    # exist only after it does, and the database refuses an active product without.
    product = Product(is_active=False, created_at=now, updated_at=now)
    _apply_fields(product, draft)
    product.disclaimers = [
        new_disclaimer(item, position) for position, item in enumerate(draft.disclaimers)
    ]
    product.allergy_statement = (
        None if draft.allergy is None else new_allergy_statement(draft.allergy)
    )
    # Decided before anything is written, so a refusal leaves no row and names every reason
    # (not the first CHECK constraint the database happens to trip over).
    if publish:
        missing = missing_warnings(product)
        if missing:
            raise ProductNotPublishable(ProductRefusal.NOT_PUBLISHABLE, missing)
    _validate_wording(draft)
    begin_write(session)
    session.add(product)
    try:
        session.flush()
        _record_price(session, product, now)
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
    product = _locked_product(session, product_id)
    missing = missing_warnings(product)
    if missing:
        session.rollback()
        raise ProductNotPublishable(ProductRefusal.NOT_PUBLISHABLE, missing)
    product.is_active = True
    product.updated_at = now
    session.commit()
    return product


def unpublish_product(session: Session, product_id: int, *, now: datetime) -> Product:
    """Take a product out of the storefront (orders keep their snapshots)."""
    begin_write(session)
    product = _locked_product(session, product_id)
    product.is_active = False
    product.updated_at = now
    session.commit()
    return product


def change_price(session: Session, product_id: int, price_cents: int, *, now: datetime) -> Product:
    """Set a product's price and record it in the price history, in one transaction."""
    if price_cents < 0:
        raise InvalidProduct(ProductRefusal.NEGATIVE_PRICE, field="price_cents")
    begin_write(session)
    product = _locked_product(session, product_id)
    if product.price_cents != price_cents:
        product.price_cents = price_cents
        product.updated_at = now
        _record_price(session, product, now)
    session.commit()
    return product


# --- staff's saves, with their audit entry -------------------------------------------------


@dataclass(frozen=True)
class SavedProduct:
    """The outcome of a save: the product, and why it is not published when that was asked."""

    product: Product
    changed: bool
    missing: tuple[MissingWarning, ...] = ()


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
        "vat_rate": str(product.vat_rate),
        "kind": str(product.kind),
        "requires_id_check_at_delivery": product.requires_id_check_at_delivery,
        "needs_verified_age": product.needs_verified_age,
        "is_featured": product.is_featured,
        "is_active": product.is_active,
        "is_withdrawal_excluded": product.is_withdrawal_excluded,
        "withdrawal_reason_en": product.withdrawal_reason_en,
        "withdrawal_reason_nl": product.withdrawal_reason_nl,
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
    pictures: Sequence[NewPicture] = (),
) -> SavedProduct:
    """Create (`product_id` None) or update a product with its warnings (and new `pictures`,
    added after its others), in one transaction.

    Asked to publish an incomplete draft, it saves the draft unpublished and names what is
    missing; a product already in the shop is never saved without its warnings
    (ProductNotPublishable, nothing written). Raises InvalidProduct, CatalogNotFound and,
    when `expected_version` is outdated, StaleProduct.
    """
    check_draft(draft)
    for picture in pictures:
        _checked_alts(picture.alt_en, picture.alt_nl)

    def save() -> SavedProduct:
        saved = _save(session, product_id, draft, publish, actor, now, expected_version)
        for picture in pictures:
            _store_image(session, saved.product, picture, actor=actor, now=now)
        if pictures and not saved.changed:
            return SavedProduct(saved.product, changed=True, missing=saved.missing)
        return saved

    return save_in_write_transaction(session, save)


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
        raise InvalidProduct(ProductRefusal.UNKNOWN_CATEGORY, field="category_id")
    taken = select(Product.id).where(Product.slug == draft.slug)
    if product_id is not None:
        taken = taken.where(Product.id != product_id)
    if session.scalar(taken) is not None:
        raise InvalidProduct(ProductRefusal.SLUG_TAKEN, field="slug")

    if product_id is None:
        product = Product(is_active=False, created_at=now, updated_at=now)
        before: dict[str, Any] = {}
    else:
        product = _locked_product(session, product_id)
        if expected_version is not None and expected_version != version_of(product):
            raise StaleProduct()
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
        raise ProductNotPublishable(ProductRefusal.MUST_KEEP_WARNINGS, missing)
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
        _record_price(session, product, now)
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
        raise InvalidProduct(ProductRefusal.SLUG_TAKEN, field="slug") from None


def _apply(session: Session, product: Product, draft: ProductDraft) -> None:
    _apply_fields(product, draft)
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


@dataclass(frozen=True)
class NewPicture:
    """A prepared picture and its alt texts, to be stored with a product."""

    prepared: PreparedImage
    alt_en: str = ""
    alt_nl: str = ""


def _checked_alts(alt_en: str, alt_nl: str) -> tuple[str, str]:
    alt_en, alt_nl = alt_en.strip(), alt_nl.strip()
    for field_name, value in (("alt_en", alt_en), ("alt_nl", alt_nl)):
        if len(value) > MAX_ALT_LENGTH:
            raise InvalidProduct(
                ProductRefusal.ALT_TEXT_TOO_LONG, field=field_name, most=MAX_ALT_LENGTH
            )
    return alt_en, alt_nl


def _store_image(
    session: Session,
    product: Product,
    picture: NewPicture,
    *,
    actor: StaffMember | None,
    now: datetime,
) -> ProductImage:
    """Add a picture after the product's others, with its sizes and its audit entry; the
    caller's transaction commits."""
    alt_en, alt_nl = _checked_alts(picture.alt_en, picture.alt_nl)
    prepared = picture.prepared
    last = session.scalar(
        select(func.max(ProductImage.position)).where(ProductImage.product_id == product.id)
    )
    image = ProductImage(
        product_id=product.id,
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
        variants=[
            ProductImageVariant(side=v.side, format=v.format, data=v.data, etag=v.etag)
            for v in prepared.variants
        ],
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
    return image


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
    picture = NewPicture(prepared, alt_en, alt_nl)
    _checked_alts(alt_en, alt_nl)
    begin_write(session)
    try:
        product = _locked_product(session, product_id)
        image = _store_image(session, product, picture, actor=actor, now=now)
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
            raise CatalogNotFound(CatalogRefusal.NO_SUCH_PICTURE, image_id=image_id)
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
