"""The customer's order page, reached by the unguessable link checkout leads to.

It shows the order as it was placed (the lines, prices and warnings are the order's own
snapshot, never today's catalogue), its status in words and, while unpaid, until when the
products are held. Payment itself is added to `orders/_payment.html` by the payment work.
"""

from __future__ import annotations

from babel.dates import format_time
from flask import Blueprint, Response, abort, make_response, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shop import clock
from shop.extensions import db
from shop.models import OrderStatus
from shop.services.orders import OrderNotFound, order_for_customer
from shop.web.formatting import format_local_date

bp = Blueprint("orders", __name__)

STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.EXPIRED: _l("Expired: not paid in time"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REFUNDED: _l("Refunded"),
    OrderStatus.PARTIALLY_REFUNDED: _l("Partly refunded"),
}


@bp.get("/orders/<token>")
def show(token: str) -> Response:
    """Show the order, its status, and the warnings the customer acknowledged."""
    now = clock.now()
    try:
        order = order_for_customer(db.session, token, now=now)
    except OrderNotFound:
        abort(404)
    zone = clock.shop_timezone()
    expires_local = order.expires_at.astimezone(zone)
    response = make_response(
        render_template(
            "orders/order.html",
            order=order,
            status_label=STATUS_LABELS.get(order.status, order.status),
            country_name=get_locale().territories.get(order.country, order.country),
            pay_before_time=format_time(expires_local, "HH:mm", locale=str(get_locale())),
            pay_before_date=(
                None
                if expires_local.date() == now.astimezone(zone).date()
                else format_local_date(expires_local.date(), "d MMMM y")
            ),
            acknowledged_on=format_local_date(order.warnings_acknowledged_at, "d MMMM y"),
        )
    )
    # The link is the key to the order: never hand it to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
