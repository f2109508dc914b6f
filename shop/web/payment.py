"""The payment page of an order: Stripe's Payment Element, or the test gateway's buttons.

With Stripe, the page mounts the Payment Element (static/js/payment.js; no inline script),
which offers what the Dashboard (or `SHOP_STRIPE_PAYMENT_METHOD_TYPES`) allows: cards,
iDEAL, Bancontact, … `stripe.confirmPayment` returns the customer to the order page (from
the bank, for a redirect method), which asks Stripe how the payment stands. The intent is
retrieved before its client secret is handed out: never for one that is canceled (a new one
is made), processing or succeeded (the order page says so instead).
"""

from __future__ import annotations

import contextlib
import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db, mail, payments
from shop.models import Order
from shop.payments import GatewayError
from shop.payments.test_gateway import local_webhook_secret
from shop.services.emails import deliver_soon
from shop.services.orders.holds import OrderNotFound, order_for_customer
from shop.services.payments import (
    NotPayable,
    PaymentUnderway,
    pay_in_test_mode,
    start_payment,
)
from shop.web.emails import write_email

bp = Blueprint("payment", __name__)
log = logging.getLogger(__name__)


def _order(token: str) -> Order:
    try:
        return order_for_customer(db.session(), token, now=clock.now())
    except OrderNotFound:
        abort(404)


@bp.route("/orders/<token>/pay")
def pay(token: str) -> Response | tuple[str, int] | str:
    """Show the payment form for the order's exact total."""
    order = _order(token)
    if not order.is_payable:
        return redirect(url_for("orders.show", token=token), code=303)
    gateway = payments.gateway
    try:
        started = start_payment(
            db.session(),
            gateway,
            order,
            now=clock.now(),
            receipt_email=current_app.config["SHOP_STRIPE_RECEIPT_EMAIL"],
        )
    except (NotPayable, PaymentUnderway):
        return redirect(url_for("orders.show", token=token), code=303)
    except GatewayError as error:
        # The gateway logged Stripe's request id and code; the customer gets words.
        log.warning("payment page of order %s: %s", order.number, error.code or error)
        db.session.rollback()
        return render_template("payment/unavailable.html", order=order), 502
    if gateway.is_test_mode:
        return render_template("payment/test_mode.html", order=order)
    return render_template(
        "payment/stripe.html",
        order=order,
        client_secret=started.intent.client_secret,
        publishable_key=current_app.config["SHOP_STRIPE_PUBLISHABLE_KEY"] or "",
        stripe_js_url=current_app.config["SHOP_STRIPE_JS_URL"],
        return_url=url_for("orders.show", token=token, _external=True),
    )


@bp.post("/orders/<token>/pay/test")
def pay_test(token: str) -> Response:
    """Pay or decline in test mode: a signed event through the webhook code path."""
    gateway = payments.gateway
    if not gateway.is_test_mode:
        abort(404)
    order = _order(token)
    action = request.form.get("action")
    if action not in {"pay", "decline"}:
        abort(400)
    if order.is_payable:
        with contextlib.suppress(NotPayable):
            pay_in_test_mode(
                db.session(),
                gateway,
                order,
                succeed=action == "pay",
                secret=local_webhook_secret(current_app.config["SECRET_KEY"]),
                now=clock.now(),
            )
        deliver_soon(db.session(), mail.mailer, write=write_email, now=clock.now())
    return redirect(url_for("orders.show", token=token), code=303)
