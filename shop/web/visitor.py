"""What the shop keeps of a visitor in the signed session cookie: the age gate's answer,
the cart (product ids, quantities and the typed code; priced again on every page) and a
random key for the visitor's throttling counters. Shared by the gate, the cart and the
checkout, so no blueprint imports another.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, has_request_context, session
from flask_babel import gettext as _

from shop import clock
from shop.extensions import db
from shop.services.cart import Cart, CartView, view_cart

CART_KEY = "cart"
VISITOR_KEY = "visitor_id"
# The age gate's record of a "yes" (`shop.web.agegate`), and of a "no" for this session.
SESSION_KEY = "age_verification"
REFUSED_KEY = "age_refused"


def refuse_age(policy_version: int) -> None:
    """Treat the visitor as having answered "no" at the gate (a date of birth under age
    typed at checkout contradicts an earlier "yes")."""
    session.pop(SESSION_KEY, None)
    session[REFUSED_KEY] = policy_version


def install(bp: Blueprint) -> None:
    """Every page of `bp`'s app knows the number of items in the cart (the header's icon)."""
    bp.app_context_processor(_cart_count)


def _cart_count() -> dict[str, int]:
    if not has_request_context():
        return {"cart_count": 0}
    return {"cart_count": current_cart().item_count}


def current_cart() -> Cart:
    """The visitor's cart as the session holds it (empty when there is none or it is junk)."""
    return Cart.from_session(session.get(CART_KEY))


def keep_cart(cart: Cart) -> None:
    session[CART_KEY] = cart.to_session()


def clear_cart() -> None:
    session.pop(CART_KEY, None)


def priced_cart(cart: Cart, *, email: str | None = None) -> CartView:
    """The cart priced now; products no longer on sale are dropped from the session too."""
    view = view_cart(db.session(), cart, now=clock.now(), email=email)
    if view.dropped:
        kept = {line.product.id: line.quantity for line in view.lines}
        keep_cart(Cart(quantities=kept, code=current_cart().code))
        flash(_("A product in your cart is no longer available and was removed."), "error")
    return view


def visitor_key() -> str:
    """A random id kept in the session: the key of this visitor's throttling counters."""
    key = session.get(VISITOR_KEY)
    if not isinstance(key, str) or not 16 <= len(key) <= 64:
        key = secrets.token_urlsafe(16)
        session[VISITOR_KEY] = key
    return f"visitor:{key}"
