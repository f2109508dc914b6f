"""The built-in test gateway: with no Stripe key, the payment page offers "Pay (test mode)"
and "Decline (test mode)", and each sends a Stripe-shaped, signed event through the same
webhook code (signature check, event store, transitions) as Stripe's own events.

Production never falls back to it silently: without Stripe keys the shop refuses to start
unless `SHOP_ALLOW_TEST_PAYMENTS=true`.
"""

from __future__ import annotations

import json
import logging
import re

import pytest

from shop import clock, create_app
from shop.config import ConfigError
from shop.models import EmailStatus, OrderStatus, PaymentProvider
from shop.payments import gateway_for, test_gateway
from shop.services.payments import pay_in_test_mode
from tests.conftest import settings_for
from tests.helpers import csrf_token, make_product
from tests.integration.payment_support import (
    ANN,
    STRIPE_KEYS,
    attempts_of,
    emails_of,
    event_body,
    events_of,
    fresh_order,
    intent_object,
    place,
    post_event,
    record_intent,
)
from tests.peers import WEBHOOK_SECRET

PRODUCTION_KEY = "a-production-secret-key-of-48-characters-abcdefgh"


@pytest.fixture
def app_settings(request, database_url):  # type: ignore[no-untyped-def]
    """No Stripe key (the test gateway), unless a test passes settings."""
    return settings_for(database_url, **(getattr(request, "param", None) or {}))


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Microdosing kit", price_cents=2450, stock=3)


@pytest.fixture
def order(session, product):  # type: ignore[no-untyped-def]
    return place(session, product)


def pay_page(client, order):  # type: ignore[no-untyped-def]
    response = client.get(f"/orders/{order.token}/pay")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def press(client, order, action: str):  # type: ignore[no-untyped-def]
    """Press one of the test-mode buttons on the payment page, as the customer would."""
    token = csrf_token(pay_page(client, order))
    return client.post(
        f"/orders/{order.token}/pay/test", data={"csrf_token": token, "action": action}
    )


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_payment_page_says_test_mode_and_offers_pay_and_decline(verified_client, order):
    page = visible_text(pay_page(verified_client, order))

    assert "Test mode: no payment provider is configured, so no money moves." in page
    assert "Pay (test mode)" in page
    assert "Decline (test mode)" in page
    assert "€24.50" in page


def test_pay_in_test_mode_pays_the_order_through_the_event_store(
    verified_client, session, order, caplog
):
    caplog.set_level(logging.INFO, logger="shop.mail")

    response = press(verified_client, order, "pay")

    # the customer is back on the order page, which says it is paid
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/orders/{order.token}")
    page = visible_text(verified_client.get(f"/orders/{order.token}").get_data(as_text=True))
    assert "Status: Paid" in page
    assert "Payment received" in page
    # it got there through a stored, Stripe-shaped event, not a shortcut
    assert fresh_order(session, order.id).status == OrderStatus.PAID
    [attempt] = attempts_of(session, order.id)
    [event] = events_of(session, order.id)
    assert (event.provider, event.event_type, event.outcome) == (
        PaymentProvider.TEST,
        "payment_intent.succeeded",
        "paid",
    )
    stored = json.loads(event.raw_body)
    assert stored["data"]["object"]["id"] == attempt.intent_id
    assert stored["data"]["object"]["amount"] == 2450
    # and the confirmation went to the log, and stays in the outbox
    [email] = emails_of(session, order.id)
    assert (email.recipient, email.status, email.attempts) == (ANN.email, EmailStatus.LOGGED, 1)
    assert any(
        record.getMessage().startswith(f"E-mail to {ANN.email}: Your order {order.number}")
        for record in caplog.records
    )


def test_decline_in_test_mode_keeps_the_order_payable_and_tells_the_customer(
    verified_client, session, order
):
    response = press(verified_client, order, "decline")

    assert response.status_code == 303
    page = visible_text(verified_client.get(f"/orders/{order.token}").get_data(as_text=True))
    assert "Status: Awaiting payment" in page
    assert "Your payment did not go through: Your card was declined (test mode)." in page
    assert f'href="/orders/{order.token}/pay"' in verified_client.get(
        f"/orders/{order.token}"
    ).get_data(as_text=True)
    after = fresh_order(session, order.id)
    assert after.is_payable
    assert emails_of(session, order.id) == []
    [event] = events_of(session, order.id)
    assert (event.event_type, event.outcome) == ("payment_intent.payment_failed", "payment failed")


def test_after_a_decline_the_customer_can_still_pay(verified_client, session, order):
    press(verified_client, order, "decline")

    press(verified_client, order, "pay")

    after = fresh_order(session, order.id)
    assert (after.status, after.payment_failure_message) == (OrderStatus.PAID, "")
    assert len(attempts_of(session, order.id)) == 1
    assert len(emails_of(session, order.id)) == 1


def test_pressing_pay_twice_pays_once(verified_client, session, order):
    token = csrf_token(pay_page(verified_client, order))
    form = {"csrf_token": token, "action": "pay"}

    first = verified_client.post(f"/orders/{order.token}/pay/test", data=form)
    second = verified_client.post(f"/orders/{order.token}/pay/test", data=form)

    assert (first.status_code, second.status_code) == (303, 303)
    assert len(events_of(session, order.id)) == 1
    assert len(emails_of(session, order.id)) == 1


def test_the_pay_page_of_a_paid_order_leads_back_to_the_order(verified_client, order):
    press(verified_client, order, "pay")

    response = verified_client.get(f"/orders/{order.token}/pay")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/orders/{order.token}")


def test_without_stripe_keys_the_webhook_takes_only_events_signed_with_the_local_secret(
    app, client, session, order
):
    record_intent(session, order)
    body = event_body("payment_intent.succeeded", intent_object(order))

    refused = post_event(client, body, secret=WEBHOOK_SECRET)
    accepted = post_event(
        client, body, secret=test_gateway.local_webhook_secret(app.config["SECRET_KEY"])
    )

    assert (refused.status_code, accepted.status_code) == (400, 200)
    assert fresh_order(session, order.id).status == OrderStatus.PAID


@pytest.mark.parametrize("app_settings", [STRIPE_KEYS], indirect=True, ids=["stripe-keys"])
def test_test_mode_buttons_do_not_exist_when_stripe_keys_are_set(
    verified_client, session, product, order
):
    product_page = verified_client.get(f"/products/{product.slug}").get_data(as_text=True)
    token = csrf_token(product_page)

    response = verified_client.post(
        f"/orders/{order.token}/pay/test", data={"csrf_token": token, "action": "pay"}
    )

    assert response.status_code == 404
    assert fresh_order(session, order.id).status == OrderStatus.PENDING_PAYMENT
    assert events_of(session) == []


# --- production -----------------------------------------------------------------------


def test_production_without_stripe_keys_refuses_to_start(database_url):
    with pytest.raises(ConfigError, match="SHOP_ALLOW_TEST_PAYMENTS"):
        create_app(
            settings_for(database_url, SHOP_ENV="production", SHOP_SECRET_KEY=PRODUCTION_KEY)
        )


def test_production_may_take_test_payments_when_told_to(database_url):
    demo = create_app(
        settings_for(
            database_url,
            SHOP_ENV="production",
            SHOP_SECRET_KEY=PRODUCTION_KEY,
            SHOP_ALLOW_TEST_PAYMENTS="true",
        )
    )

    assert gateway_for(demo.config).is_test_mode


def test_production_with_test_payments_still_needs_a_long_secret_key(database_url):
    with pytest.raises(ConfigError, match="too short"):
        create_app(
            settings_for(
                database_url,
                SHOP_ENV="production",
                SHOP_SECRET_KEY="short-key",
                SHOP_ALLOW_TEST_PAYMENTS="true",
            )
        )


def test_production_with_stripe_keys_takes_stripe_payments(database_url):
    live = create_app(
        settings_for(
            database_url, SHOP_ENV="production", SHOP_SECRET_KEY=PRODUCTION_KEY, **STRIPE_KEYS
        )
    )

    assert not gateway_for(live.config).is_test_mode


def test_decline_then_pay_at_the_same_instant_still_pays(app, session, order):
    """Each click is its own event, even when the clock reads the same for both (a frozen
    clock in a demo, a coarse clock on some systems)."""
    secret = test_gateway.local_webhook_secret(app.config["SECRET_KEY"])
    gateway = test_gateway.TestGateway()
    instant = clock.now()

    declined = pay_in_test_mode(session, gateway, order, succeed=False, secret=secret, now=instant)
    paid = pay_in_test_mode(session, gateway, order, succeed=True, secret=secret, now=instant)

    assert (declined.text, paid.text) == ("payment failed", "paid")
    assert fresh_order(session, order.id).status == OrderStatus.PAID
