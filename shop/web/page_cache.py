"""Whole storefront pages kept for a few seconds in each process, for verified visitors.

What belongs here: which pages are kept, what each is keyed by, and how a kept page gets its
visitor's own parts back. The pages are the catalogue's and the articles' (home, category,
search, product, the article list and an article), answered with 200 to a GET or HEAD that
passed the age gate. The age gate runs first (its hook is installed before this one), so a
kept page is never shown to anyone who has not passed it; it stays `Cache-Control: private`.

A page is the same for two verified visitors when they ask the same address on the same host
and scheme, in the same language, with the same number of items in their cart, while the
same public promo codes run (their banners and the Omnibus notes), having dismissed the same
of those banners. That tuple is the key (`page_key`): a code that starts or ends makes a new
key on that second, so a banner appears and disappears on time without waiting for an entry
to expire.

What differs from visitor to visitor is kept out: every CSRF token of the page (the language
switcher, the banner's dismiss button, the buy and add-to-cart forms) is a `csrf` slot
(`web.fragments`) while the page is made, filled with the visitor's own token on every
answer, the kept one included. A visitor with flash messages waiting gets a freshly made page
and it is not kept; nor is a page whose making flashed one.

Freshness: a page lives `SHOP_FRAGMENT_CACHE_SECONDS` (0 switches it off with the fragment
cache), and never longer than the fragments it was made from would have (`fragments.
soonest_expiry`), so a change made on another server shows within those seconds. It is a
`FragmentCache`: a commit in this process that wrote a storefront table empties it at once.
At most `MAX_PAGES` pages are kept per process (~40 KB each).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from flask import Flask, current_app, g, message_flashed, request, session
from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from shop.extensions import db, limiter
from shop.web import fragments
from shop.web.banners import dismissed_ids
from shop.web.csrf import visitor_token
from shop.web.omnibus import running_public_codes_now
from shop.web.visitor import current_cart

EXTENSION = "shop.page_cache"
MAX_PAGES = 512
CACHED_ENDPOINTS = frozenset(
    {
        "storefront.home",
        "storefront.category",
        "storefront.product",
        "storefront.search",
        "articles.index",
        "articles.show",
    }
)
CSRF_SLOT = "<!--slot:csrf-->"
_MAKING = "shop.page_cache.making"
_FLASHED = "shop.page_cache.flashed"


@dataclass(frozen=True)
class _Making:
    """A page being made to be kept: its key and the cache's generation when it was missed."""

    key: Hashable
    generation: int


def csrf_token() -> Markup | str:
    """The visitor's CSRF token, or the `csrf` slot while a page to be kept is being made.
    The templates' `csrf_token()` and the product cards' slots both come here."""
    if g.get(_MAKING) is not None:
        return Markup(CSRF_SLOT)
    return visitor_token()


def page_key() -> Hashable | None:
    """What this request's page depends on, or None when it is not a page to keep."""
    if request.method not in {"GET", "HEAD"} or request.endpoint not in CACHED_ENDPOINTS:
        return None
    if not g.get("age_gated") or "_flashes" in session:
        return None
    try:
        running = tuple(sorted(code.id for code in running_public_codes_now()))
    except SQLAlchemyError:
        db.session.rollback()
        return None  # the view will meet the same database and answer for itself
    dismissed = tuple(sorted(set(dismissed_ids()).intersection(running)))
    return (
        request.scheme,
        request.host,
        request.path,
        request.query_string,
        str(get_locale()),
        current_cart().item_count,
        running,
        dismissed,
    )


def _with_visitor_parts(html: str) -> str:
    if CSRF_SLOT not in html:
        return html
    return html.replace(CSRF_SLOT, str(escape(visitor_token())))


def install(app: Flask) -> None:
    """Keep whole pages; after the age gate's hook, so only verified visitors get one."""
    fragment_cache: fragments.FragmentCache = app.extensions[fragments.EXTENSION]
    cache = fragments.FragmentCache(
        fragment_cache.seconds,
        max_entries=MAX_PAGES,
        # The fragments' clock: a page's expiry is compared with theirs.
        clock=lambda: fragment_cache.now(),
    )
    app.extensions[EXTENSION] = cache
    # Flask-WTF gives templates its `generate_csrf` twice, as a global and from a context
    # processor; both are replaced (a later context processor wins).
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(_csrf_token_for_templates)
    limiter.request_filter(_not_throttled)
    if cache.seconds <= 0:
        return
    message_flashed.connect(_note_flash, app)

    @app.before_request
    def answer_from_cache() -> Response | None:
        key = page_key()
        if key is None:
            return None
        found, html, generation = cache.lookup(key)
        if not found:
            setattr(g, _MAKING, _Making(key, generation))
            return None
        return Response(_with_visitor_parts(html), mimetype="text/html")

    @app.after_request
    def keep_page(response: Response) -> Response:
        making: _Making | None = g.pop(_MAKING, None)
        if making is None:
            return response
        html = response.get_data(as_text=True)
        if response.status_code == 200 and response.mimetype == "text/html" and not g.get(_FLASHED):
            cache.keep(
                making.key,
                html,
                generation=making.generation,
                expires_at=fragments.soonest_expiry(),
            )
        response.set_data(_with_visitor_parts(html))
        return response


def _not_throttled() -> bool:
    """Reading the catalogue has no throttle (no view of `CACHED_ENDPOINTS` declares a limit;
    a test checks it): Flask-Limiter need not resolve the limits of every page asked for."""
    return request.endpoint in CACHED_ENDPOINTS and request.method in {"GET", "HEAD"}


def _csrf_token_for_templates() -> dict[str, object]:
    return {"csrf_token": csrf_token}


def _note_flash(_app: Flask, **_extra: object) -> None:
    setattr(g, _FLASHED, True)


def page_cache() -> fragments.FragmentCache:
    """This app's page cache (tests and benchmarks look into it)."""
    return current_app.extensions[EXTENSION]
