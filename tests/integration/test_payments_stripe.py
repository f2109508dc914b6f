"""Paying through Stripe, with localstripe playing Stripe: a real process the real stripe
client talks HTTP to, which sends signed webhooks back to the shop served on loopback.

The card is confirmed here as Stripe.js would confirm it in the browser (attach the card,
confirm the intent); the order becomes paid only when Stripe's event lands, and the
customer gets one confirmation e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import stripe

from shop import clock
from shop.mail import mailer_for
from shop.models import EmailStatus, OrderStatus, PaymentProvider
from shop.payments import gateway_for
from shop.rules.age import local_today
from shop.rules.promotions import window_from_local
from shop.services.emails import send_pending_emails
from shop.services.installation import installation_key
from shop.services.orders.holds import expire_due_orders
from shop.services.payments import reconcile_pending_orders
from shop.services.promotions import PromoDraft, create_promo_code
from shop.web.emails import write_email
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.payment_support import (
    AMSTERDAM,
    ANN,
    DECLINED_CARD,
    attempts_of,
    emails_of,
    events_of,
    fresh_order,
    is_paid,
    pay_at_stripe,
    place,
    point_webhooks_at,
    stock_of,
    stripe_client,
    stripe_settings,
)
from tests.peers import eventually, register_webhook, serving, smtp_inbox


@pytest.fixture
def stripe_url(stripe_peer) -> str:  # type: ignore[no-untyped-def]
    """Where the tests' own client (playing Stripe.js) talks to today's Stripe."""
    return stripe_peer.url


@pytest.fixture
def app_settings(request, database_url, stripe_peer):  # type: ignore[no-untyped-def]
    """The shop with the strict peer as its Stripe; with an SMTP server when the test has one."""
    settings = settings_for(database_url, **stripe_settings(stripe_peer))
    if "smtp" in request.fixturenames:
        _, port = request.getfixturevalue("smtp")
        settings.update(SHOP_SMTP_HOST="127.0.0.1", SHOP_SMTP_PORT=port, SHOP_SMTP_STARTTLS="false")
    settings.update(getattr(request, "param", None) or {})
    return settings


@pytest.fixture
def smtp() -> Iterator[tuple[Any, int]]:
    with smtp_inbox() as (inbox, port):
        yield inbox, port


@pytest.fixture
def shop_url(app, stripe_url) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The shop on a loopback port, where Stripe delivers its webhooks."""
    with serving(app) as url:
        register_webhook(stripe_url, url + "/webhooks/stripe")
        yield url


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Golden Teacher 15 g", price_cents=1995, stock=10)


@pytest.fixture
def order(session, product):  # type: ignore[no-untyped-def]
    return place(session, product, 2)


def shop_calls(peer) -> list[str]:  # type: ignore[no-untyped-def]
    """The calls the shop made to Stripe so far, as "METHOD /v1/path"."""
    return [f"{request.method} {request.path}" for request in peer.shop_requests()]


def open_payment_page(client, order) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/orders/{order.token}/pay")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def intent_id_of(session, order) -> str:  # type: ignore[no-untyped-def]
    [attempt] = attempts_of(session, order.id)
    return attempt.intent_id


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def order_page(client, order, query: str = "") -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/orders/{order.token}{query}")
    assert response.status_code == 200
    return visible_text(response.get_data(as_text=True))


class DownShop:
    """Stands where the shop's webhook endpoint should be and answers 503, as a shop that is
    down would; keeps what Stripe sent, so a test can deliver it later."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        self.deliveries.append((body, environ.get("HTTP_STRIPE_SIGNATURE", "")))
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"down for maintenance"]


# --- paying ---------------------------------------------------------------------------


def test_a_card_payment_pays_the_order_and_one_confirmation_reaches_the_customer(
    verified_client, session, product, shop_url, stripe_url, smtp
):
    # given an order of two, with a 15% code
    inbox, _ = smtp
    today = local_today(clock.now(), AMSTERDAM)
    create_promo_code(
        session,
        PromoDraft(
            code="WELCOME15",
            kind="percent",
            value=15,
            window=window_from_local(
                today - timedelta(days=1), today + timedelta(days=1), AMSTERDAM
            ),
        ),
        now=clock.now(),
    )
    order = place(session, product, 2, code="WELCOME15")
    assert (order.subtotal_cents, order.discount_cents, order.total_cents) == (3990, 599, 3391)

    # when the customer pays by card on the payment page
    open_payment_page(verified_client, order)
    pay_at_stripe(stripe_url, intent_id_of(session, order))

    # then Stripe's webhook marks it paid
    eventually(lambda: is_paid(session, order.id))
    assert fresh_order(session, order.id).status == OrderStatus.PAID
    [event] = events_of(session, order.id)
    assert (event.provider, event.event_type, event.outcome) == (
        PaymentProvider.STRIPE,
        "payment_intent.succeeded",
        "paid",
    )
    # and one e-mail went out through the SMTP server
    eventually(lambda: inbox.messages)
    [email] = emails_of(session, order.id)
    assert (email.status, email.recipient) == (EmailStatus.SENT, ANN.email)
    [message] = inbox.messages
    assert message["To"] == ANN.email
    assert message["Subject"] == f"Your order {order.number} is paid"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert order.number in part
        assert "2 × Golden Teacher 15 g" in part
        assert "WELCOME15" in part
        assert "−€5.99" in part
        assert "€33.91" in part
        assert "Prinsengracht 263" in part
        assert "1016 GV Amsterdam" in part
        assert "Not medical advice. No proven effect in humans." in part
        assert "Do not use if you are allergic to mushrooms." in part


def test_the_payment_page_makes_one_intent_and_shows_the_same_one_when_reloaded(
    verified_client, session, order, stripe_url
):
    first = open_payment_page(verified_client, order)
    second = open_payment_page(verified_client, order)

    [attempt] = attempts_of(session, order.id)
    assert attempt.provider == PaymentProvider.STRIPE
    secrets = {
        re.search(r'data-client-secret="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for page in (first, second)
    }
    assert len(secrets) == 1
    assert secrets.pop().startswith(attempt.intent_id + "_secret_")
    # the page loads Stripe.js from the configured address and has no inline script
    assert f'<script src="{stripe_url}/js.stripe.com/v3/"></script>' in first
    assert 'data-publishable-key="pk_test_shop"' in first
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", first) is None


def test_the_intent_at_stripe_is_for_exactly_the_order(verified_client, session, order, stripe_url):
    open_payment_page(verified_client, order)

    intent = stripe_client(stripe_url).v1.payment_intents.retrieve(intent_id_of(session, order))

    assert (intent.amount, intent.currency) == (3990, "eur")
    assert intent.metadata.to_dict() == {
        "order_id": str(order.id),
        "order_number": order.number,
        "shop_installation": installation_key(session),
    }
    assert intent.description == f"Order {order.number}"


def test_a_declined_card_leaves_the_order_payable_and_says_why(
    verified_client, session, order, shop_url, stripe_url
):
    open_payment_page(verified_client, order)
    intent_id = intent_id_of(session, order)

    with pytest.raises(stripe.CardError) as declined:
        pay_at_stripe(stripe_url, intent_id, DECLINED_CARD)
    assert (declined.value.http_status, declined.value.code) == (402, "card_declined")

    # Stripe's payment_failed event lands: the customer sees why, and may pay again
    eventually(lambda: fresh_order(session, order.id).payment_failure_message)
    assert "Your payment did not go through: Your card was declined." in order_page(
        verified_client, order
    )
    # (localstripe cannot confirm an intent again after a decline; real Stripe can, and the
    # payment page offers the same intent again)
    assert "Your card was declined." in open_payment_page(verified_client, order)
    assert [attempt.intent_id for attempt in attempts_of(session, order.id)] == [intent_id]
    assert fresh_order(session, order.id).is_payable
    assert emails_of(session, order.id) == []


def paid_while_the_shop_was_down(verified_client, session, order, stripe_url) -> DownShop:  # type: ignore[no-untyped-def]
    """The customer pays by card; Stripe's success event reaches a shop that is down."""
    down = DownShop()
    with serving(down) as down_url:
        point_webhooks_at(stripe_url, down_url + "/webhooks/stripe")
        open_payment_page(verified_client, order)
        pay_at_stripe(stripe_url, intent_id_of(session, order))
        eventually(lambda: down.deliveries)
    return down


def deliver_late(client, down: DownShop) -> Any:  # type: ignore[no-untyped-def]
    [(body, signature)] = down.deliveries
    return client.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def test_a_dropped_webhook_is_made_good_by_reconcile_and_nothing_happens_twice(
    app, verified_client, session, order, stripe_url
):
    # given Stripe's success never reached the shop, and the customer did not come back
    down = paid_while_the_shop_was_down(verified_client, session, order, stripe_url)
    assert fresh_order(session, order.id).paid_at is None

    # when reconcile runs (`flask --app shop payments reconcile`)
    gateway = gateway_for(app.config)
    applied = reconcile_pending_orders(session, gateway, now=clock.now())
    send_pending_emails(session, mailer_for(app.config), write=write_email, now=clock.now())

    # then the order is paid, once, with one e-mail
    assert applied == 1
    assert fresh_order(session, order.id).status == OrderStatus.PAID
    assert "Status: Paid" in order_page(verified_client, order)
    assert len(emails_of(session, order.id)) == 1

    # and neither a second run nor the webhook arriving after all changes anything
    assert reconcile_pending_orders(session, gateway, now=clock.now()) == 0
    late = deliver_late(verified_client, down)
    assert (late.status_code, late.get_json()["outcome"]) == (200, "already paid")
    assert len(emails_of(session, order.id)) == 1
    assert [event.outcome for event in events_of(session, order.id)] == ["paid", "already paid"]


def test_back_from_stripe_the_order_page_asks_stripe_and_shows_the_truth(
    verified_client, session, order, stripe_url, stripe_peer
):
    # given Stripe's success never reached the shop
    down = paid_while_the_shop_was_down(verified_client, session, order, stripe_url)
    intent_id = intent_id_of(session, order)
    requests_before = len(shop_calls(stripe_peer))

    # when the customer comes back to the order page from Stripe
    returned = order_page(
        verified_client, order, f"?payment_intent={intent_id}&redirect_status=succeeded"
    )

    # then the page asked Stripe about the order's own intent, and shows it paid
    assert "Status: Paid" in returned
    assert "Payment received. Thank you!" in returned
    assert shop_calls(stripe_peer)[requests_before:] == [f"GET /v1/payment_intents/{intent_id}"]
    assert len(emails_of(session, order.id)) == 1
    # and Stripe's event, delivered after all, is recognised
    assert deliver_late(verified_client, down).get_json()["outcome"] == "already paid"
    assert len(emails_of(session, order.id)) == 1


def test_a_return_naming_another_orders_intent_asks_stripe_nothing(
    verified_client, session, product, order, stripe_url, stripe_peer
):
    other = place(session, product)
    open_payment_page(verified_client, other)
    open_payment_page(verified_client, order)
    pay_at_stripe(stripe_url, intent_id_of(session, other))
    before = len(shop_calls(stripe_peer))

    page = order_page(
        verified_client,
        order,
        f"?payment_intent={intent_id_of(session, other)}&redirect_status=succeeded",
    )

    assert "Status: Awaiting payment" in page
    assert shop_calls(stripe_peer)[before:] == []
    assert fresh_order(session, order.id).paid_at is None


def test_a_lost_webhook_for_an_order_that_expired_meanwhile_is_still_honoured(
    app, verified_client, session, product, order, stripe_url
):
    # given the customer paid, the webhook never arrived, and the order then expired
    down = DownShop()
    with serving(down) as down_url:
        point_webhooks_at(stripe_url, down_url + "/webhooks/stripe")
        open_payment_page(verified_client, order)
        pay_at_stripe(stripe_url, intent_id_of(session, order))
        eventually(lambda: down.deliveries)
    later = order.expires_at + timedelta(minutes=5)
    assert expire_due_orders(session, now=later) == 1
    assert stock_of(session, product.id) == 10

    # when reconcile runs
    applied = reconcile_pending_orders(session, gateway_for(app.config), now=later)

    # then the payment is not lost: the stock is taken again and the order is paid
    assert applied == 1
    after = fresh_order(session, order.id)
    assert (after.status, after.needs_refund) == (OrderStatus.PAID, False)
    assert stock_of(session, product.id) == 8
    # The customer was told it expired, then that it is paid after all: one of each.
    assert [email.kind for email in emails_of(session, order.id)] == [
        "order_expired",
        "order_confirmation",
    ]


def test_a_return_from_stripe_without_a_payment_marks_nothing_paid(verified_client, session, order):
    open_payment_page(verified_client, order)

    page = order_page(
        verified_client,
        order,
        f"?payment_intent={intent_id_of(session, order)}&redirect_status=succeeded",
    )

    assert "Status: Awaiting payment" in page
    assert fresh_order(session, order.id).paid_at is None
    assert events_of(session) == []


@pytest.mark.parametrize(
    "app_settings", [{"SHOP_STRIPE_API_BASE": "http://127.0.0.1:9"}], indirect=True
)
def test_when_stripe_cannot_be_reached_the_payment_page_says_so_and_keeps_the_order(
    verified_client, session, order
):
    response = verified_client.get(f"/orders/{order.token}/pay")

    assert response.status_code == 502
    assert "Payment is unavailable right now" in response.get_data(as_text=True)
    assert fresh_order(session, order.id).is_payable
    assert attempts_of(session, order.id) == []
