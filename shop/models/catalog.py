"""The catalogue: categories, products, their images and their safety information.

Texts a customer reads exist in English and Dutch (`*_en`, `*_nl`); `localized()` picks one
and falls back to the other. A product's disclaimers and allergy statement are data, with a
content hash, so an order can record exactly what the customer was shown. The rule "no
active product without warnings" is enforced by `services.products` and backed by database
triggers (see the initial migration), which also refuse a direct UPDATE that skips the service.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, UTCDateTime, str_enum
from shop.rules.product_kind import ProductKind
from shop.rules.vat import VatRate

LANGUAGES = ("en", "nl")

# EU Regulation 1169/2011 Annex II's fourteen allergens, plus fungi: the shop's products are
# mushrooms, and a mushroom allergy is what its customers most need to be warned about.
ALLERGENS: tuple[str, ...] = (
    "gluten",
    "crustaceans",
    "eggs",
    "fish",
    "peanuts",
    "soybeans",
    "milk",
    "nuts",
    "celery",
    "mustard",
    "sesame",
    "sulphites",
    "lupin",
    "molluscs",
    "fungi",
)


def localized(obj: object, field: str, locale: str) -> str:
    """`obj.<field>_<locale>`, or the other language's text when that one is empty."""
    language = locale.split("_")[0].lower()
    order = [language] + [other for other in LANGUAGES if other != language]
    for candidate in order:
        value = getattr(obj, f"{field}_{candidate}", None)
        if value:
            return value
    return ""


def content_hash(*parts: str) -> str:
    """SHA-256 over the parts, unambiguously joined: the identity of a warning's wording."""
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


class DisclaimerKind(enum.StrEnum):
    HEALTH = "health"
    DOSAGE = "dosage"
    LEGAL = "legal"
    USAGE = "usage"


class AllergenPresence(enum.StrEnum):
    CONTAINS = "contains"
    MAY_CONTAIN = "may_contain"


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_nl: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    products: Mapped[list[Product]] = relationship(back_populates="category")

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def description(self, locale: str) -> str:
        return localized(self, "description", locale)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("min_age >= 0 AND min_age <= 120", name="min_age_range"),
        CheckConstraint("slug <> ''", name="slug_not_empty"),
        Index("ix_products_category_price", "category_id", "is_active", "price_cents", "id"),
        Index("ix_products_category_created", "category_id", "is_active", "created_at", "id"),
        Index("ix_products_category_name", "category_id", "is_active", "name_en", "id"),
        # The home page's featured products, newest first (migration 0006).
        Index("ix_products_featured", "is_featured", "is_active", "created_at", "id"),
        # A category page's kind filter and its counts per kind (migration 0022).
        Index("ix_products_category_kind", "category_id", "is_active", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    name_en: Mapped[str] = mapped_column(String(200))
    name_nl: Mapped[str] = mapped_column(String(200), default="")
    summary_en: Mapped[str] = mapped_column(String(500), default="")
    summary_nl: Mapped[str] = mapped_column(String(500), default="")
    description_md_en: Mapped[str] = mapped_column(Text, default="")
    description_md_nl: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False)
    min_age: Mapped[int] = mapped_column(Integer, default=18)
    # Sold only after the customer's age (min_age) was verified by the OpenID provider in
    # the same browser session (issue 19): a typed date of birth is not enough.
    needs_verified_age: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Excluded from the 14-day right of withdrawal (Civil Code 6:230p: goods that spoil
    # quickly, like fresh truffles), with the reason shown on its page and at checkout.
    is_withdrawal_excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawal_reason_en: Mapped[str] = mapped_column(Text, default="")
    withdrawal_reason_nl: Mapped[str] = mapped_column(Text, default="")
    # The VAT its (gross) price includes; by the rate's name, the percentage is the rule's.
    # Rows written without it (SQL by hand, migration 0016) get the standard rate too.
    vat_rate: Mapped[VatRate] = mapped_column(
        str_enum(VatRate, "vat_rate"),
        default=VatRate.STANDARD,
        server_default=VatRate.STANDARD.value,
    )
    # What the customer gets (truffles, capsules, a grow kit...), to filter by on category
    # pages; rows made before migration 0022 are "other" until staff choose.
    kind: Mapped[ProductKind] = mapped_column(
        str_enum(ProductKind, "kind"),
        default=ProductKind.OTHER,
        server_default=ProductKind.OTHER.value,
    )
    # The carrier must see an ID at the door (strong truffles, anything 21+): such an order
    # ships only with a method that includes the carrier's age check (migration 0017).
    requires_id_check_at_delivery: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    category: Mapped[Category] = relationship(back_populates="products")
    # Ties broken by id: the cart's pages read the same order as rows (`services.cart`), and
    # the order's warnings digest depends on it.
    disclaimers: Mapped[list[Disclaimer]] = relationship(
        back_populates="product",
        order_by="[Disclaimer.position, Disclaimer.id]",
        cascade="all, delete-orphan",
    )
    allergy_statement: Mapped[AllergyStatement | None] = relationship(
        back_populates="product", cascade="all, delete-orphan", uselist=False
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )

    def withdrawal_reason(self, locale: str) -> str:
        """Why the product cannot be returned under the right of withdrawal, if it cannot."""
        return localized(self, "withdrawal_reason", locale) if self.is_withdrawal_excluded else ""

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def summary(self, locale: str) -> str:
        return localized(self, "summary", locale)

    def description_md(self, locale: str) -> str:
        return localized(self, "description_md", locale)

    @property
    def is_sold_out(self) -> bool:
        return self.stock <= 0


class Disclaimer(Base):
    """One warning shown with a product; its hash identifies the exact wording."""

    __tablename__ = "disclaimers"
    __table_args__ = (
        CheckConstraint("text_en <> '' AND text_nl <> ''", name="text_in_both_languages"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DisclaimerKind] = mapped_column(str_enum(DisclaimerKind, "disclaimer_kind"))
    text_en: Mapped[str] = mapped_column(Text)
    text_nl: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="disclaimers")

    def text(self, locale: str) -> str:
        return localized(self, "text", locale)

    def compute_hash(self) -> str:
        return content_hash(str(self.kind), self.text_en, self.text_nl)


class AllergyStatement(Base):
    """A product's allergy information: named allergens with a warning, or 'none known'."""

    __tablename__ = "allergy_statements"
    __table_args__ = (
        CheckConstraint(
            "has_no_known_allergens OR (warning_en <> '' AND warning_nl <> '')",
            name="warning_unless_none_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), unique=True
    )
    has_no_known_allergens: Mapped[bool] = mapped_column(Boolean, default=False)
    warning_en: Mapped[str] = mapped_column(Text, default="")
    warning_nl: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))

    product: Mapped[Product] = relationship(back_populates="allergy_statement")
    entries: Mapped[list[AllergenEntry]] = relationship(
        back_populates="statement",
        cascade="all, delete-orphan",
        order_by="AllergenEntry.allergen",
    )

    def warning(self, locale: str) -> str:
        return localized(self, "warning", locale)

    def compute_hash(self) -> str:
        listed = ",".join(f"{e.allergen}:{e.presence}" for e in sorted_entries(self.entries))
        return content_hash(
            "none" if self.has_no_known_allergens else "listed",
            listed,
            self.warning_en,
            self.warning_nl,
        )


def sorted_entries(entries: list[AllergenEntry]) -> list[AllergenEntry]:
    return sorted(entries, key=lambda entry: ALLERGENS.index(entry.allergen))


class AllergenEntry(Base):
    __tablename__ = "allergen_entries"
    __table_args__ = (
        CheckConstraint(
            "allergen IN (" + ", ".join(f"'{code}'" for code in ALLERGENS) + ")",
            name="known_allergen",
        ),
    )

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("allergy_statements.id", ondelete="CASCADE"), primary_key=True
    )
    allergen: Mapped[str] = mapped_column(String(32), primary_key=True)
    presence: Mapped[AllergenPresence] = mapped_column(
        str_enum(AllergenPresence, "allergen_presence")
    )

    statement: Mapped[AllergyStatement] = relationship(back_populates="entries")


class ProductImage(Base):
    """An uploaded picture, kept in the database so every app server can serve it."""

    __tablename__ = "product_images"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    alt_en: Mapped[str] = mapped_column(String(300), default="")
    alt_nl: Mapped[str] = mapped_column(String(300), default="")
    mime_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship(back_populates="images")
    # Never loaded by the storefront: which variants exist follows from width and height
    # (shop.images.variant_sides), so a card needs no query to write its srcset.
    variants: Mapped[list[ProductImageVariant]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise_on_sql"
    )


class ProductImageVariant(Base):
    """A picture at one of shop.images.VARIANT_SIDES in one format (webp or jpeg)."""

    __tablename__ = "product_image_variants"
    __table_args__ = (UniqueConstraint("image_id", "side", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("product_images.id", ondelete="CASCADE"))
    side: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(8))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))


class RelatedProduct(Base):
    """A product staff chose to show on another's page ("you may also like"), in their order.

    The page fills up to four with others of the same category (`services.catalog`)."""

    __tablename__ = "product_related"
    __table_args__ = (CheckConstraint("product_id <> related_id", name="not_itself"),)

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    related: Mapped[Product] = relationship(foreign_keys=[related_id])
