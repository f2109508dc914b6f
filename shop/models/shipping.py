"""Shipping methods and their price per destination zone (shop.rules.shipping.Zone).

Staff keep them in the back office; migration 0019 makes the shop's first ones. A method
ships to a zone when it has a price for it. Orders copy what they need of the method (name,
carrier, age check, price), so editing or switching one off never changes a placed order.
"""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, str_enum
from shop.models.catalog import localized
from shop.rules.shipping import Zone


class ShippingMethod(Base):
    __tablename__ = "shipping_methods"
    __table_args__ = (CheckConstraint("name_en <> '' AND name_nl <> ''", name="names_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(String(100))
    name_nl: Mapped[str] = mapped_column(String(100))
    carrier: Mapped[str] = mapped_column(String(100), default="")
    # The carrier checks the recipient's age (ID) on delivery: what 18+ products need.
    includes_age_check: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where it stands in the checkout's list (lowest first).
    position: Mapped[int] = mapped_column(Integer, default=0)

    rates: Mapped[list[ShippingRate]] = relationship(
        back_populates="method", order_by="ShippingRate.zone", cascade="all, delete-orphan"
    )

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)

    def price_for(self, zone: Zone) -> int | None:
        """The price to `zone` in cents, or None when the method does not ship there."""
        return next((rate.price_cents for rate in self.rates if rate.zone == zone), None)


class ShippingRate(Base):
    """What one method costs to one zone; a missing row means it does not ship there."""

    __tablename__ = "shipping_rates"
    __table_args__ = (
        UniqueConstraint("method_id", "zone"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("shipping_methods.id", ondelete="CASCADE"))
    zone: Mapped[Zone] = mapped_column(str_enum(Zone, "shipping_zone"))
    price_cents: Mapped[int] = mapped_column(Integer)

    method: Mapped[ShippingMethod] = relationship(back_populates="rates")
