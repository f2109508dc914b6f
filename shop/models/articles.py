"""The knowledge base: articles in English and Dutch, each with its own disclaimer.

An article is a draft or published; a published one shows from `published_at` on. It cannot
be published without a disclaimer in both languages nor without a title in one of them:
`services.articles` refuses it with a message, and CHECK constraints refuse a direct UPDATE
that skips the service. Related products are ordered by `position`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, UTCDateTime, str_enum
from shop.models.catalog import Product, localized


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        CheckConstraint("slug <> ''", name="slug_not_empty"),
        CheckConstraint(
            "status <> 'published' OR (disclaimer_en <> '' AND disclaimer_nl <> '')",
            name="published_has_disclaimers",
        ),
        CheckConstraint(
            "status <> 'published' OR published_at IS NOT NULL",
            name="published_has_date",
        ),
        CheckConstraint("title_en <> '' OR title_nl <> ''", name="title_in_a_language"),
        # The list: published articles, newest first.
        Index("ix_articles_status_published", "status", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title_en: Mapped[str] = mapped_column(String(200), default="")
    title_nl: Mapped[str] = mapped_column(String(200), default="")
    summary_en: Mapped[str] = mapped_column(String(500), default="")
    summary_nl: Mapped[str] = mapped_column(String(500), default="")
    body_md_en: Mapped[str] = mapped_column(Text, default="")
    body_md_nl: Mapped[str] = mapped_column(Text, default="")
    disclaimer_en: Mapped[str] = mapped_column(Text, default="")
    disclaimer_nl: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ArticleStatus] = mapped_column(
        str_enum(ArticleStatus, "article_status"), default=ArticleStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    related: Mapped[list[ArticleProduct]] = relationship(
        back_populates="article",
        order_by="ArticleProduct.position",
        cascade="all, delete-orphan",
    )

    def title(self, locale: str) -> str:
        return localized(self, "title", locale)

    def summary(self, locale: str) -> str:
        return localized(self, "summary", locale)

    def body_md(self, locale: str) -> str:
        return localized(self, "body_md", locale)

    def disclaimer(self, locale: str) -> str:
        """The disclaimer in the visitor's language (both exist once published)."""
        return localized(self, "disclaimer", locale)

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleProduct(Base):
    """A product shown with an article, in the order staff chose."""

    __tablename__ = "article_products"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    article: Mapped[Article] = relationship(back_populates="related")
    product: Mapped[Product] = relationship()
