"""What a page's <head> tells search engines and link previews: its description, its canonical
address, whether it may be indexed, and the Open Graph tags.

Templates fill the words (`{% block description %}`); this module decides the rules that are
the same for every page: how a description is cut, which query parameters a canonical address
keeps per endpoint, which pages say `noindex`.

No hreflang alternates: the language is a cookie (shop.web.i18n), not a part of the address,
so the Dutch and the English page share one URL and there is no other address to point at.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, request, url_for

# Search engines show about this many characters of a description before cutting it.
DESCRIPTION_LIMIT = 155

# The query parameters that choose what a page shows, per endpoint; every other one
# (utm_*, a sort order, a click id) is left out of the canonical address, so one page has one
# address. Another feature's filters join here by adding their names.
CANONICAL_PARAMS: Mapping[str, tuple[str, ...]] = {
    "storefront.category": ("page",),
    "storefront.search": ("q", "page"),
    "articles.index": ("page",),
}

# Pages that are nobody's search result: the gate, a visitor's own cart, checkout, orders,
# payment and invoices, the "my orders" e-mail links, and the back office. Search results
# are left out too: endless thin pages of other pages' content.
NOINDEX_BLUEPRINTS = frozenset(
    {
        "agegate",
        "cart",
        "checkout",
        "orders",
        "payment",
        "my_orders",
        "invoices",
        "admin",
        "language",
    }
)
NOINDEX_ENDPOINTS = frozenset({"storefront.search"})

# The site icon is what a link preview shows: product pictures are behind the age gate
# (shop.web.images), so a preview service that fetched one would get the gate instead.
PREVIEW_IMAGE = "icons/icon-512.png"

_TAG = re.compile(r"<[^>]+>")
# Markdown's own marks (headings, emphasis, links' brackets, code) carry no words.
_MARKDOWN_MARKS = re.compile(r"[#*_`>\[\]]+")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_SPACE = re.compile(r"\s+")


def meta_description(text: str | None, limit: int = DESCRIPTION_LIMIT) -> str:
    """`text` as one plain line of at most `limit` characters, cut between words."""
    plain = html.unescape(_TAG.sub(" ", text or ""))
    plain = _LINK_TARGET.sub("", plain)
    plain = _MARKDOWN_MARKS.sub("", plain)
    plain = _SPACE.sub(" ", plain).strip()
    if len(plain) <= limit:
        return plain
    cut = plain[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–")
    return cut + "…"


def public_url(path: str) -> str:
    """`path` at the shop's public address (SHOP_BASE_URL), not the address asked for."""
    return current_app.config["SHOP_BASE_URL"].rstrip("/") + path


def canonical_url() -> str:
    """This page's one address: the public host, the path, and only the parameters that
    change what it shows (a first page is the page without `page`)."""
    endpoint = request.endpoint
    if endpoint is None:
        return public_url(request.path)
    kept: dict[str, Any] = dict(request.view_args or {})
    for name in CANONICAL_PARAMS.get(endpoint, ()):
        value = request.args.get(name, "").strip()
        if value and not (name == "page" and value == "1"):
            kept[name] = value
    return public_url(url_for(endpoint, **kept))


def is_noindex() -> bool:
    """Whether this page asks search engines to leave it out of their index."""
    return request.blueprint in NOINDEX_BLUEPRINTS or request.endpoint in NOINDEX_ENDPOINTS


def preview_image_url() -> str:
    return public_url(url_for("static", filename=PREVIEW_IMAGE))


def og_locale(locale: str) -> str:
    return "nl_NL" if locale.startswith("nl") else "en_GB"


def register(app: Flask) -> None:
    app.jinja_env.filters["meta_description"] = meta_description
    app.jinja_env.globals.update(
        canonical_url=canonical_url,
        is_noindex=is_noindex,
        preview_image_url=preview_image_url,
        og_locale=og_locale,
    )
