"""Promo codes: their terms, their scope, the uses taken, and the products' price history.

`times_used` is changed only in SQL (`times_used = times_used + 1` under a condition),
never read-modify-write, so the limit holds when many people buy at once. A redemption row
per use with a per-customer slot number makes the per-customer limit a unique constraint.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, UTCDateTime, str_enum
from shop.models.catalog import Category, Product, localized
from shop.rules.promotions import Kind, PromoTerms, Window

promo_code_products = Table(
    "promo_code_products",
    Base.metadata,
    Column("promo_code_id", ForeignKey("promo_codes.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
)

promo_code_categories = Table(
    "promo_code_categories",
    Base.metadata,
    Column("promo_code_id", ForeignKey("promo_codes.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class PromoCode(Base):
    __tablename__ = "promo_codes"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'percent' AND value >= 1 AND value <= 100) OR (kind = 'amount' AND value > 0) "
            "OR (kind = 'free_shipping' AND value = 0)",
            name="value_fits_kind",
        ),
        CheckConstraint("times_used >= 0", name="times_used_not_negative"),
        CheckConstraint(
            "usage_limit IS NULL OR times_used <= usage_limit", name="times_used_within_limit"
        ),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at", name="window_order"
        ),
        CheckConstraint("code <> ''", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (NFKC, trimmed, case-folded); `display_code` keeps what staff typed.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    display_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, "promo_kind"))
    value: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    times_used: Mapped[int] = mapped_column(Integer, default=0)
    per_customer_limit: Mapped[int | None] = mapped_column(Integer)
    min_subtotal_cents: Mapped[int | None] = mapped_column(Integer)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    banner_title_en: Mapped[str] = mapped_column(String(200), default="")
    banner_title_nl: Mapped[str] = mapped_column(String(200), default="")
    banner_text_en: Mapped[str] = mapped_column(Text, default="")
    banner_text_nl: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    products: Mapped[list[Product]] = relationship(secondary=promo_code_products)
    categories: Mapped[list[Category]] = relationship(secondary=promo_code_categories)

    @property
    def window(self) -> Window:
        return Window(self.starts_at, self.ends_at)

    def terms(self) -> PromoTerms:
        """The code as the pure rules see it."""
        return PromoTerms(
            code=self.code,
            kind=Kind(self.kind),
            value=self.value,
            window=self.window,
            is_active=self.is_active,
            usage_limit=self.usage_limit,
            times_used=self.times_used,
            per_customer_limit=self.per_customer_limit,
            min_subtotal_cents=self.min_subtotal_cents,
            product_ids=frozenset(p.id for p in self.products),
            category_ids=frozenset(c.id for c in self.categories),
        )

    def banner_title(self, locale: str) -> str:
        return localized(self, "banner_title", locale)

    def banner_text(self, locale: str) -> str:
        return localized(self, "banner_text", locale)


class PromoRedemption(Base):
    """One use of a code by one order. Deleted again when the order is released unpaid."""

    __tablename__ = "promo_redemptions"
    __table_args__ = (
        # The n-th use of a code by one customer can exist once: with a per-customer limit
        # of 1, two simultaneous checkouts by one e-mail cannot both take slot 1.
        UniqueConstraint("promo_code_id", "customer_email", "customer_slot"),
        CheckConstraint("customer_slot IS NULL OR customer_slot >= 1", name="slot_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    promo_code_id: Mapped[int] = mapped_column(ForeignKey("promo_codes.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    # The customer's identity for the per-customer limit (`rules.promotions.customer_identity`:
    # "Jan+1@X.nl" is "jan@x.nl"), not the address the order was sent to (`orders.email`).
    customer_email: Mapped[str] = mapped_column(String(320))
    # 1…per-customer limit; NULL when the code has no per-customer limit (NULLs never collide).
    customer_slot: Mapped[int | None] = mapped_column(Integer)
    discount_cents: Mapped[int] = mapped_column(Integer)
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PriceChange(Base):
    """A product's price from `effective_at` on: the history the EU Omnibus rule asks for."""

    __tablename__ = "price_changes"
    __table_args__ = (
        Index("ix_price_changes_product_effective", "product_id", "effective_at"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    price_cents: Mapped[int] = mapped_column(Integer)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
