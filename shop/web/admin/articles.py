"""Articles: list, write both language versions, relate products, preview, publish.

The form is read in plain code, as the products' is, and saved through
`services.articles.save_article`, which decides the publishing rule (a disclaimer in English
and in Dutch) and writes the audit entry in the same transaction. The publication date is
typed in the shop's local time (Amsterdam) and stored in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.models import Article, StaffMember
from shop.services.articles import (
    MAX_LENGTHS,
    ArticleDraft,
    ArticleNotFound,
    ArticleNotPublishable,
    InvalidArticle,
    InvalidLocalTime,
    article_for_staff,
    list_articles_for_staff,
    local_to_utc,
    missing_for_publishing,
    product_choices,
    save_article,
    set_published,
    utc_to_local_input,
)
from shop.text import render_article, slugify
from shop.web.admin import Access, bp, can, current_staff, requires, section

section("admin.articles", _l("Articles"), Access.VIEW)

PAGE_SIZE = 50
MAX_PAGE = 10_000
TEXT_FIELDS = tuple(MAX_LENGTHS)  # slug, titles, summaries, bodies, disclaimers


def _text(form: Mapping[str, str], name: str) -> str:
    # Browsers send a textarea's line breaks as CRLF; stored as LF.
    return form.get(name, "").replace("\r\n", "\n").replace("\r", "\n")


def _line(form: Mapping[str, str], name: str) -> str:
    return " ".join(form.get(name, "").split())


@dataclass
class ArticleForm:
    """What staff typed, and what is wrong with it, field by field."""

    values: dict[str, str] = field(default_factory=dict)
    published_at: str = ""
    related: list[str] = field(default_factory=list)
    publish: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_article(cls, article: Article) -> ArticleForm:
        return cls(
            values={name: getattr(article, name) for name in TEXT_FIELDS},
            published_at=utc_to_local_input(article.published_at, clock.shop_timezone()),
            related=[link.product.slug for link in article.related],
            publish=article.is_published,
        )

    @classmethod
    def from_request(cls, form: Mapping[str, str], related: list[str]) -> ArticleForm:
        values = {}
        for name in TEXT_FIELDS:
            multiline = name.startswith(("body_md", "disclaimer"))
            values[name] = _text(form, name).strip() if multiline else _line(form, name)
        values["slug"] = values["slug"].lower()
        return cls(
            values=values,
            published_at=_line(form, "published_at"),
            related=related,
            publish=form.get("publish") == "yes",
        )

    def to_draft(self) -> ArticleDraft | None:
        """The article as the service takes it, or None with `errors` filled in."""
        if not self.values["slug"]:
            self.values["slug"] = slugify(self.values["title_en"] or self.values["title_nl"])
        try:
            published_at = local_to_utc(self.published_at, clock.shop_timezone())
        except InvalidLocalTime:
            self.errors["published_at"] = _(
                "Please give a date and time that exists in the shop's time zone, "
                "like 2026-03-29 14:30."
            )
            return None
        return ArticleDraft(
            **{name: self.values[name] for name in TEXT_FIELDS},
            published_at=published_at,
            related_slugs=self.related,
        )


def _staff() -> StaffMember:
    return current_staff()


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def _article_or_404(article_id: int) -> Article:
    try:
        return article_for_staff(db.session(), article_id)
    except ArticleNotFound:
        abort(404)


def _render_form(
    article: Article | None, form: ArticleForm, *, status: int = 200, preview: bool = False
) -> tuple[str, int]:
    previews: dict[str, Markup] = {}
    if preview:
        previews = {
            language: render_article(form.values[f"body_md_{language}"]).html
            for language in ("en", "nl")
        }
    choices = product_choices(db.session())
    # The chosen products first, in their order, then the others by name.
    chosen = {slug: index for index, slug in enumerate(form.related)}
    choices.sort(key=lambda p: chosen.get(p.slug, len(chosen)))
    html = render_template(
        "admin/articles/form.html",
        article=article,
        form=form,
        errors=list(form.errors.items()),
        previews=previews,
        products=choices,
        missing=missing_for_publishing(article) if article is not None else [],
        can_manage=can(Access.MANAGE),
        zone_name=clock.shop_timezone().key,
        max_lengths=MAX_LENGTHS,
    )
    return html, status


# --- the list ----------------------------------------------------------------------------


@bp.get("/articles")
@requires(Access.VIEW)
def articles() -> str:
    """List the articles, drafts included, with their status and dates."""
    listing = list_articles_for_staff(db.session(), number=_page_number(), size=PAGE_SIZE)
    return render_template(
        "admin/articles/list.html",
        listing=listing,
        now=clock.now(),
        tz=clock.shop_timezone(),
    )


# --- create and edit ---------------------------------------------------------------------


@bp.get("/articles/new")
@requires(Access.MANAGE)
def article_new() -> tuple[str, int]:
    """Show an empty article form."""
    return _render_form(None, ArticleForm(values=dict.fromkeys(TEXT_FIELDS, "")))


@bp.post("/articles/new")
@requires(Access.MANAGE)
def article_create() -> Response | tuple[str, int]:
    """Create the article, or preview its body."""
    return _save(None)


@bp.get("/articles/<int:article_id>")
@requires(Access.VIEW)
def article(article_id: int) -> tuple[str, int]:
    """Show the article's form."""
    found = _article_or_404(article_id)
    return _render_form(found, ArticleForm.from_article(found))


@bp.post("/articles/<int:article_id>")
@requires(Access.MANAGE)
def article_save(article_id: int) -> Response | tuple[str, int]:
    """Save the article's changes, or preview its body."""
    return _save(article_id)


def _save(article_id: int | None) -> Response | tuple[str, int]:
    article = _article_or_404(article_id) if article_id is not None else None
    form = ArticleForm.from_request(request.form, request.form.getlist("related"))
    if request.form.get("action") == "preview":
        return _render_form(article, form, preview=True)
    draft = form.to_draft()
    if draft is None:
        return _render_form(article, form, status=422)
    try:
        saved = save_article(
            db.session(),
            article_id,
            draft,
            publish=form.publish,
            actor=_staff(),
            now=clock.now(),
        )
    except InvalidArticle as invalid:
        form.errors.update(invalid.errors)
        return _render_form(article, form, status=422)
    except ArticleNotPublishable as refused:
        form.errors["publish"] = _(
            "An article cannot be published without %(missing)s. Nothing was saved. Write "
            "what is missing, or untick “Published” to save it as a draft.",
            missing=", ".join(refused.missing),
        )
        return _render_form(article, form, status=422)
    except ArticleNotFound:
        abort(404)
    if not saved.changed:
        flash(_("Nothing changed."))
    elif saved.article.is_published:
        flash(_("Saved. The article is published."))
    else:
        flash(_("Saved as a draft: readers do not see it."))
    return redirect(url_for("admin.article", article_id=saved.article.id), code=303)


@bp.post("/articles/<int:article_id>/publish")
@requires(Access.MANAGE)
def article_publish(article_id: int) -> Response | tuple[str, int]:
    """Publish the article (now, unless it has a date), if it has both disclaimers."""
    try:
        set_published(db.session(), article_id, True, actor=_staff(), now=clock.now())
    except ArticleNotFound:
        abort(404)
    except ArticleNotPublishable as refused:
        found = _article_or_404(article_id)
        form = ArticleForm.from_article(found)
        form.errors["publish"] = _(
            "An article cannot be published without %(missing)s. Nothing was changed.",
            missing=", ".join(refused.missing),
        )
        return _render_form(found, form, status=422)
    flash(_("The article is published."))
    return redirect(url_for("admin.article", article_id=article_id), code=303)


@bp.post("/articles/<int:article_id>/unpublish")
@requires(Access.MANAGE)
def article_unpublish(article_id: int) -> Response:
    """Take the article back to a draft: readers no longer see it."""
    try:
        set_published(db.session(), article_id, False, actor=_staff(), now=clock.now())
    except ArticleNotFound:
        abort(404)
    flash(_("The article is a draft again: readers do not see it."))
    return redirect(url_for("admin.article", article_id=article_id), code=303)
