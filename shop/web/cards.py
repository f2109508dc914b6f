"""Product cards: the addresses a list of cards shares (`CardLinks`, worked out once per list),
and their per-visitor parts, filled in after the cache: the add-to-cart forms' CSRF token and
way back, and the Omnibus notes of the codes running now (`web.fragments` slots). Shared by
every page that shows cards (the catalogue, the articles), so none of those blueprints
imports another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, get_template_attribute, render_template, request, url_for
from markupsafe import Markup

from shop.rules.campaigns import OmnibusNote
from shop.rules.input import is_slug
from shop.web import fragments, images
from shop.web.formatting import money_formatter
from shop.web.images import PictureFacts
from shop.web.omnibus import list_omnibus_notes
from shop.web.page_cache import csrf_token
from shop.web.redirects import safe_next


def _prefix(url: str, tail: str) -> str | None:
    return url.removesuffix(tail) if url.endswith(tail) else None


@dataclass(frozen=True)
class CardLinks:
    """The addresses of a list's cards, from prefixes built once per list: `url_for` costs
    tens of microseconds a call, and 24 cards with pictures asked for ~250 addresses."""

    cart_add: str
    placeholder: str
    # `format_money` with the page's currency and language.
    price: Callable[[int], str]
    # "/products/" and "/images/"; None where the address is not the prefix and a tail (then
    # every address is asked of `url_for`, as before).
    product_prefix: str | None
    image_prefix: str | None

    def product(self, slug: str) -> str:
        """The product page's address."""
        if self.product_prefix is None or not is_slug(slug):
            return url_for("storefront.product", slug=slug)
        return self.product_prefix + slug

    def variant(self, image_id: int, side: int, extension: str) -> str:
        """The address of a picture at one size, in one format ("webp" or "jpg")."""
        if self.image_prefix is None:
            return url_for("images.variant", image_id=image_id, side=side, extension=extension)
        return f"{self.image_prefix}{image_id}/{side}.{extension}"

    def srcset(self, image: PictureFacts, extension: str) -> str:
        """The `srcset` of a picture's variants in one format (`web.images.srcset`)."""
        return images.srcset(image, extension, self.variant)

    def fallback(self, image: PictureFacts, width: int) -> str:
        """The JPEG variant closest above `width` pixels wide (`web.images.fallback_src`)."""
        return images.fallback_src(image, width, self.variant)


def card_links() -> CardLinks:
    """The addresses the cards of one list share (a template global)."""
    return CardLinks(
        cart_add=url_for("cart.add"),
        price=money_formatter(),
        placeholder=url_for("static", filename="images/placeholder.svg"),
        product_prefix=_prefix(url_for("storefront.product", slug="x"), "x"),
        image_prefix=_prefix(
            url_for("images.variant", image_id=1, side=2, extension="jpg"), "1/2.jpg"
        ),
    )


def install(app: Flask) -> None:
    app.jinja_env.globals["card_links"] = card_links


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
    notes_by_product = list_omnibus_notes(list(cards))
    if notes_by_product:
        # The template's macro, called per card: a render_template per card ran the context
        # processors 24 times a page.
        omnibus_notes = get_template_attribute("storefront/_omnibus_notes.html", "omnibus_notes")
        # Cards with the same notes (a code over a range of equal prices) share their HTML.
        shown: dict[tuple[OmnibusNote, ...], Markup] = {}
        for product_id, notes in notes_by_product.items():
            key = tuple(notes)
            if key not in shown:
                shown[key] = Markup(omnibus_notes(notes))
            values[f"omnibus:{product_id}"] = shown[key]
    return fragments.fill_slots(html, values)


def cards_for_this_visitor(template: str, products: list[object]) -> Markup:
    """`template` rendered with `products` (not cached), its cards' slots filled in."""
    html = Markup(render_template(template, products=products))
    return for_this_visitor(html, card_facts(products))
