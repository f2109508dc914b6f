"""The shop's information pages: contact, shipping and delivery, returns, and the FAQ.

A fixed set, one row per `PageSlug`, made by migration 0013 with default texts; staff edit
their titles and Markdown bodies in English and Dutch but never add or remove one, since the
footer links each of them. What the law fixes (the seller's details, the model withdrawal
form) is not in the bodies: the pages' templates fill it in from the settings.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.db import Base, UTCDateTime
from shop.models.catalog import localized


class PageSlug(enum.StrEnum):
    CONTACT = "contact"
    SHIPPING = "shipping"
    RETURNS = "returns"
    FAQ = "faq"


class ShopPage(Base):
    __tablename__ = "pages"
    __table_args__ = (CheckConstraint("slug <> ''", name="slug_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_nl: Mapped[str] = mapped_column(String(200))
    body_md_en: Mapped[str] = mapped_column(Text, default="")
    body_md_nl: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def title(self, locale: str) -> str:
        return localized(self, "title", locale)

    def body_md(self, locale: str) -> str:
        return localized(self, "body_md", locale)
