"""Public storefront fragments kept for a few seconds in each process.

What belongs here: the cache of the parts of storefront pages that are the same for every
visitor who passed the age gate, in a given language — the product grids of the home,
category and search pages, the navigation's categories, a product page's text, price,
stock, warnings and pictures, and the public promo codes of the next seconds. Nothing
about a visitor is in it: the age gate, the session, the cart, the dismissed banners, the
buy form with its CSRF token and the Omnibus note of the codes running at this second are
worked out on every request, outside the cache, and the gate runs before any view, so a
cached fragment is only ever shown to a verified visitor. It is an in-process cache, never
a shared HTTP cache (gated pages stay `Cache-Control: private`).

Freshness: an entry lives `SHOP_FRAGMENT_CACHE_SECONDS` (10 by default; 0 switches the
cache off). A commit in this process that wrote to a table the fragments show (products,
their warnings and pictures, categories, promo codes, prices) empties every cache of the
process, so staff see their own edits at once; the other app servers show them within
those seconds. Other writes (an age check, an order's rows, a webhook) leave it alone; an
order's stock is a products write. What a purchase depends on is never taken from here:
the cart and checkout read prices, stock and the warnings the customer acknowledges from
the database, and checkout refuses an order whose warnings changed since they were shown.

Slots: a cached fragment that needs something of the visitor says where with a slot, an
HTML comment (`<!--slot:NAME-->`, written by the `slot()` template global) that no escaped
text can produce, and the view fills every slot after the cache (`fill_slots`). Product
cards use three: `csrf` (the add-to-cart form's token: the visitor's own, put in on every
request, so two visitors never see each other's token even when they get the same cached
list), `next` (the page to come back to after adding) and `omnibus:<product id>` (the
Omnibus note of the codes running at this second). A slot left unfilled becomes nothing.

Whole pages made of these fragments are kept too, for verified visitors (`web.page_cache`,
a `FragmentCache` of its own, emptied with the others); a page lives no longer than the
soonest-expiring fragment it was made from (`soonest_expiry`).

The benchmark that asked for it: with the cache, a category page is rendered from a
dictionary lookup instead of two queries and 24 cards (see README "Benchmarks").
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context
from markupsafe import Markup, escape
from sqlalchemy import TextClause, event
from sqlalchemy.orm import ORMExecuteState, Session

T = TypeVar("T")

EXTENSION = "shop.fragments"
MAX_ENTRIES = 2048  # search pages are keyed by the visitor's words: the cache is bounded
_WROTE = "shop.fragments.wrote"
_MISSING = object()


class FragmentCache:
    """A bounded, thread-safe LRU whose entries expire after `seconds`."""

    def __init__(
        self,
        seconds: float,
        *,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        # Counts the clears: a value made while one happened was read before a commit that
        # changed it, and is not kept (it would hide that commit for `seconds`).
        self._generation = 0
        _ALL_CACHES.add(self)

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under `key`, or `make()`'s, kept for next time."""
        if self.seconds <= 0:
            return make()
        found, value, generation = self.lookup(key)
        if found:
            return value
        # Made outside the lock: two requests may both make a missing entry, which is
        # cheaper than making every other request wait for one database round trip.
        made = make()
        self.keep(key, made, generation=generation)
        return made

    def lookup(self, key: Hashable) -> tuple[bool, Any, int]:
        """(found, value, generation): the generation to give `keep` when it was missing."""
        now = self._clock()
        with self._lock:
            kept = self._entries.get(key, _MISSING)
            if kept is not _MISSING and kept[0] > now:  # type: ignore[index]
                self._entries.move_to_end(key)
                _note_expiry(kept[0])  # type: ignore[index]
                return True, kept[1], self._generation  # type: ignore[index]
            return False, None, self._generation

    def keep(
        self, key: Hashable, value: Any, *, generation: int, expires_at: float | None = None
    ) -> None:
        """Keep `value` until `expires_at` (at most `seconds` from now), unless the cache was
        emptied since `generation` was read: then it was made from rows a commit changed."""
        latest = self._clock() + self.seconds
        expires = latest if expires_at is None else min(expires_at, latest)
        _note_expiry(expires)
        with self._lock:
            if generation != self._generation:
                return
            self._entries[key] = (expires, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def now(self) -> float:
        return self._clock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def __len__(self) -> int:
        return len(self._entries)


_ALL_CACHES: weakref.WeakSet[FragmentCache] = weakref.WeakSet()

# The soonest expiry of the entries this request used: a whole page made from them lives
# no longer than they would (`web.page_cache`), so a change shows within `seconds`.
_EXPIRY = "shop.fragments.expiry"


def _note_expiry(expires: float) -> None:
    if has_app_context():
        soonest = g.get(_EXPIRY)
        if soonest is None or expires < soonest:
            setattr(g, _EXPIRY, expires)


def soonest_expiry() -> float | None:
    """The soonest expiry of the fragments this request used or made (None: none)."""
    return g.get(_EXPIRY)


def clear_all() -> None:
    """Empty every fragment cache of this process (after a write, and between tests)."""
    for cache in list(_ALL_CACHES):
        cache.clear()


def cached(key: Hashable, make: Callable[[], T]) -> T:
    """The current app's fragment under `key`, made by `make()` when missing or stale."""
    cache: FragmentCache = current_app.extensions[EXTENSION]
    return cache.get_or_make(key, make)


_SLOT = re.compile(r"<!--slot:([a-z]+(?::[0-9]+)?)-->")


def slot(name: str) -> Markup:
    """The mark of a per-visitor part in a cached fragment (see the module's docstring)."""
    if not _SLOT.fullmatch(f"<!--slot:{name}-->"):
        raise ValueError(f"not a slot name: {name!r}")
    return Markup(f"<!--slot:{name}-->")


def has_slot(html: str, name: str) -> bool:
    return f"<!--slot:{name}-->" in html


def fill_slots(html: Markup, values: Mapping[str, str]) -> Markup:
    """`html` with each slot replaced by its value, escaped unless it is Markup."""
    return Markup(_SLOT.sub(lambda found: str(escape(values.get(found[1], ""))), html))


# The tables whose rows the cached fragments show. A commit that wrote to one of them
# empties the caches; other writes (an age check, an order's row, a webhook's event) do not,
# or every visitor passing the gate would empty them. An order's stock is a products UPDATE.
STOREFRONT_TABLES = frozenset(
    {
        "categories",
        "products",
        "disclaimers",
        "allergy_statements",
        "allergen_entries",
        "product_images",
        "promo_codes",
        "promo_code_products",
        "promo_code_categories",
        "price_changes",
        "product_related",
        "articles",  # the article pages are kept whole (`web.page_cache`)
        "article_products",
    }
)


def _table_name(target: Any) -> str | None:
    table = getattr(target, "__table__", None)
    if table is None:
        table = getattr(target, "table", None)  # an INSERT, UPDATE or DELETE statement
    return getattr(table, "name", None)


def _note_flush(session: Session, _context: Any) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        if _table_name(type(instance)) in STOREFRONT_TABLES:
            session.info[_WROTE] = True
            return


def _note_statement(state: ORMExecuteState) -> None:
    # UPDATEs and DELETEs sent through the session (stock taken by an order, a code's use)
    # do not pass through a flush. Text statements cannot be read: counted as writes.
    statement = state.statement
    if state.is_update or state.is_delete or state.is_insert:
        if _table_name(statement) in STOREFRONT_TABLES:
            state.session.info[_WROTE] = True
    elif isinstance(statement, TextClause) and not statement.text.lstrip().upper().startswith(
        "SELECT"
    ):
        state.session.info[_WROTE] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        clear_all()


def _after_rollback(session: Session) -> None:
    session.info.pop(_WROTE, None)


_listening = False


def install(app: Flask) -> None:
    """Give the app its cache and empty every cache after a commit that wrote."""
    global _listening
    app.extensions[EXTENSION] = FragmentCache(float(app.config["SHOP_FRAGMENT_CACHE_SECONDS"]))
    app.jinja_env.globals["slot"] = slot
    if not _listening:
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _listening = True
