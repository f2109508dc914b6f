"""The cart pages: the cart in the visitor's signed session, changed only by POST forms.

The session holds product ids, quantities and the typed code, nothing else; every page
prices the cart again from the database (`services.cart.view_cart`), so a price in a cookie
is never trusted. The forms only carry what was typed: the cart service reads the product
and the quantity and refuses what it cannot take (`CartRefused`, worded by
`web.wording`). Code attempts are throttled per visitor (the session's random key) and per
client address, so codes cannot be guessed by trying thousands of them: a fresh cookie
starts a fresh visitor count, but not a fresh address count.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response
from wtforms import StringField

from shop import clock
from shop.extensions import db, limiter
from shop.labels import allergy_summary
from shop.models import Product
from shop.rules.promotions import Kind
from shop.rules.shipping import Zone
from shop.services.cart import (
    Cart,
    CartRefusal,
    CartRefused,
    CartView,
    add_item,
    parse_whole_number,
    set_quantity,
    view_cart,
)
from shop.services.shipping import estimate_shipping
from shop.web.errors import too_many_attempts_page
from shop.web.forms import ShopForm, one_line
from shop.web.redirects import safe_next
from shop.web.visitor import current_cart, install, keep_cart, priced_cart, visitor_key
from shop.web.wording import refusal_text

bp = Blueprint("cart", __name__)
install(bp)

# Generous for a person retyping a code, hopeless for someone guessing codes.
CODE_ATTEMPTS = "10 per minute"
# Per client address, whatever the cookie: a household or office behind one address (NAT)
# shares it, so three visitors' worth a minute; a script dropping its cookie gets no more.
CODE_ATTEMPTS_PER_ADDRESS = "30 per minute;200 per hour"
MAX_TYPED_CODE = 100
# The cart does not know where the parcel goes yet: it estimates for the shop's home country
# (the checkout prices the country the customer chooses).
ESTIMATE_ZONE = Zone.NL


@bp.record_once
def _install_globals(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    app.jinja_env.globals["allergy_summary"] = allergy_summary


class CartLineForm(ShopForm):
    """A product and a quantity, as the buy, quantity and remove forms send them."""

    product_id = StringField()
    quantity = StringField()
    next = StringField()


class CodeForm(ShopForm):
    """The promo code box; empty removes the code."""

    code = StringField(filters=[one_line(MAX_TYPED_CODE)])


def _max_per_line() -> int:
    return current_app.config["SHOP_CART_MAX_PER_LINE"]


def _render_cart(
    view: CartView, *, status: int = 200, code_error: str | None = None, typed_code: str = ""
) -> tuple[str, int]:
    if code_error is None and view.code_error is not None:
        code_error = refusal_text(view.code_error)
    shipping = (
        None
        if view.is_empty
        else estimate_shipping(
            db.session(),
            ESTIMATE_ZONE,
            goods_cents=view.priced.total_cents,
            free_from_cents=current_app.config["SHOP_FREE_SHIPPING_FROM_CENTS"],
            free_by_code=view.code is not None and view.code.kind == Kind.FREE_SHIPPING,
        )
    )
    return (
        render_template(
            "cart/cart.html",
            view=view,
            shipping=shipping,
            code_error=code_error,
            typed_code=typed_code or current_cart().code,
            max_per_line=_max_per_line(),
        ),
        status,
    )


# --- pages ----------------------------------------------------------------------------------


@bp.get("/cart")
def show() -> tuple[str, int]:
    """Show the cart priced now, each product's warnings in short, and the code's effect."""
    return _render_cart(priced_cart(current_cart()))


def _wants_json() -> bool:
    # static/js/cart.js asks for JSON; a plain form (no JavaScript) gets the redirect.
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.post("/cart/add")
def add() -> Response | tuple[Response, int]:
    """Add the product to the cart and go back to the page the form was on (or, asked by
    the product cards' script, answer the cart's new count and what to announce)."""
    form = CartLineForm()
    back = safe_next(form.next.data, url_for("cart.show"))
    try:
        cart = add_item(
            db.session(),
            current_cart(),
            form.product_id.data,
            form.quantity.data,
            max_per_line=_max_per_line(),
        )
    except CartRefused as refused:
        if _wants_json():
            status = 404 if refused.reason is CartRefusal.UNAVAILABLE else 409
            return jsonify(message=refusal_text(refused)), status
        flash(refusal_text(refused), "error")
        # The page of a product that is no longer on sale would only say "not found".
        target = url_for("cart.show") if refused.reason is CartRefusal.UNAVAILABLE else back
        return redirect(target, code=303)
    keep_cart(cart)
    added = db.session.get(Product, parse_whole_number(form.product_id.data))  # loaded: no query
    name = added.name(str(get_locale())) if added is not None else ""
    message = _("%(name)s added to your cart.", name=name)
    if _wants_json():
        return jsonify(count=cart.item_count, message=message), 200
    flash(message, "success")
    return redirect(back, code=303)


@bp.post("/cart/update")
def update() -> Response:
    """Change a line's quantity; 0 removes the line."""
    form = CartLineForm()
    before = current_cart()
    try:
        cart = set_quantity(
            db.session(),
            before,
            form.product_id.data,
            form.quantity.data,
            max_per_line=_max_per_line(),
        )
    except CartRefused as refused:
        flash(refusal_text(refused), "error")
        return redirect(url_for("cart.show"), code=303)
    keep_cart(cart)
    if len(cart.quantities) < len(before.quantities):
        flash(_("Removed from your cart."), "success")
    else:
        flash(_("Your cart was updated."), "success")
    return redirect(url_for("cart.show"), code=303)


@bp.post("/cart/code")
@limiter.limit(CODE_ATTEMPTS, key_func=visitor_key)
@limiter.limit(CODE_ATTEMPTS_PER_ADDRESS, key_func=get_remote_address)
def apply_code() -> Response | tuple[str, int]:
    """Apply the typed promo code, or say in words why it cannot be used; empty removes it."""
    cart = current_cart()
    typed = CodeForm().code.data
    if not typed:
        keep_cart(Cart(quantities=cart.quantities, code=""))
        if cart.code:
            flash(_("The code was removed."), "success")
        return redirect(url_for("cart.show"), code=303)
    candidate = view_cart(
        db.session(), Cart(quantities=cart.quantities, code=typed), now=clock.now()
    )
    if candidate.is_empty:
        message = _("Please add a product to your cart first, then enter the code.")
        return _render_cart(priced_cart(cart), status=422, code_error=message, typed_code=typed)
    if candidate.code is None:
        assert candidate.code_error is not None  # a code typed and a cart: one or the other
        message = refusal_text(candidate.code_error)
        return _render_cart(priced_cart(cart), status=422, code_error=message, typed_code=typed)
    keep_cart(Cart(quantities=cart.quantities, code=typed))
    flash(_("The code %(code)s was applied.", code=candidate.code.display_code), "success")
    return redirect(url_for("cart.show"), code=303)


@bp.errorhandler(TooManyRequests)
def too_many_attempts(error: TooManyRequests) -> tuple[str, int, dict[str, str]]:
    """Tell the visitor how long to wait before trying another code."""
    return too_many_attempts_page(error)
