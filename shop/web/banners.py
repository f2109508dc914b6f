"""Site-wide promo banners and the EU Omnibus price note, for pages behind the age gate.

The running public codes are loaded at most once per request (kept in `g`) and shared by
the banner (`templates/_banner.html`) and the product page's Omnibus note
(`templates/storefront/_omnibus.html`). Both reach templates as Jinja globals that do the
work only when a template asks, so a page without them costs no query.

A visitor may dismiss a banner; the dismissal is kept in the signed session cookie and the
dismiss button is a plain POST form, so it works without JavaScript.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask import Blueprint, Flask, abort, g, has_request_context, redirect, request, session
from flask_babel import get_locale
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.models import Product, PromoCode
from shop.rules.promotions import Kind, last_local_date
from shop.services.promotions import covers_product, lowest_price_before, running_banners
from shop.web.redirects import safe_next

log = logging.getLogger(__name__)

bp = Blueprint("banners", __name__)

DISMISSED_KEY = "dismissed_banners"
# Enough for any real season; keeps a tampered or long-lived cookie small.
MAX_DISMISSED = 20
MAX_ID_DIGITS = 9


@dataclass(frozen=True)
class Banner:
    """What a banner shows: the code's dates are local, `last_date` inclusive."""

    promo_code_id: int
    code: str
    title: str
    text: str
    first_date: date | None
    last_date: date | None
    percent: int | None
    amount_cents: int | None


@dataclass(frozen=True)
class OmnibusNote:
    """The lowest price of a product in the 30 days before a promotion covering it began."""

    code: str
    lowest_price_cents: int


def _running_public_codes() -> list[PromoCode]:
    """Public codes running now, loaded once per request."""
    if "running_public_codes" not in g:
        g.running_public_codes = running_banners(db.session, now=clock.now())
    return g.running_public_codes


def _advertises_here() -> bool:
    # Promotions are for visitors who passed the gate: not on the gate itself, its refusal
    # page or the legal pages a minor may read (none of which sets `age_gated` but the gate).
    return bool(has_request_context() and g.get("age_gated") and request.blueprint != "agegate")


def _dismissed_ids() -> list[int]:
    stored = session.get(DISMISSED_KEY)
    if not isinstance(stored, list):
        return []
    return [item for item in stored if isinstance(item, int) and not isinstance(item, bool)]


def _banner(code: PromoCode, locale: str) -> Banner:
    tz = clock.shop_timezone()
    window = code.window
    is_percent = Kind(code.kind) is Kind.PERCENT
    return Banner(
        promo_code_id=code.id,
        code=code.display_code,
        title=code.banner_title(locale),
        text=code.banner_text(locale),
        first_date=window.starts_at.astimezone(tz).date() if window.starts_at else None,
        last_date=last_local_date(window, tz),
        percent=code.value if is_percent else None,
        amount_cents=None if is_percent else code.value,
    )


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
    locale = str(get_locale())
    return [_banner(code, locale) for code in codes if code.id not in dismissed]


def banner_return_path() -> str:
    """Where dismissing a banner leads back to: this page, when it can be fetched again."""
    if request.method not in {"GET", "HEAD"}:
        return "/"
    if not request.query_string:
        return request.path
    return safe_next(f"{request.path}?{request.query_string.decode('utf-8', 'replace')}")


def omnibus_notes(product: Product) -> list[OmnibusNote]:
    """For each running public code covering the product, its lowest price in the 30 days
    before the code began (EU Directive 2019/2161, art. 6a); none without price history."""
    notes: list[OmnibusNote] = []
    lowest_by_start: dict[datetime, int | None] = {}
    for code in _running_public_codes():
        if code.starts_at is None or not covers_product(code, product):
            continue  # an open start has no "before the promotion" to compare with
        if code.starts_at not in lowest_by_start:
            lowest_by_start[code.starts_at] = lowest_price_before(
                db.session, product.id, code.starts_at
            )
        lowest = lowest_by_start[code.starts_at]
        if lowest is not None and all(n.lowest_price_cents != lowest for n in notes):
            notes.append(OmnibusNote(code=code.display_code, lowest_price_cents=lowest))
    return notes


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
