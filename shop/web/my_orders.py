""" "My orders" without a password: an e-mail address in, a one-time link out, and for the
browser that uses it a list of that mailbox's orders for a while.

The form answers every valid address with the same page, status and work, orders or not;
the e-mail goes only to a mailbox with orders (never to strangers' addresses: the shop is no
mail cannon) and is handed to the mail server after the answer has gone out, so the time
the page takes says nothing either. Mail scanners open links: the link's page only shows a
button, and the POST behind it uses the link. The session then keeps the used link's id
(not the address) and until when it may list.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db, limiter, mail
from shop.labels import ORDER_STATUS_LABELS as STATUS_LABELS
from shop.mail import Mailer
from shop.models import Order, OrderStatus
from shop.services.order_links import (
    LinkUnusable,
    link_is_usable,
    orders_of_link,
    request_order_link,
    use_order_link,
)
from shop.web.forms import EmailField, ShopForm
from shop.web.visitor import visitor_key

log = logging.getLogger(__name__)

bp = Blueprint("my_orders", __name__)

# A person who mistyped their address asks again; a script asking for many addresses stops.
LINK_REQUESTS = "5 per minute;20 per hour"
# Per client address, whatever the cookie (a household behind one address shares it).
LINK_REQUESTS_PER_ADDRESS = "20 per minute;60 per hour"
# Tokens have 256 bits: this only keeps a script from hammering the UPDATE.
LINK_USES_PER_ADDRESS = "30 per minute"
ACCESS_KEY = "my_orders"


class AskForLinkForm(ShopForm):
    email = EmailField(_l("E-mail address"))


def _private(response: Response) -> Response:
    # The token (in the link's address) and the order links (on the list) are keys: never
    # hand them to another site in a Referer header, and keep them out of shared caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(template: str, status: int = 200, **values: object) -> Response:
    response = current_app.make_response((render_template(template, **values), status))
    return _private(response)


@bp.get("/my-orders")
def ask() -> Response:
    """Ask for the e-mail address to send a sign-in link to."""
    return _page("my_orders/ask.html", form=AskForLinkForm(), minutes=_link_minutes())


@bp.post("/my-orders")
@limiter.limit(LINK_REQUESTS, key_func=visitor_key)
@limiter.limit(LINK_REQUESTS_PER_ADDRESS, key_func=get_remote_address)
def send_link() -> Response:
    """Send a sign-in link if the address has orders; answer the same either way."""
    form = AskForLinkForm()
    if not form.validate() or not form.email.data:
        if not form.email.errors:
            form.email.errors = [_("Please type your e-mail address.")]
        return _page("my_orders/ask.html", 422, form=form, minutes=_link_minutes())
    config = current_app.config
    issued = request_order_link(
        db.session(),
        form.email.data,
        now=clock.now(),
        valid_for=timedelta(minutes=_link_minutes()),
        per_hour=config["SHOP_ORDER_LINKS_PER_HOUR"],
    )
    # Written whether or not it is sent: the answer takes the same time either way.
    link = config["SHOP_BASE_URL"].rstrip("/") + url_for("my_orders.confirm", token=issued.token)
    values = {"link": link, "minutes": _link_minutes()}
    subject = _("Your sign-in link for My orders")
    text = render_template("email/order_link.txt", **values)
    html = render_template("email/order_link.html", **values)
    response = _page("my_orders/sent.html", minutes=_link_minutes())
    if issued.should_send:
        mailer = mail.mailer
        recipient = form.email.data
        response.call_on_close(
            lambda: _send_quietly(mailer, recipient, subject=subject, text=text, html=html)
        )
    return response


def _send_quietly(mailer: Mailer, recipient: str, *, subject: str, text: str, html: str) -> None:
    # After the answer: a slow or failing mail server neither shows in the page's time nor
    # fails it. The customer who gets no e-mail asks again.
    try:
        mailer.send(recipient=recipient, subject=subject, text=text, html=html)
    except Exception:  # SMTP errors are many; each means "not sent"
        log.exception("the My orders link was not sent")


@bp.get("/my-orders/link/<token>")
def confirm(token: str) -> Response:
    """Show the button that uses the link (opening it uses nothing: mail scanners open links)."""
    if not link_is_usable(db.session(), token, now=clock.now()):
        return _gone()
    return _page("my_orders/confirm.html", token=token)


@bp.post("/my-orders/link/<token>")
@limiter.limit(LINK_USES_PER_ADDRESS, key_func=get_remote_address)
def use_link(token: str) -> Response:
    """Use the link: this browser may list the mailbox's orders for a while."""
    now = clock.now()
    try:
        link_id = use_order_link(db.session(), token, now=now)
    except LinkUnusable:
        return _gone()
    until = now + timedelta(minutes=current_app.config["SHOP_ORDER_LIST_MINUTES"])
    session[ACCESS_KEY] = {"link": link_id, "until": until.timestamp()}
    return _private(redirect(url_for("my_orders.listing"), code=303))


def _gone() -> Response:
    # 410: the link existed once (or never did: a deleted link and a made-up one look alike).
    return _page("my_orders/gone.html", 410, form=AskForLinkForm(), minutes=_link_minutes())


@bp.get("/my-orders/list")
def listing() -> Response:
    """List the orders of the mailbox whose link this browser used, newest first."""
    orders = None
    access = session.get(ACCESS_KEY)
    if (
        isinstance(access, dict)
        and isinstance(access.get("link"), int)
        and isinstance(access.get("until"), int | float)
        and access["until"] > clock.now().timestamp()
    ):
        orders = orders_of_link(db.session(), access["link"])
    if orders is None:
        session.pop(ACCESS_KEY, None)
        flash(_("To see your orders, ask for a new sign-in link."), "error")
        return _private(redirect(url_for("my_orders.ask"), code=303))
    now = clock.now()
    listed = [(order, _status_label(order, now)) for order in orders]
    return _page(
        "my_orders/list.html",
        orders=listed,
        list_minutes=current_app.config["SHOP_ORDER_LIST_MINUTES"],
    )


@bp.post("/my-orders/list/close")
def close_list() -> Response:
    """Stop this browser listing the orders (a shared computer) before its time is up."""
    session.pop(ACCESS_KEY, None)
    flash(_("Your orders are no longer shown in this browser."), "success")
    return _private(redirect(url_for("my_orders.ask"), code=303))


def _status_label(order: Order, now: datetime) -> str:
    # An unpaid order past its hold is released when its page is opened; the list says now
    # what that page will say.
    if order.is_payable and order.expires_at <= now:
        return str(STATUS_LABELS[OrderStatus.EXPIRED])
    return str(STATUS_LABELS.get(order.status, order.status))


def _link_minutes() -> int:
    return current_app.config["SHOP_ORDER_LINK_MINUTES"]
