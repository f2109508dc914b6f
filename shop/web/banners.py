"""Site-wide promo banners, for pages behind the age gate.

The running public codes come from `web.omnibus` (loaded at most once per request, shared
with the product pages' and cards' Omnibus notes, and timed to the second there); what a
banner says is the rules' (`rules.campaigns`). Banners and the Omnibus note of a product
page reach templates as Jinja globals that do the work only when a template asks, so a page
without them costs no query.

All the running codes share one strip (`templates/_banner.html`), shown on the catalogue,
the articles and the cart (where the code is entered), not from the checkout on.

A visitor may dismiss a banner; the dismissal is kept in the signed session cookie and the
dismiss button is a plain POST form, so it works without JavaScript.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Flask,
    abort,
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
from shop.rules.campaigns import Banner, banner_for
from shop.web.omnibus import omnibus_notes, running_public_codes_now
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


def _advertises_here() -> bool:
    # Promotions are for visitors who passed the gate: not on the gate itself, its refusal
    # page or the legal pages a minor may read (none of which sets `age_gated` but the gate).
    # Nor once the customer is paying or reading an order: the code belongs in the cart.
    return bool(
        has_request_context()
        and g.get("age_gated")
        and request.blueprint not in NO_BANNER_BLUEPRINTS
    )


def dismissed_ids() -> list[int]:
    """The ids of the promo codes whose banner this visitor dismissed."""
    stored = session.get(DISMISSED_KEY)
    if not isinstance(stored, list):
        return []
    return [item for item in stored if isinstance(item, int) and not isinstance(item, bool)]


def promo_banners() -> list[Banner]:
    """The banners to show on this page: running public codes the visitor has not dismissed."""
    if not _advertises_here():
        return []
    try:
        codes = running_public_codes_now()
    except SQLAlchemyError:
        # The banner is part of every page, error pages included: a database that fails here
        # must not also take the error page down.
        log.exception("promo banners could not be loaded")
        db.session.rollback()
        return []
    dismissed = set(dismissed_ids())
    locale, tz = str(get_locale()), clock.shop_timezone()
    return [banner_for(code, locale, tz) for code in codes if code.id not in dismissed]


def banner_return_path() -> str:
    """Where dismissing a banner leads back to: this page, when it can be fetched again."""
    if request.method not in {"GET", "HEAD"}:
        return "/"
    if not request.query_string:
        return request.path
    return safe_next(f"{request.path}?{request.query_string.decode('utf-8', 'replace')}")


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
    dismissed = dismissed_ids()
    if promo_code_id not in dismissed:
        session[DISMISSED_KEY] = [*dismissed, promo_code_id][-MAX_DISMISSED:]
    return redirect(safe_next(request.form.get("next")), code=303)
