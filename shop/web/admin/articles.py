"""Articles: list, write both language versions, relate products, preview, publish.

The form is a `ShopForm` (`ArticleForm`): it reads what staff typed (one-line titles and
summaries, a slug made from the title when left empty, the publication date typed in the
shop's local time and read as a UTC instant). `services.articles.save_article` decides the
rules (the slug rule, lengths, a disclaimer in English and in Dutch for publishing) and writes
the audit entry in the same transaction; its refusals are worded by `shop.web.wording`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import BooleanField, Field, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import DateTimeLocalInput

from shop import clock
from shop.extensions import db
from shop.models import Article
from shop.rules.input import page_number, slug_from
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
from shop.web.admin import Access, bp, can, current_staff, read_only_view, requires, section
from shop.web.admin.texts import MarkdownForm
from shop.web.forms import one_line
from shop.web.wording import publishing_needs, refusal_text

section("admin.articles", _l("Articles"), Access.VIEW)

PAGE_SIZE = 50
TEXT_FIELDS = tuple(MAX_LENGTHS)  # slug, titles, summaries, bodies, disclaimers


def _line(name: str) -> Any:
    # One more character than allowed is read, so that the service can say it is too long.
    return one_line(MAX_LENGTHS[name] + 1)


def _paragraphs(typed: object) -> str:
    # Browsers send a textarea's line breaks as CRLF; stored as LF.
    text = typed if isinstance(typed, str) else ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


class LocalDateTimeField(Field):
    """A date and time typed in the shop's time zone ("2026-03-29T14:30", a datetime-local
    input); `data` is the aware UTC instant, or None when left empty."""

    widget = DateTimeLocalInput()

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(str(self.raw_data[0]).split())
        return utc_to_local_input(self.data, clock.shop_timezone())

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = local_to_utc(str(valuelist[0])[:40], clock.shop_timezone())
        except InvalidLocalTime:
            self.data = None
            raise ValueError(
                _l(
                    "Please give a date and time that exists in the shop's time zone, "
                    "like 2026-03-29 14:30."
                )
            ) from None


class ArticleForm(MarkdownForm):
    """What staff typed; the service's refusals are added to the fields they are about."""

    title_en = StringField(_l("Title (English)"), id="f-title_en", filters=[_line("title_en")])
    title_nl = StringField(_l("Title (Dutch)"), id="f-title_nl", filters=[_line("title_nl")])
    slug = StringField(
        _l("Slug"), id="f-slug", filters=[_line("slug"), lambda typed: typed.lower()]
    )
    summary_en = StringField(
        _l("Summary (English)"), id="f-summary_en", filters=[_line("summary_en")]
    )
    summary_nl = StringField(
        _l("Summary (Dutch)"), id="f-summary_nl", filters=[_line("summary_nl")]
    )
    disclaimer_en = TextAreaField(
        _l("Disclaimer (English)"), id="f-disclaimer_en", filters=[_paragraphs]
    )
    disclaimer_nl = TextAreaField(
        _l("Disclaimer (Dutch)"), id="f-disclaimer_nl", filters=[_paragraphs]
    )
    body_md_en = TextAreaField(_l("Text (English)"), id="f-body_md_en", filters=[_paragraphs])
    body_md_nl = TextAreaField(_l("Text (Dutch)"), id="f-body_md_nl", filters=[_paragraphs])
    # Slugs of products, in the order shown; the service says which are not in the shop.
    related = SelectMultipleField(_l("Related products"), id="f-related", validate_choice=False)
    published_at = LocalDateTimeField(id="f-published_at")
    publish = BooleanField(_l("Published"), id="f-publish")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = clock.shop_timezone().key
        self.published_at.label.text = _("Published at (%(zone)s time)", zone=zone)

    @classmethod
    def of(cls, article: Article) -> ArticleForm:
        """The form showing the article as it is saved."""
        values: dict[str, Any] = {name: getattr(article, name) for name in TEXT_FIELDS}
        values["published_at"] = article.published_at
        values["related"] = [link.product.slug for link in article.related]
        values["publish"] = article.is_published
        return cls(formdata=None, data=values)

    @property
    def related_slugs(self) -> list[str]:
        return list(self.related.data or [])

    def validate(self, extra_validators: Any = None) -> bool:
        if not self.slug.data:
            # Made from the title when left empty, and shown so if the form comes back.
            title = self.title_en.data or self.title_nl.data or ""
            self.slug.data = slug_from(title, MAX_LENGTHS["slug"])
        return bool(super().validate(extra_validators))

    def to_draft(self) -> ArticleDraft:
        """The article as the service takes it (after `validate`)."""
        published_at: datetime | None = self.published_at.data
        return ArticleDraft(
            **{name: self[name].data or "" for name in TEXT_FIELDS},
            published_at=published_at,
            related_slugs=self.related_slugs,
        )


def _article_or_404(article_id: int) -> Article:
    try:
        return article_for_staff(db.session(), article_id)
    except ArticleNotFound:
        abort(404)


def _render_form(
    article: Article | None, form: ArticleForm, *, status: int = 200, preview: bool = False
) -> tuple[str, int]:
    previews: dict[str, Markup] = form.previews() if preview else {}
    choices = product_choices(db.session())
    # The chosen products first, in their order, then the others by name.
    chosen = {slug: index for index, slug in enumerate(form.related_slugs)}
    choices.sort(key=lambda p: chosen.get(p.slug, len(chosen)))
    missing = missing_for_publishing(article) if article is not None else []
    html = render_template(
        "admin/articles/form.html",
        article=article,
        form=form,
        previews=previews,
        products=choices,
        missing=publishing_needs(missing),
        can_manage=can(Access.MANAGE),
        max_lengths=MAX_LENGTHS,
    )
    return html, status


# --- the list ----------------------------------------------------------------------------


@bp.get("/articles")
@requires(Access.VIEW)
def articles() -> str:
    """List the articles, drafts included, with their status and dates."""
    listing = list_articles_for_staff(
        db.session(), number=page_number(request.args.get("page")), size=PAGE_SIZE
    )
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
    return _render_form(None, ArticleForm(formdata=None))


@bp.post("/articles/new")
@requires(Access.MANAGE)
def article_create() -> Response | tuple[str, int]:
    """Create the article, or preview its body."""
    return _save(None)


@bp.get("/articles/<int:article_id>")
@requires(Access.VIEW)
@read_only_view
def article(article_id: int) -> tuple[str, int]:
    """Show the article's form."""
    found = _article_or_404(article_id)
    return _render_form(found, ArticleForm.of(found))


@bp.post("/articles/<int:article_id>")
@requires(Access.MANAGE)
def article_save(article_id: int) -> Response | tuple[str, int]:
    """Save the article's changes, or preview its body."""
    return _save(article_id)


def _save(article_id: int | None) -> Response | tuple[str, int]:
    article = _article_or_404(article_id) if article_id is not None else None
    form = ArticleForm()
    if request.form.get("action") == "preview":
        return _render_form(article, form, preview=True)
    if not form.validate():
        return _render_form(article, form, status=422)
    try:
        saved = save_article(
            db.session(),
            article_id,
            form.to_draft(),
            publish=form.publish.data,
            actor=current_staff(),
            now=clock.now(),
        )
    except InvalidArticle as invalid:
        form.refused(invalid)
        return _render_form(article, form, status=422)
    except ArticleNotPublishable as refused:
        form.publish.errors = [*form.publish.errors, refusal_text(refused)]
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
        set_published(db.session(), article_id, True, actor=current_staff(), now=clock.now())
    except ArticleNotFound:
        abort(404)
    except ArticleNotPublishable as refused:
        found = _article_or_404(article_id)
        form = ArticleForm.of(found)
        form.publish.errors = [refusal_text(refused)]
        return _render_form(found, form, status=422)
    flash(_("The article is published."))
    return redirect(url_for("admin.article", article_id=article_id), code=303)


@bp.post("/articles/<int:article_id>/unpublish")
@requires(Access.MANAGE)
def article_unpublish(article_id: int) -> Response:
    """Take the article back to a draft: readers no longer see it."""
    try:
        set_published(db.session(), article_id, False, actor=current_staff(), now=clock.now())
    except ArticleNotFound:
        abort(404)
    flash(_("The article is a draft again: readers do not see it."))
    return redirect(url_for("admin.article", article_id=article_id), code=303)
