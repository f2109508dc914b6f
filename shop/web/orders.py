"""The customer's order page, reached by the unguessable link checkout leads to.

It shows the order as it was placed (the lines, prices and warnings are the order's own
snapshot, never today's catalogue), its status in words and, while unpaid, until when the
products are held, and how its payment stands (`orders/_payment.html`).

Stripe sends the customer back here after a redirect payment (iDEAL, Bancontact, 3-D
Secure) with `payment_intent` and `redirect_status` in the address. Neither is believed:
the page asks Stripe about that intent, if it is one of this order's, and shows what Stripe
says: paid, processing ("we are waiting for your bank"), or failed with a new try. While the
bank is still at work the page reloads itself (a meta refresh, no script) every
`REFRESH_SECONDS`, at most `REFRESH_LIMIT` times.
"""

from __future__ import annotations

from typing import Any

from babel.dates import format_time
from flask import (
    Blueprint,
    abort,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db, payments
from shop.labels import ORDER_STATUS_LABELS as STATUS_LABELS
from shop.models import (
    OPEN_INTENT_STATUSES,
    IntentStatus,
    Order,
    OrderStatus,
    OrderStep,
    RefundStatus,
)
from shop.services.catalog import first_picture_ids
from shop.services.invoices import document_numbers
from shop.services.orders.history import customer_history
from shop.services.orders.holds import OrderNotFound, order_for_customer
from shop.services.payments import check_returned_payment, latest_attempt
from shop.web.emails import order_tracking_url
from shop.web.formatting import format_local_date

bp = Blueprint("orders", __name__)


STEP_LABELS = {
    OrderStep.PLACED: _l("Order placed"),
    OrderStep.PAID: _l("Payment received"),
    OrderStep.SHIPPED: _l("Shipped"),
    OrderStep.PARTIALLY_REFUNDED: _l("Partly refunded"),
    OrderStep.REFUNDED: _l("Refunded"),
    OrderStep.CANCELLED: _l("Cancelled"),
    OrderStep.EXPIRED: _l("Expired: not paid in time"),
}

REFUND_LABELS = {
    RefundStatus.PENDING: _l("On its way"),
    RefundStatus.REQUIRES_ACTION: _l("On its way"),
    RefundStatus.SUCCEEDED: _l("Refunded"),
    RefundStatus.FAILED: _l("Failed: we are looking into it"),
    RefundStatus.CANCELED: _l("Cancelled"),
}


REFRESH_SECONDS = 5
REFRESH_LIMIT = 36  # three minutes; then the page says an e-mail will follow


def _checks_done() -> int:
    raw = request.args.get("check", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else REFRESH_LIMIT


def payment_state(order: Order, attempt_status: str | None, redirect_status: str) -> str:
    """How the order's payment stands, for the page: paid, processing (the bank is still
    at work), confirming (back from Stripe, not yet known), canceled, not_completed (back
    from the bank without paying), open (pay now), or "" (nothing to pay)."""
    if order.paid_at is not None or order.status in {OrderStatus.PAID, OrderStatus.SHIPPED}:
        return "paid"
    if not order.is_payable:
        return ""
    if attempt_status == IntentStatus.PROCESSING:
        return "processing"
    if redirect_status == "succeeded" and (
        attempt_status is None or attempt_status in OPEN_INTENT_STATUSES
    ):
        return "confirming"
    if attempt_status == IntentStatus.CANCELED:
        return "canceled"
    if redirect_status == "failed" and not order.payment_failure_message:
        return "not_completed"
    return "open"


@bp.get("/orders/<token>")
def show(token: str) -> Response:
    """Show the order, its status and history, how its payment stands, its parcel and
    refunds, and the warnings the customer acknowledged."""
    now = clock.now()
    try:
        order = order_for_customer(db.session(), token, now=now)
    except OrderNotFound:
        abort(404)
    returned_intent = request.args.get("payment_intent", "")[:255]
    redirect_status = request.args.get("redirect_status", "")[:40]
    if returned_intent and order.is_payable:
        checked = check_returned_payment(
            db.session(), payments.gateway, order, returned_intent, now=now
        )
        if checked is not None:
            order = order_for_customer(db.session(), token, now=now)
    attempt = latest_attempt(db.session(), order.id)
    state = payment_state(order, attempt.status if attempt else None, redirect_status)
    checks = _checks_done()
    refresh_url = None
    if state in {"processing", "confirming"} and checks < REFRESH_LIMIT:
        arguments: dict[str, Any] = {"token": token, "check": checks + 1}
        if returned_intent:
            arguments["payment_intent"] = returned_intent
        if redirect_status:
            arguments["redirect_status"] = redirect_status
        refresh_url = url_for("orders.show", **arguments)
    history = customer_history(db.session(), order)
    invoice_number, credit_note_numbers = document_numbers(db.session(), order.id)
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
            payment_state=state,
            refresh_url=refresh_url,
            refresh_seconds=REFRESH_SECONDS,
            steps=history.steps,
            step_labels=STEP_LABELS,
            refunds=history.refunds,
            refund_labels=REFUND_LABELS,
            tracking_url=order_tracking_url(order) if order.shipped_at else None,
            invoice_number=invoice_number,
            credit_note_numbers=credit_note_numbers,
            # Only products still in the shop: the others' pictures are no longer served.
            pictures=first_picture_ids(
                db.session(),
                {line.product_id for line in order.lines if line.product_id is not None},
                on_sale_only=True,
            ),
        )
    )
    # The link is the key to the order: never hand it to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
