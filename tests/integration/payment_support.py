"""What the payment tests share: an order placed the way checkout places it, a card payment
made at localstripe with the real stripe client, events signed the way Stripe signs them,
and fresh reads of what a customer, Stripe or staff would see afterwards.

Reads end the test session's snapshot first (`session.rollback()`): the writes being checked
were made by requests on other connections.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from itertools import count
from typing import Any

import requests
import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop import clock
from shop.models import (
    Order,
    OutboxEmail,
    PaymentAttempt,
    PaymentEvent,
    PaymentProvider,
    Product,
    Refund,
)
from shop.rules.age import local_today
from shop.services.orders.placing import Customer, ShopPolicy, place_order
from tests.helpers import AMSTERDAM, ANN, checkout_request
from tests.peers import WEBHOOK_SECRET
from tests.stripe_peer import StrictStripe

POLICY = ShopPolicy(min_age=18, age_policy_version=1, hold_minutes=30, currency="EUR")

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"

# Settings that make the shop talk to Stripe but with nothing listening at "Stripe": the
# webhook tests sign events themselves, and any call out would fail at once.
STRIPE_KEYS: dict[str, object] = {
    "SHOP_STRIPE_SECRET_KEY": "sk_test_shop",
    "SHOP_STRIPE_PUBLISHABLE_KEY": "pk_test_shop",
    "SHOP_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "SHOP_STRIPE_API_BASE": "http://127.0.0.1:9",
}


def stripe_settings(peer: StrictStripe) -> dict[str, object]:
    """The settings of a shop whose Stripe is the strict peer `peer` (today's API, played by
    localstripe behind it). The shop's calls go to `<peer>/shop/v1/...`, so the peer can
    tell them from the tests' own."""
    return {
        **STRIPE_KEYS,
        "SHOP_STRIPE_API_BASE": f"{peer.url}/shop",
        "SHOP_STRIPE_JS_URL": f"{peer.url}/js.stripe.com/v3/",
        # Short, so the tests of a slow Stripe are quick; retried as in production.
        "SHOP_STRIPE_TIMEOUT_SECONDS": "2",
    }


def place(
    session: Session,
    product: Product,
    quantity: int = 1,
    *,
    locale: str = "en",
    code: str = "",
    customer: Customer = ANN,
    now: datetime | None = None,
) -> Order:
    """An order awaiting payment, placed now (the real clock: pages and signatures use it)."""
    now = now or clock.now()
    request = checkout_request({product.id: quantity}, customer=customer, code=code, locale=locale)
    return place_order(session, request, POLICY, today=local_today(now, AMSTERDAM), now=now)


def record_intent(
    session: Session, order: Order, intent_id: str | None = None, *, sequence: int = 1
) -> PaymentAttempt:
    """The row the shop writes when it made a PaymentIntent for `order` (as `start_payment`
    does), for tests that play Stripe's events without a Stripe to create intents at."""
    attempt = PaymentAttempt(
        order_id=order.id,
        sequence=sequence,
        provider=PaymentProvider.STRIPE,
        intent_id=intent_id or f"pi_order_{order.id}" + (f"_{sequence}" if sequence > 1 else ""),
        amount_cents=order.total_cents,
        currency=order.currency,
        status="requires_payment_method",
        created_at=clock.now(),
    )
    session.add(attempt)
    session.commit()
    return attempt


# --- reading back -----------------------------------------------------------------------


def fresh_order(session: Session, order_id: int) -> Order:
    session.rollback()
    order = session.get(Order, order_id)
    assert order is not None
    return order


def stock_of(session: Session, product_id: int) -> int:
    session.rollback()
    return session.scalar(select(Product.stock).where(Product.id == product_id))


def events_of(session: Session, order_id: int | None = None) -> list[PaymentEvent]:
    """Stored events (of one order, or all), oldest first."""
    session.rollback()
    query = select(PaymentEvent).order_by(PaymentEvent.id)
    if order_id is not None:
        query = query.where(PaymentEvent.order_id == order_id)
    return list(session.scalars(query))


def emails_of(session: Session, order_id: int) -> list[OutboxEmail]:
    session.rollback()
    return list(
        session.scalars(
            select(OutboxEmail).where(OutboxEmail.order_id == order_id).order_by(OutboxEmail.id)
        )
    )


def attempts_of(session: Session, order_id: int) -> list[PaymentAttempt]:
    session.rollback()
    return list(
        session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.order_id == order_id)
            .order_by(PaymentAttempt.id)
        )
    )


def refunds_of(session: Session, order_id: int) -> list[Refund]:
    session.rollback()
    return list(
        session.scalars(select(Refund).where(Refund.order_id == order_id).order_by(Refund.id))
    )


def attention_of(order: Order) -> str:
    """Why the order needs staff, as an English-reading staff member sees it."""
    from flask_babel import force_locale

    from shop.web.wording import attention_texts

    with force_locale("en"):
        return " | ".join(attention_texts(order))


def is_paid(session: Session, order_id: int) -> bool:
    return fresh_order(session, order_id).paid_at is not None


# --- Stripe's side ----------------------------------------------------------------------


def stripe_client(stripe_url: str) -> stripe.StripeClient:
    """The tests' own client of the (strict) Stripe at `stripe_url`."""
    return stripe.StripeClient("sk_test_shop", base_addresses={"api": stripe_url})


def pay_at_stripe(stripe_url: str, intent_id: str, card: str = GOOD_CARD) -> Any:
    """What Stripe.js does in the customer's browser: attach a card and confirm the intent.

    A declined card raises `stripe.CardError` (and Stripe sends `payment_failed`).
    """
    client = stripe_client(stripe_url)
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(intent_id)


def point_webhooks_at(localstripe_url: str, target_url: str, secret: str = WEBHOOK_SECRET) -> None:
    """Where localstripe delivers its events from now on (one registration, replaced)."""
    response = requests.post(
        f"{localstripe_url}/_config/webhooks/shop",
        data={"url": target_url, "secret": secret},
        timeout=5,
    )
    response.raise_for_status()


_event_serial = count(1)


def intent_object(
    order: Order,
    *,
    intent_id: str | None = None,
    amount: int | None = None,
    currency: str | None = None,
    order_id: int | None = None,
    failure: str | None = None,
    decline_code: str | None = None,
) -> dict[str, Any]:
    """A PaymentIntent as Stripe puts it in an event, for `order` unless told otherwise."""
    obj: dict[str, Any] = {
        "id": intent_id or f"pi_order_{order.id}",
        "object": "payment_intent",
        "amount": order.total_cents if amount is None else amount,
        "currency": (currency or order.currency).lower(),
        "status": "succeeded" if failure is None else "requires_payment_method",
        "metadata": {
            "order_id": str(order.id if order_id is None else order_id),
            "order_number": order.number or "",
        },
        "last_payment_error": None,
    }
    if failure is not None:
        obj["last_payment_error"] = {"code": "card_declined", "message": failure}
        if decline_code:
            obj["last_payment_error"]["decline_code"] = decline_code
    return obj


def event_body(
    event_type: str, data_object: Mapping[str, Any], *, event_id: str | None = None
) -> bytes:
    """A Stripe-shaped event, laid out the way localstripe sends them."""
    created = int(time.time())
    event = {
        "api_version": "2024-06-20",
        "created": created,
        "data": {"object": dict(data_object)},
        "id": event_id or f"evt_{time.time_ns()}_{next(_event_serial)}",
        "livemode": False,
        "object": "event",
        "type": event_type,
    }
    return json.dumps(event, indent=2, sort_keys=True).encode()


def signature_for(body: bytes, secret: str = WEBHOOK_SECRET, *, at: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send: `t=<at>,v1=<HMAC-SHA256>`."""
    return stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret, timestamp=int(time.time()) if at is None else at
    )


def post_event(
    client: Any, body: bytes, header: str | None = "sign", secret: str = WEBHOOK_SECRET
) -> Any:
    """POST an event to the webhook endpoint, signed with `secret` unless `header` is given."""
    headers = {"Content-Type": "application/json"}
    if header == "sign":
        header = signature_for(body, secret)
    if header is not None:
        headers["Stripe-Signature"] = header
    return client.post("/webhooks/stripe", data=body, headers=headers)
