"""Information pages: staff edit the contact, shipping, returns and FAQ pages.

The set of pages is fixed (the footer links each), so there is a list and an edit form but
no "new" or "delete". Managers and owners save; everyone signed in may read. The service
(`services.pages.save_page`) checks the texts and writes the audit entry in the same
transaction; its refusals are worded by `shop.web.wording`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField

from shop import clock
from shop.extensions import db
from shop.models import ShopPage
from shop.services.pages import (
    MAX_LENGTHS,
    InvalidPage,
    PageNotFound,
    PageText,
    list_pages,
    page_for_reader,
    save_page,
)
from shop.web.admin import Access, bp, can, current_staff, read_only_view, requires, section
from shop.web.admin.texts import MarkdownForm
from shop.web.forms import one_line

section("admin.pages", _l("Pages"), Access.VIEW)

# The storefront address of each page, by its slug.
PUBLIC_ENDPOINTS = {
    "contact": "pages.contact",
    "shipping": "pages.shipping",
    "returns": "pages.returns",
    "faq": "pages.faq",
}


def _paragraphs(typed: object) -> str:
    # Browsers send a textarea's line breaks as CRLF; stored as LF, ending in one newline
    # as the default texts do, so saving an untouched page changes nothing.
    text = typed if isinstance(typed, str) else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text + "\n" if text else ""


class PageForm(MarkdownForm):
    """A page's titles and bodies as staff typed them."""

    title_en = StringField(
        _l("Title (English)"), id="f-title_en", filters=[one_line(MAX_LENGTHS["title_en"] + 1)]
    )
    title_nl = StringField(
        _l("Title (Dutch)"), id="f-title_nl", filters=[one_line(MAX_LENGTHS["title_nl"] + 1)]
    )
    body_md_en = TextAreaField(_l("Text (English)"), id="f-body_md_en", filters=[_paragraphs])
    body_md_nl = TextAreaField(_l("Text (Dutch)"), id="f-body_md_nl", filters=[_paragraphs])

    @classmethod
    def of(cls, page: ShopPage) -> PageForm:
        """The form showing the page as it is saved."""
        return cls(formdata=None, data={name: getattr(page, name) for name in MAX_LENGTHS})

    def to_text(self) -> PageText:
        return PageText(**{name: self[name].data or "" for name in MAX_LENGTHS})


def _page_or_404(slug: str) -> ShopPage:
    try:
        return page_for_reader(db.session(), slug)
    except PageNotFound:
        abort(404)


def _render_form(
    page: ShopPage, form: PageForm, *, status: int = 200, preview: bool = False
) -> tuple[str, int]:
    previews: dict[str, Markup] = form.previews() if preview else {}
    html = render_template(
        "admin/pages/form.html",
        page=page,
        form=form,
        previews=previews,
        public_endpoint=PUBLIC_ENDPOINTS.get(page.slug),
        can_manage=can(Access.MANAGE),
        max_lengths=MAX_LENGTHS,
    )
    return html, status


@bp.get("/pages")
@requires(Access.VIEW)
def pages() -> str:
    """List the information pages and when each was last changed."""
    return render_template(
        "admin/pages/list.html",
        pages=list_pages(db.session()),
        public_endpoints=PUBLIC_ENDPOINTS,
        tz=clock.shop_timezone(),
    )


@bp.get("/pages/<slug>")
@requires(Access.VIEW)
@read_only_view
def page(slug: str) -> tuple[str, int]:
    """Show the page's form."""
    found = _page_or_404(slug)
    return _render_form(found, PageForm.of(found))


@bp.post("/pages/<slug>")
@requires(Access.MANAGE)
def page_save(slug: str) -> Response | tuple[str, int]:
    """Save the page's changes, or preview its text."""
    found = _page_or_404(slug)
    form = PageForm()
    if request.form.get("action") == "preview":
        return _render_form(found, form, preview=True)
    if not form.validate():
        return _render_form(found, form, status=422)
    try:
        saved = save_page(
            db.session(), slug, form.to_text(), actor=current_staff(), now=clock.now()
        )
    except InvalidPage as invalid:
        form.refused(invalid)
        return _render_form(found, form, status=422)
    except PageNotFound:
        abort(404)
    flash(_("Saved. Visitors see the new text.") if saved.changed else _("Nothing changed."))
    return redirect(url_for("admin.page", slug=slug), code=303)
