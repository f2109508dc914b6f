"""Product cards' per-visitor parts, filled in after the cache: the add-to-cart forms' CSRF
token and way back, and the Omnibus notes of the codes running now (`web.fragments` slots).
Shared by every page that shows cards (the catalogue, the articles), so none of those
blueprints imports another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import render_template, request
from markupsafe import Markup

from shop.web import fragments
from shop.web.omnibus import list_omnibus_notes
from shop.web.page_cache import csrf_token
from shop.web.redirects import safe_next


@dataclass  # not frozen: it fills `omnibus.ProductFacts`, whose fields are plain attributes
class CardFacts:
    """What a product card's per-visitor parts (its Omnibus note) need of the product."""

    id: int
    category_id: int


def card_facts(products: Iterable[object]) -> tuple[CardFacts, ...]:
    return tuple(CardFacts(p.id, p.category_id) for p in products)  # type: ignore[attr-defined]


def for_this_visitor(html: Markup, cards: Iterable[CardFacts]) -> Markup:
    """Cached product cards with this visitor's parts filled in (`web.fragments` slots): the
    add-to-cart forms' CSRF token and way back, and the Omnibus notes running now."""
    query = request.query_string.decode("utf-8", "replace")
    values: dict[str, str | Markup] = {
        "next": safe_next(f"{request.path}?{query}" if query else request.path)
    }
    if fragments.has_slot(html, "csrf"):
        values["csrf"] = csrf_token()
    for product_id, notes in list_omnibus_notes(list(cards)).items():
        note = render_template("storefront/_omnibus.html", notes=notes)
        values[f"omnibus:{product_id}"] = Markup(note)
    return fragments.fill_slots(html, values)


def cards_for_this_visitor(template: str, products: list[object]) -> Markup:
    """`template` rendered with `products` (not cached), its cards' slots filled in."""
    html = Markup(render_template(template, products=products))
    return for_this_visitor(html, card_facts(products))
