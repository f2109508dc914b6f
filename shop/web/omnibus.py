"""The running public promo codes of this request, and the EU Omnibus price notes they call
for (Directive 2019/2161, art. 6a): shared by the promo banners (`web.banners`) and the
catalogue's product pages and product cards (`web.storefront`), so neither blueprint imports
the other.

The running public codes (`services.promotions.running_public_codes`, plain values) are
loaded at most once per request (kept in `g`). Each process keeps the public codes that run
now or begin within the next few seconds (`SHOP_FRAGMENT_CACHE_SECONDS`) and filters them by
the instant of every page, so a banner or a note appears and disappears on the second its
window says. What each note says is the rules' (`rules.campaigns`). A list's notes take one
query per running code's start, whatever the list's length (`list_omnibus_notes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from flask import current_app, g

from shop import clock
from shop.extensions import db
from shop.rules.campaigns import OmnibusNote, PublicCode
from shop.rules.campaigns import omnibus_notes as notes_for
from shop.rules.promotions import Kind
from shop.services.promotions import (
    lowest_price_before,
    lowest_prices_before,
    running_public_codes,
)
from shop.web import fragments


class ProductFacts(Protocol):
    """What the Omnibus note needs of a product (a `Product`, or a product page's facts)."""

    id: int
    category_id: int


def _public_codes_soon(now: datetime) -> list[PublicCode]:
    # One second more than the entry lives, so a code beginning as it expires is in it.
    until = now + timedelta(seconds=current_app.config["SHOP_FRAGMENT_CACHE_SECONDS"] + 1)
    return running_public_codes(db.session(), now=now, until=until)


def running_public_codes_now() -> list[PublicCode]:
    """Public codes running now, loaded once per request."""
    if "running_public_codes" not in g:
        now = clock.now()
        soon = fragments.cached(("public codes",), lambda: _public_codes_soon(now))
        g.running_public_codes = [code for code in soon if code.window.contains(now)]
    return g.running_public_codes


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
        running_public_codes_now(), product.id, product.category_id, lowest_price_before_start
    )


def _lowest_of(
    lowest: dict[datetime, dict[int, int | None]], product_id: int, start: datetime
) -> int | None:
    return lowest[start].get(product_id)


def list_omnibus_notes(products: Sequence[ProductFacts]) -> dict[int, list[OmnibusNote]]:
    """The Omnibus notes of a list's products, by product id (only those that have one):
    one query per running public code's start, whatever the list's length."""
    codes = running_public_codes_now()
    covered = [p for p in products if any(c.covers(p.id, p.category_id) for c in codes)]
    starts = {
        c.window.starts_at
        for c in codes
        if c.window.starts_at is not None and c.kind is not Kind.FREE_SHIPPING
    }
    if not covered or not starts:
        return {}
    ids = tuple(sorted(p.id for p in covered))
    lowest = {
        start: fragments.cached(
            ("lowest prices", ids, start),
            partial(lowest_prices_before, db.session(), ids, start),
        )
        for start in starts
    }
    notes = {
        p.id: notes_for(codes, p.id, p.category_id, partial(_lowest_of, lowest, p.id))
        for p in covered
    }
    return {product_id: found for product_id, found in notes.items() if found}
