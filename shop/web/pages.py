"""Who sells and the information pages: contact, shipping, returns and the FAQ.

The seller's details (`SHOP_SELLER_*`) and the delivery promise are in every template's
context, for the footer and the pages. The pages are outside the age gate, like the terms:
who sells and how to withdraw must be readable by anyone. Each page is one query; what
the law fixes on them (the seller's identity, the model withdrawal form) comes from the
settings, not from the staff-edited text.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, render_template
from flask_babel import get_locale

from shop.extensions import db
from shop.models import PageSlug
from shop.services.pages import PageNotFound, page_for_reader
from shop.text import render_article
from shop.web.seller import seller_from

bp = Blueprint("pages", __name__)


def delivery_promise() -> str:
    """The delivery time promised, in the visitor's language."""
    language = "NL" if str(get_locale()).startswith("nl") else "EN"
    return str(current_app.config[f"SHOP_DELIVERY_PROMISE_{language}"])


def register(app: Flask) -> None:
    """Put the seller and the delivery promise in every template's context."""
    seller = seller_from(app.config)

    @app.context_processor
    def seller_context() -> dict[str, object]:
        return {"seller": seller, "delivery_promise": delivery_promise}


def _show(slug: PageSlug, template: str = "pages/page.html") -> str:
    try:
        page = page_for_reader(db.session(), slug)
    except PageNotFound:
        abort(404)
    locale = str(get_locale())
    return render_template(template, page=page, rendered=render_article(page.body_md(locale)))


@bp.route("/contact")
def contact() -> str:
    """Show who sells, how to reach them and how complaints are handled."""
    return _show(PageSlug.CONTACT, "pages/contact.html")


@bp.route("/shipping")
def shipping() -> str:
    """Show how and when orders are shipped and delivered."""
    return _show(PageSlug.SHIPPING)


@bp.route("/returns")
def returns() -> str:
    """Show the right of withdrawal, its exclusions and the model withdrawal form."""
    return _show(PageSlug.RETURNS, "pages/returns.html")


@bp.route("/faq")
def faq() -> str:
    """Show the frequently asked questions."""
    return _show(PageSlug.FAQ)


# The footer's links, in order: (endpoint, page).
FOOTER_PAGES = (
    ("pages.contact", PageSlug.CONTACT),
    ("pages.shipping", PageSlug.SHIPPING),
    ("pages.returns", PageSlug.RETURNS),
    ("pages.faq", PageSlug.FAQ),
)
