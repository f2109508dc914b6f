"""Site-wide promo banners and the EU Omnibus price note, for pages behind the age gate.

The running public codes are loaded at most once per request (kept in `g`) and shared by
the banner (`templates/_banner.html`) and the product page's Omnibus note
(`templates/storefront/_omnibus.html`). Both reach templates as Jinja globals that do the
work only when a template asks, so a page without them costs no query.

Each process keeps the public codes that run now or begin within the next few seconds
(`SHOP_FRAGMENT_CACHE_SECONDS`, as plain values) and filters them by the instant of every
page, so a banner still appears and disappears on the second its window says. A staff
change reaches the other app servers within those seconds (`web.fragments`).

A visitor may dismiss a banner; the dismissal is kept in the signed session cookie and the
dismiss button is a plain POST form, so it works without JavaScript.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
from shop.models import PromoCode
from shop.models.catalog import localized
from shop.rules.promotions import Kind, Window, last_local_date
from shop.services.promotions import lowest_price_before, running_banners
from shop.web import fragments
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


class ProductFacts(Protocol):
    """What a banner rule needs of a product (a `Product`, or a product page's facts)."""

    id: int
    category_id: int


@dataclass(frozen=True)
class RunningCode:
    """What banners and Omnibus notes need of a public code, detached from any session."""

    id: int
    display_code: str
    is_percent: bool
    value: int
    starts_at: datetime | None
    ends_at: datetime | None
    banner_title_en: str
    banner_title_nl: str
    banner_text_en: str
    banner_text_nl: str
    product_ids: frozenset[int]
    category_ids: frozenset[int]

    @classmethod
    def of(cls, code: PromoCode) -> RunningCode:
        return cls(
            id=code.id,
            display_code=code.display_code,
            is_percent=Kind(code.kind) is Kind.PERCENT,
            value=code.value,
            starts_at=code.starts_at,
            ends_at=code.ends_at,
            banner_title_en=code.banner_title_en,
            banner_title_nl=code.banner_title_nl,
            banner_text_en=code.banner_text_en,
            banner_text_nl=code.banner_text_nl,
            product_ids=frozenset(product.id for product in code.products),
            category_ids=frozenset(category.id for category in code.categories),
        )

    @property
    def window(self) -> Window:
        return Window(self.starts_at, self.ends_at)

    def banner_title(self, locale: str) -> str:
        return localized(self, "banner_title", locale)

    def banner_text(self, locale: str) -> str:
        return localized(self, "banner_text", locale)

    def covers(self, product: ProductFacts) -> bool:
        """True when the code discounts this product (whole-order codes cover everything)."""
        if not self.product_ids and not self.category_ids:
            return True
        return product.id in self.product_ids or product.category_id in self.category_ids


def _public_codes_soon(now: datetime) -> list[RunningCode]:
    # One second more than the entry lives, so a code beginning as it expires is in it.
    until = now + timedelta(seconds=current_app.config["SHOP_FRAGMENT_CACHE_SECONDS"] + 1)
    return [RunningCode.of(code) for code in running_banners(db.session(), now=now, until=until)]


def _running_public_codes() -> list[RunningCode]:
    """Public codes running now, loaded once per request."""
    if "running_public_codes" not in g:
        now = clock.now()
        soon = fragments.cached(("public codes",), lambda: _public_codes_soon(now))
        g.running_public_codes = [code for code in soon if code.window.contains(now)]
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


def _banner(code: RunningCode, locale: str) -> Banner:
    tz = clock.shop_timezone()
    window = code.window
    is_percent = code.is_percent
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


def omnibus_notes(product: ProductFacts) -> list[OmnibusNote]:
    """For each running public code covering the product, its lowest price in the 30 days
    before the code began (EU Directive 2019/2161, art. 6a); none without price history."""
    notes: list[OmnibusNote] = []
    lowest_by_start: dict[datetime, int | None] = {}
    for code in _running_public_codes():
        if code.starts_at is None or not code.covers(product):
            continue  # an open start has no "before the promotion" to compare with
        if code.starts_at not in lowest_by_start:
            # The past does not change: kept like the rest of the page.
            starts_at = code.starts_at
            lowest_by_start[starts_at] = fragments.cached(
                ("lowest price", product.id, starts_at),
                partial(lowest_price_before, db.session(), product.id, starts_at),
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
