"""The knowledge base: what readers see of the articles, and staff saving and publishing them.

The publishing rule lives here: an article is published only with a disclaimer in English
and in Dutch (and a title in at least one language). CHECK constraints on `articles` back
it up, so a direct UPDATE that skips this module is refused as well. A published article
is shown from its `published_at` on; before that, like a draft, it does not exist for
readers. Every staff write adds its audit entry in the same transaction.

Refusals are data: `InvalidArticle` maps fields to `ArticleError`s, `ArticleNotPublishable`
names what publishing needs (`PublishingNeed`); `shop.web.wording` words them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, load_only

from shop.db import begin_write, save_in_write_transaction
from shop.models import Article, ArticleProduct, ArticleStatus, Product, StaffMember
from shop.refusals import Reason, Refused
from shop.rules.input import is_slug
from shop.services.audit import diff, publication_action, record_change
from shop.services.catalog import Page
from shop.text import count_words

WORDS_PER_MINUTE = 200
MAX_RELATED = 12

# The columns bound the short ones (PostgreSQL enforces VARCHAR lengths); bodies and
# disclaimers are TEXT, bounded here so a pasted book does not end up on a page.
MAX_LENGTHS = {
    "slug": 160,
    "title_en": 200,
    "title_nl": 200,
    "summary_en": 500,
    "summary_nl": 500,
    "body_md_en": 100_000,
    "body_md_nl": 100_000,
    "disclaimer_en": 2_000,
    "disclaimer_nl": 2_000,
}


class ArticleNotFound(LookupError):
    """No article by that slug or id (for readers: none published yet)."""


class ArticleRefusal(Reason):
    """Why an article is not saved or not published."""

    SLUG_MISSING = "article_slug_missing"
    SLUG_MALFORMED = "article_slug_malformed"
    SLUG_TAKEN = "article_slug_taken"
    TOO_LONG = "article_too_long"  # limit
    TITLE_MISSING = "article_title_missing"
    TOO_MANY_RELATED = "article_too_many_related"  # limit
    RELATED_TWICE = "article_related_twice"
    NOT_IN_SHOP = "article_related_not_in_shop"  # slugs
    # Publishing refused (missing: the PublishingNeeds): while saving, or by the publish button.
    SAVED_UNPUBLISHABLE = "article_saved_unpublishable"
    UNPUBLISHABLE = "article_unpublishable"


class PublishingNeed(Reason):
    """What a published article must have and this one lacks."""

    TITLE = "article_needs_title"
    DISCLAIMER_EN = "article_needs_disclaimer_en"
    DISCLAIMER_NL = "article_needs_disclaimer_nl"


class ArticleError(Refused):
    """One thing wrong with an article: an `ArticleRefusal` and its data."""


class InvalidArticle(ValueError):
    """The article's data breaks rules; `errors` maps each field to its refusal."""

    def __init__(self, errors: dict[str, ArticleError]) -> None:
        super().__init__("; ".join(f"{name}: {error}" for name, error in errors.items()))
        self.errors = errors


class ArticleNotPublishable(ArticleError):
    """Publishing was asked but the article lacks what a published one needs (`missing`)."""

    def __init__(self, reason: ArticleRefusal, missing: Sequence[PublishingNeed]) -> None:
        super().__init__(reason, missing=tuple(missing))
        self.missing: tuple[PublishingNeed, ...] = tuple(missing)


def reading_minutes(text: str) -> int:
    """Minutes to read a text at 200 words a minute, rounded up; never less than one."""
    return max(1, math.ceil(count_words(text) / WORDS_PER_MINUTE))


# --- what readers see ----------------------------------------------------------------------


def _published(now: datetime) -> tuple[Any, ...]:
    return (Article.status == ArticleStatus.PUBLISHED, Article.published_at <= now)


def published_articles(session: Session, *, number: int, size: int, now: datetime) -> Page[Article]:
    """One page of the published articles, newest first."""
    visible = _published(now)
    # One round trip: the page's rows, each carrying the total in a second column.
    query = (
        select(Article, func.count().over().label("total"))
        .where(*visible)
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(size)
        .offset((number - 1) * size)
    )
    rows = session.execute(query).all()
    total = rows[0][1] if rows else 0
    if not rows and number > 1:
        # Past the end: count once so the view can say how many pages there are.
        total = session.scalar(select(func.count()).select_from(Article).where(*visible)) or 0
    return Page(items=[row[0] for row in rows], number=number, size=size, total=total)


def article_for_reader(session: Session, slug: str, *, now: datetime) -> Article:
    """A published article with its related products, in one query; ArticleNotFound if none."""
    query = (
        select(Article)
        .where(Article.slug == slug, *_published(now))
        .options(
            joinedload(Article.related)
            .joinedload(ArticleProduct.product)
            .selectinload(Product.images)  # the cards' pictures: one more query for them all
        )
    )
    article = session.scalars(query).unique().first()
    if article is None:
        raise ArticleNotFound(slug)
    return article


def products_for_sale(article: Article) -> list[Product]:
    """The article's related products that are in the shop, in the staff's order."""
    return [link.product for link in article.related if link.product.is_active]


# --- what staff see and do -------------------------------------------------------------------


def list_articles_for_staff(session: Session, *, number: int, size: int) -> Page[Article]:
    """Every article, drafts included, most recently changed first."""
    query = (
        select(Article, func.count().over().label("total"))
        .order_by(Article.updated_at.desc(), Article.id.desc())
        .limit(size)
        .offset((number - 1) * size)
    )
    rows = session.execute(query).all()
    total = rows[0][1] if rows else 0
    if not rows and number > 1:
        total = session.scalar(select(func.count()).select_from(Article)) or 0
    return Page(items=[row[0] for row in rows], number=number, size=size, total=total)


def article_for_staff(session: Session, article_id: int) -> Article:
    """Any article by id, with its related products."""
    query = (
        select(Article)
        .where(Article.id == article_id)
        .options(joinedload(Article.related).joinedload(ArticleProduct.product))
    )
    article = session.scalars(query).unique().first()
    if article is None:
        raise ArticleNotFound(str(article_id))
    return article


def product_choices(session: Session) -> list[Product]:
    """The products staff may relate to an article: those in the shop, by name."""
    query = (
        select(Product)
        .where(Product.is_active.is_(True))
        .order_by(Product.name_en, Product.id)
        .options(load_only(Product.id, Product.slug, Product.name_en, Product.price_cents))
    )
    return list(session.scalars(query))


@dataclass
class ArticleDraft:
    slug: str
    title_en: str = ""
    title_nl: str = ""
    summary_en: str = ""
    summary_nl: str = ""
    body_md_en: str = ""
    body_md_nl: str = ""
    disclaimer_en: str = ""
    disclaimer_nl: str = ""
    published_at: datetime | None = None
    # Related products by slug, in the order they are shown.
    related_slugs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SavedArticle:
    article: Article
    changed: bool


def missing_for_publishing(draft: ArticleDraft | Article) -> list[PublishingNeed]:
    """What keeps an article from being published; empty when nothing does."""
    missing = []
    if not (draft.title_en.strip() or draft.title_nl.strip()):
        missing.append(PublishingNeed.TITLE)
    if not draft.disclaimer_en.strip():
        missing.append(PublishingNeed.DISCLAIMER_EN)
    if not draft.disclaimer_nl.strip():
        missing.append(PublishingNeed.DISCLAIMER_NL)
    return missing


def _check(draft: ArticleDraft) -> dict[str, ArticleError]:
    errors: dict[str, ArticleError] = {}
    if not draft.slug:
        errors["slug"] = ArticleError(ArticleRefusal.SLUG_MISSING)
    elif not is_slug(draft.slug):
        errors["slug"] = ArticleError(ArticleRefusal.SLUG_MALFORMED)
    for name, limit in MAX_LENGTHS.items():
        if name not in errors and len(getattr(draft, name)) > limit:
            errors[name] = ArticleError(ArticleRefusal.TOO_LONG, limit=limit)
    if not (draft.title_en.strip() or draft.title_nl.strip()):
        errors["title_en"] = ArticleError(ArticleRefusal.TITLE_MISSING)
    if draft.published_at is not None and draft.published_at.tzinfo is None:
        raise ValueError("published_at must be aware")
    if len(draft.related_slugs) > MAX_RELATED:
        errors["related"] = ArticleError(ArticleRefusal.TOO_MANY_RELATED, limit=MAX_RELATED)
    elif len(set(draft.related_slugs)) != len(draft.related_slugs):
        errors["related"] = ArticleError(ArticleRefusal.RELATED_TWICE)
    return errors


def _related_products(session: Session, slugs: list[str]) -> list[Product]:
    if not slugs:
        return []
    found = {p.slug: p for p in session.scalars(select(Product).where(Product.slug.in_(slugs)))}
    unknown = [slug for slug in slugs if slug not in found or not found[slug].is_active]
    if unknown:
        raise InvalidArticle(
            {"related": ArticleError(ArticleRefusal.NOT_IN_SHOP, slugs=tuple(unknown))}
        )
    return [found[slug] for slug in slugs]


def audit_fields(article: Article) -> dict[str, Any]:
    """The article as the audit log compares it."""
    return {
        "slug": article.slug,
        "title_en": article.title_en,
        "title_nl": article.title_nl,
        "summary_en": article.summary_en,
        "summary_nl": article.summary_nl,
        "body_md_en": article.body_md_en,
        "body_md_nl": article.body_md_nl,
        "disclaimer_en": article.disclaimer_en,
        "disclaimer_nl": article.disclaimer_nl,
        "status": str(article.status),
        "published_at": article.published_at,
        "related": [link.product.slug for link in article.related],
    }


def save_article(
    session: Session,
    article_id: int | None,
    draft: ArticleDraft,
    *,
    publish: bool,
    actor: StaffMember | None,
    now: datetime,
) -> SavedArticle:
    """Create (`article_id` None) or update an article, published or as a draft.

    Raises InvalidArticle (field messages), ArticleNotPublishable (publishing asked without a
    disclaimer in both languages) and ArticleNotFound; nothing is written then. Publishing
    without a date publishes now.
    """
    errors = _check(draft)
    if errors:
        raise InvalidArticle(errors)
    if publish:
        missing = missing_for_publishing(draft)
        if missing:
            raise ArticleNotPublishable(ArticleRefusal.SAVED_UNPUBLISHABLE, missing)
    return save_in_write_transaction(
        session, lambda: _save(session, article_id, draft, publish, actor, now)
    )


def _save(
    session: Session,
    article_id: int | None,
    draft: ArticleDraft,
    publish: bool,
    actor: StaffMember | None,
    now: datetime,
) -> SavedArticle:
    taken = select(Article.id).where(Article.slug == draft.slug)
    if article_id is not None:
        taken = taken.where(Article.id != article_id)
    if session.scalar(taken) is not None:
        raise InvalidArticle({"slug": ArticleError(ArticleRefusal.SLUG_TAKEN)})
    products = _related_products(session, draft.related_slugs)

    if article_id is None:
        article = Article(status=ArticleStatus.DRAFT, created_at=now, updated_at=now)
        before: dict[str, Any] = {}
    else:
        found = session.get(Article, article_id, with_for_update=True)
        if found is None:
            raise ArticleNotFound(str(article_id))
        article = found
        before = audit_fields(article)
    was_published = article.is_published

    article.slug = draft.slug
    for name in ("title", "summary", "body_md", "disclaimer"):
        for language in ("en", "nl"):
            value = getattr(draft, f"{name}_{language}")
            if name != "body_md":
                value = value.strip()
            setattr(article, f"{name}_{language}", value)
    article.published_at = draft.published_at
    if publish:
        article.status = ArticleStatus.PUBLISHED
        if article.published_at is None:
            article.published_at = now
    else:
        article.status = ArticleStatus.DRAFT
    _set_related(article, products)

    changes = diff(before, audit_fields(article))
    if not changes:
        return SavedArticle(article, changed=False)
    article.updated_at = now
    if article_id is None:
        session.add(article)
    _flush(session)
    record_change(
        session,
        actor,
        publication_action(article_id is None, was_published, article.is_published),
        article,
        changes,
        now=now,
        summary=_summary(article, changes),
    )
    return SavedArticle(article, changed=True)


def _set_related(article: Article, products: list[Product]) -> None:
    # A product kept in the list keeps its row (only its place may move).
    current = {link.product_id: link for link in article.related}
    links = []
    for position, product in enumerate(products):
        link = current.get(product.id) or ArticleProduct(product=product)
        link.position = position
        links.append(link)
    article.related = links


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        # Two people saving the same new slug at once: the unique index decides.
        if "slug" not in str(error.orig):
            raise
        raise InvalidArticle({"slug": ArticleError(ArticleRefusal.SLUG_TAKEN)}) from None


def _summary(article: Article, changes: dict[str, tuple[Any, Any]]) -> str:
    parts = [f"article {article.slug}"]
    if "status" in changes:
        parts.append("published" if article.is_published else "not published")
    others = sorted(set(changes) - {"status"})
    if others:
        parts.append("changed " + ", ".join(others))
    return "; ".join(parts)


def set_published(
    session: Session,
    article_id: int,
    publish: bool,
    *,
    actor: StaffMember | None,
    now: datetime,
) -> Article:
    """Publish (now, unless a date is set) or unpublish an article, with its audit entry."""
    begin_write(session)
    try:
        article = session.get(Article, article_id, with_for_update=True)
        if article is None:
            raise ArticleNotFound(str(article_id))
        if publish:
            missing = missing_for_publishing(article)
            if missing:
                raise ArticleNotPublishable(ArticleRefusal.UNPUBLISHABLE, missing)
        if article.is_published == publish:
            session.rollback()
            return article
        before = {"status": str(article.status), "published_at": article.published_at}
        article.status = ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT
        if publish and article.published_at is None:
            article.published_at = now
        article.updated_at = now
        after = {"status": str(article.status), "published_at": article.published_at}
        changes = diff(before, after)
        record_change(
            session,
            actor,
            "publish" if publish else "unpublish",
            article,
            changes,
            now=now,
            summary=_summary(article, changes),
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return article


# --- local date-times in forms -----------------------------------------------------------------


class InvalidLocalTime(ValueError):
    """A date-time typed in a form that is not one, or that the shop's clocks skip."""


def local_to_utc(text: str, tz: ZoneInfo) -> datetime | None:
    """The instant of a local date-time typed as "2026-03-29T14:30"; None when empty.

    A time the clocks skip (02:30 on the last Sunday of March in Amsterdam) is refused; a
    time they pass twice (02:30 on the last Sunday of October) is the first of the two.
    """
    text = text.strip()
    if not text:
        return None
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidLocalTime(text) from None
    if naive.tzinfo is not None or not 1900 <= naive.year <= 9999:
        raise InvalidLocalTime(text)
    local = naive.replace(tzinfo=tz, fold=0)
    instant = local.astimezone(ZoneInfo("UTC"))
    if instant.astimezone(tz).replace(tzinfo=None) != naive:
        raise InvalidLocalTime(text)
    return instant


def utc_to_local_input(instant: datetime | None, tz: ZoneInfo) -> str:
    """The value of a datetime-local input for an instant: "2026-03-29T14:30"."""
    if instant is None:
        return ""
    return instant.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
