"""Site-wide promo banners and the EU Omnibus price note, for pages behind the age gate.

The running public codes (`services.promotions.running_public_codes`, plain values) are
loaded at most once per request (kept in `g`) and shared by the banner
(`templates/_banner.html`) and the product page's Omnibus note
(`templates/storefront/_omnibus.html`); what each says is the rules' (`rules.campaigns`).
Both reach templates as Jinja globals that do the work only when a template asks, so a page
without them costs no query.

Each process keeps the public codes that run now or begin within the next few seconds
(`SHOP_FRAGMENT_CACHE_SECONDS`) and filters them by the instant of every page, so a banner
still appears and disappears on the second its window says. A staff change reaches the
other app servers within those seconds (`web.fragments`).

All the running codes share one strip (`templates/_banner.html`), shown on the catalogue,
the articles and the cart (where the code is entered), not from the checkout on.

A visitor may dismiss a banner; the dismissal is kept in the signed session cookie and the
dismiss button is a plain POST form, so it works without JavaScript.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
)
from flask_babel import get_locale
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.rules.campaigns import Banner, OmnibusNote, PublicCode, banner_for
from shop.rules.campaigns import omnibus_notes as notes_for
from shop.services.promotions import lowest_price_before, running_public_codes
from shop.web import fragments
from shop.web.redirects import safe_next

log = logging.getLogger(__name__)

bp = Blueprint("banners", __name__)

DISMISSED_KEY = "dismissed_banners"
# Enough for any real season; keeps a tampered or long-lived cookie small.
MAX_DISMISSED = 20
MAX_ID_DIGITS = 9
# The gate, and the pages after the cart: the checkout form, the payment page, an order,
# the customer's list of orders and an order's documents.
NO_BANNER_BLUEPRINTS = frozenset(
    {"agegate", "checkout", "payment", "orders", "my_orders", "invoices"}
)


class ProductFacts(Protocol):
    """What the Omnibus note needs of a product (a `Product`, or a product page's facts)."""

    id: int
    category_id: int


def _public_codes_soon(now: datetime) -> list[PublicCode]:
    # One second more than the entry lives, so a code beginning as it expires is in it.
    until = now + timedelta(seconds=current_app.config["SHOP_FRAGMENT_CACHE_SECONDS"] + 1)
    return running_public_codes(db.session(), now=now, until=until)


def _running_public_codes() -> list[PublicCode]:
    """Public codes running now, loaded once per request."""
    if "running_public_codes" not in g:
        now = clock.now()
        soon = fragments.cached(("public codes",), lambda: _public_codes_soon(now))
        g.running_public_codes = [code for code in soon if code.window.contains(now)]
    return g.running_public_codes


def _advertises_here() -> bool:
    # Promotions are for visitors who passed the gate: not on the gate itself, its refusal
    # page or the legal pages a minor may read (none of which sets `age_gated` but the gate).
    # Nor once the customer is paying or reading an order: the code belongs in the cart.
    return bool(
        has_request_context()
        and g.get("age_gated")
        and request.blueprint not in NO_BANNER_BLUEPRINTS
    )


def _dismissed_ids() -> list[int]:
    stored = session.get(DISMISSED_KEY)
    if not isinstance(stored, list):
        return []
    return [item for item in stored if isinstance(item, int) and not isinstance(item, bool)]


def promo_banners() -> list[Banner]:
    """The banners to show on this page: running public codes the visitor has not dismissed."""
    if not _advertises_here():
        return []
    try:
        codes = _running_public_codes()
    except SQLAlchemyError:
        # The banner is part of every page, error pages included: a database that fails here
        # must not also take the error page down.
        log.exception("promo banners could not be loaded")
        db.session.rollback()
        return []
    dismissed = set(_dismissed_ids())
    locale, tz = str(get_locale()), clock.shop_timezone()
    return [banner_for(code, locale, tz) for code in codes if code.id not in dismissed]


def banner_return_path() -> str:
    """Where dismissing a banner leads back to: this page, when it can be fetched again."""
    if request.method not in {"GET", "HEAD"}:
        return "/"
    if not request.query_string:
        return request.path
    return safe_next(f"{request.path}?{request.query_string.decode('utf-8', 'replace')}")


def omnibus_notes(product: ProductFacts) -> list[OmnibusNote]:
    """The product's Omnibus notes under the public codes running now (`rules.campaigns`)."""
    lowest_by_start: dict[datetime, int | None] = {}

    def lowest_price_before_start(starts_at: datetime) -> int | None:
        # The past does not change: kept like the rest of the page, and asked once per start.
        if starts_at not in lowest_by_start:
            lowest_by_start[starts_at] = fragments.cached(
                ("lowest price", product.id, starts_at),
                partial(lowest_price_before, db.session(), product.id, starts_at),
            )
        return lowest_by_start[starts_at]

    return notes_for(
        _running_public_codes(), product.id, product.category_id, lowest_price_before_start
    )


@bp.record_once
def _install_globals(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    app.jinja_env.globals["promo_banners"] = promo_banners
    app.jinja_env.globals["banner_return_path"] = banner_return_path
    app.jinja_env.globals["omnibus_notes"] = omnibus_notes


@bp.post("/banner/dismiss")
def dismiss() -> Response:
    """Hide a promo banner for the rest of the visitor's session and go back to the page."""
    raw = request.form.get("promo_code_id", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS):
        abort(400)
    promo_code_id = int(raw)
    dismissed = _dismissed_ids()
    if promo_code_id not in dismissed:
        session[DISMISSED_KEY] = [*dismissed, promo_code_id][-MAX_DISMISSED:]
    return redirect(safe_next(request.form.get("next")), code=303)
