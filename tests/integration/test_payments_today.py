"""The shop against today's Stripe (the strict peer in front of localstripe): payment methods
chosen the way the pinned API wants, a redirect payment (iDEAL) from the payment page to the
bank and back, intents retrieved before their client secret is handed out, intents of
released orders canceled, refunds whose events beat the API's answer, a slow or failing
Stripe, idempotency keys that two installations never share, and `payments reconcile`.

After every test the `stripe_peer` fixture checks each request the shop sent against the
pinned API's contract (`tests/stripe_contract.py`).
"""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shop import clock
from shop.models import IntentStatus, OrderStatus, PaymentAttempt, RefundStatus
from shop.payments import gateway_for
from shop.services.installation import installation_key
from shop.services.orders.holds import expire_due_orders
from shop.services.orders.refunds import RefundRefused, refund_extra_payment, refund_order
from shop.services.payments import cancel_abandoned_intents, reconcile_payments
from tests.admin_support import signed_in
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.payment_support import (
    attempts_of,
    emails_of,
    events_of,
    fresh_order,
    pay_at_stripe,
    place,
    point_webhooks_at,
    record_intent,
    refunds_of,
    stock_of,
    stripe_client,
    stripe_settings,
)
from tests.peers import eventually, register_webhook, serving


@pytest.fixture
def app_settings(request, database_url, stripe_peer):  # type: ignore[no-untyped-def]
    """The shop with today's Stripe; a test may add settings with `indirect` parameters."""
    return settings_for(
        database_url, **{**stripe_settings(stripe_peer), **(getattr(request, "param", None) or {})}
    )


@pytest.fixture
def shop_url(app, stripe_peer):  # type: ignore[no-untyped-def]
    """The shop on a loopback port, where Stripe delivers its events."""
    with serving(app) as url:
        register_webhook(stripe_peer.url, url + "/webhooks/stripe")
        yield url


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Golden Teacher 15 g", price_cents=1995, stock=10)


@pytest.fixture
def order(session, product):  # type: ignore[no-untyped-def]
    return place(session, product, 2)


def text_of(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def open_payment_page(client: Any, order: Any) -> Any:
    response = client.get(f"/orders/{order.token}/pay")
    assert response.status_code == 200, (response.status_code, text_of(response)[:300])
    return response


def only_intent(session: Any, order: Any) -> PaymentAttempt:
    [attempt] = attempts_of(session, order.id)
    return attempt


def shop_calls(peer: Any) -> list[tuple[str, str, dict[str, Any], str | None]]:
    return [
        (request.method, request.path, request.params, request.idempotency_key)
        for request in peer.shop_requests()
    ]


def created_intents(peer: Any) -> list[dict[str, Any]]:
    """The parameters of every PaymentIntent create the shop sent (replays included)."""
    return [
        params
        for method, path, params, _ in shop_calls(peer)
        if (method, path) == ("POST", "/v1/payment_intents")
    ]


# --- the API contract ---------------------------------------------------------------------


def test_the_gateway_pins_the_api_version_of_the_installed_library():
    import stripe

    from shop.payments.stripe_gateway import STRIPE_API_VERSION

    assert STRIPE_API_VERSION == stripe.api_version == "2026-10-28.endive"


def test_by_default_the_dashboard_chooses_the_payment_methods(verified_client, order, stripe_peer):
    open_payment_page(verified_client, order)

    [params] = created_intents(stripe_peer)
    assert params["automatic_payment_methods"] == {"enabled": "true"}
    assert "payment_method_types" not in params and "allowed_payment_method_types" not in params
    assert "receipt_email" not in params  # the shop sends its own confirmation


@pytest.mark.parametrize(
    "app_settings",
    [{"SHOP_STRIPE_PAYMENT_METHOD_TYPES": "card,ideal,bancontact"}],
    indirect=True,
)
def test_a_list_of_payment_methods_is_sent_as_allowed_payment_method_types(
    verified_client, session, order, stripe_peer
):
    open_payment_page(verified_client, order)

    [params] = created_intents(stripe_peer)
    assert params["allowed_payment_method_types"] == ["card", "ideal", "bancontact"]
    assert "automatic_payment_methods" not in params and "payment_method_types" not in params
    intent = stripe_peer.intent(only_intent(session, order).intent_id)
    assert "ideal" in intent["payment_method_types"]


@pytest.mark.parametrize("app_settings", [{"SHOP_STRIPE_RECEIPT_EMAIL": "true"}], indirect=True)
def test_stripes_own_receipt_is_asked_for_only_when_the_setting_says_so(
    verified_client, order, stripe_peer
):
    open_payment_page(verified_client, order)

    [params] = created_intents(stripe_peer)
    assert params["receipt_email"] == "ann@example.nl"


def test_the_removed_parameter_is_refused_by_the_peer_as_by_stripe(stripe_peer):
    """The contract the tests hold the shop to is the one real Stripe holds it to."""
    import stripe

    client = stripe.StripeClient("sk_test_shop", base_addresses={"api": stripe_peer.url + "/shop"})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "eur", "payment_method_types": ["card"]}  # type: ignore[typeddict-unknown-key]
        )
    assert refused.value.code == "payment_method_types_no_longer_supported"
    assert refused.value.request_id and refused.value.request_id.startswith("req_")
    stripe_peer.clear_records()  # the shop did not send it; the contract check is about the shop


# --- idempotency keys of this installation ------------------------------------------------


def test_idempotency_keys_carry_this_installations_name(
    verified_client, session, order, stripe_peer
):
    open_payment_page(verified_client, order)

    [(_, _, _, key)] = [call for call in shop_calls(stripe_peer) if call[0] == "POST"]
    assert key is not None
    assert key.startswith(f"{installation_key(session)}-order-{order.id}-intent-1-")


def first_intent_of_a_new_installation(database_url: str, peer: Any) -> tuple[int, str]:
    """A fresh shop on its own database, on the same Stripe account: its first order's id
    and the intent its payment page made."""
    from shop import create_app
    from shop.extensions import db
    from tests.conftest import _migrate
    from tests.helpers import pass_age_gate

    _migrate(database_url)
    shop = create_app(settings_for(database_url, **stripe_settings(peer)))
    with shop.app_context():
        product = make_product(db.session, "Golden Teacher 15 g", price_cents=1995, stock=10)
        first = place(db.session, product, 2)
        order_id, token = first.id, first.token
        client = shop.test_client()
        pass_age_gate(client)
        assert client.get(f"/orders/{token}/pay").status_code == 200
        intent_id = db.session.scalars(select(PaymentAttempt.intent_id)).one()
        db.session.remove()
        db.engine.dispose()
    return order_id, intent_id


def test_two_installations_on_one_stripe_account_never_share_an_intent(stripe_peer, tmp_path):
    """Staging and development on one account: both have an order 1 of the same total."""
    staging = first_intent_of_a_new_installation(
        f"sqlite:///{tmp_path / 'staging.db'}", stripe_peer
    )
    development = first_intent_of_a_new_installation(
        f"sqlite:///{tmp_path / 'development.db'}", stripe_peer
    )

    assert staging[0] == development[0] == 1
    assert staging[1] != development[1]
    keys = [key for method, _, _, key in shop_calls(stripe_peer) if method == "POST"]
    assert len(keys) == len(set(keys)) == 2


# --- a redirect payment: iDEAL --------------------------------------------------------------


def return_to_order(client: Any, order: Any, intent_id: str, status: str, *, check: int = 0) -> Any:
    """Where Stripe sends the customer back from the bank (`return_url` plus its parameters)."""
    query = f"payment_intent={intent_id}&payment_intent_client_secret=x&redirect_status={status}"
    if check:
        query += f"&check={check}"
    return client.get(f"/orders/{order.token}?{query}")


def test_an_ideal_payment_goes_from_processing_to_paid(
    verified_client, session, order, stripe_peer, shop_url
):
    # given the customer chose iDEAL on the payment page and authorised it at the bank
    open_payment_page(verified_client, order)
    intent_id = only_intent(session, order).intent_id
    stripe_peer.start_redirect(intent_id, "ideal")
    stripe_peer.bank_processing(intent_id)

    # when Stripe sends them back to the order page
    back = return_to_order(verified_client, order, intent_id, "succeeded")

    # then the page asked Stripe and says the bank is still at work, and reloads itself
    page = back.get_data(as_text=True)
    assert "We are waiting for your bank to confirm the payment." in text_of(back)
    assert 'http-equiv="refresh" content="5;' in page
    assert f"payment_intent={intent_id}" in page and "check=1" in page
    assert fresh_order(session, order.id).status == OrderStatus.PENDING_PAYMENT
    eventually(lambda: only_intent(session, order).status == IntentStatus.PROCESSING)
    # and the payment page gives out no second chance to pay meanwhile
    assert verified_client.get(f"/orders/{order.token}/pay").status_code == 303

    # when the money arrives, Stripe's event pays the order
    stripe_peer.bank_settles(intent_id)
    eventually(lambda: fresh_order(session, order.id).status == OrderStatus.PAID)

    # and the next reload shows it, without reloading again
    again = return_to_order(verified_client, order, intent_id, "succeeded", check=1)
    assert "Payment received. Thank you!" in text_of(again)
    assert 'http-equiv="refresh"' not in again.get_data(as_text=True)
    assert len(emails_of(session, order.id)) == 1
    charge_id = only_intent(session, order).charge_id
    assert charge_id and charge_id.startswith("ch_")


def test_an_ideal_payment_the_bank_refuses_can_be_paid_again(
    verified_client, session, order, stripe_peer, shop_url
):
    open_payment_page(verified_client, order)
    intent_id = only_intent(session, order).intent_id
    stripe_peer.start_redirect(intent_id, "ideal")
    stripe_peer.bank_fails(intent_id, "The customer did not authorize the payment at their bank.")

    back = return_to_order(verified_client, order, intent_id, "failed")

    text = text_of(back)
    assert "Your payment did not go through: Your bank did not approve the payment." in text
    assert "Pay €39.90" in text
    # paying again uses the same intent, which can still be paid
    again = open_payment_page(verified_client, order)
    assert f'data-client-secret="{intent_id}_secret_' in again.get_data(as_text=True)
    assert len(attempts_of(session, order.id)) == 1


def test_back_from_the_bank_before_stripe_knows_says_processing_not_paid(
    verified_client, session, order, stripe_peer
):
    open_payment_page(verified_client, order)
    intent_id = only_intent(session, order).intent_id

    back = return_to_order(verified_client, order, intent_id, "succeeded")

    # the address says "succeeded"; Stripe says the intent still waits: nothing is paid
    assert "Your payment is being processed." in text_of(back)
    assert fresh_order(session, order.id).paid_at is None


# --- the payment page asks Stripe first -------------------------------------------------------


def test_a_canceled_intent_is_replaced_by_a_new_one(verified_client, session, order, stripe_peer):
    open_payment_page(verified_client, order)
    first = only_intent(session, order)
    stripe_client(stripe_peer.url).v1.payment_intents.cancel(first.intent_id)

    page = open_payment_page(verified_client, order).get_data(as_text=True)

    old, new = attempts_of(session, order.id)
    assert (old.intent_id, old.status, new.sequence) == (first.intent_id, "canceled", 2)
    assert f'data-client-secret="{new.intent_id}_secret_' in page
    assert first.intent_id not in page
    [_, second_create] = [
        key for method, path, _, key in shop_calls(stripe_peer) if path == "/v1/payment_intents"
    ]
    assert second_create and f"-order-{order.id}-intent-2-" in second_create


def test_a_succeeded_intent_whose_event_was_lost_is_applied_and_no_form_is_shown(
    verified_client, session, order, stripe_peer
):
    open_payment_page(verified_client, order)
    attempt = only_intent(session, order)
    pay_at_stripe(stripe_peer.url, attempt.intent_id)  # no webhook endpoint for this test

    response = verified_client.get(f"/orders/{order.token}/pay")

    assert response.status_code == 303
    assert fresh_order(session, order.id).status == OrderStatus.PAID
    assert "_secret_" not in response.get_data(as_text=True)


# --- intents of orders that ended unpaid ------------------------------------------------------


def test_an_expired_orders_intent_is_canceled_at_stripe(
    app, verified_client, session, order, stripe_peer, shop_url
):
    open_payment_page(verified_client, order)
    intent_id = only_intent(session, order).intent_id

    result = app.test_cli_runner().invoke(args=["orders", "expire"])
    assert "Released 0" in result.output  # not due yet
    later = order.expires_at + timedelta(minutes=1)
    assert expire_due_orders(session, now=later) == 1
    assert cancel_abandoned_intents(session, gateway_for(app.config), now=later) == 1

    assert stripe_peer.intent(intent_id)["status"] == "canceled"
    attempt = only_intent(session, order)
    assert (attempt.status, attempt.canceled_at is not None) == ("canceled", True)
    [cancel] = [c for c in shop_calls(stripe_peer) if c[1].endswith("/cancel")]
    assert cancel[2] == {"cancellation_reason": "abandoned"}
    assert cancel[3] == f"{installation_key(session)}-cancel-{intent_id}"
    # Stripe's own event about it changes nothing more
    eventually(lambda: stripe_peer.delivered("payment_intent.canceled"))
    # and nothing is left to cancel
    assert cancel_abandoned_intents(session, gateway_for(app.config), now=later) == 0


def test_staff_cancelling_an_order_cancels_its_intent_at_stripe(
    client, session, order, stripe_peer, verified_client
):
    open_payment_page(verified_client, order)
    intent_id = only_intent(session, order).intent_id
    signed_in(client, session, "manager")
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    response = client.post(
        f"/admin/orders/{order.id}/cancel", data={"csrf_token": token, "confirm": "yes"}
    )

    assert response.status_code == 303
    assert fresh_order(session, order.id).status == OrderStatus.CANCELLED
    assert stripe_peer.intent(intent_id)["status"] == "canceled"


def test_an_intent_paid_before_its_cancel_reached_stripe_is_honoured(
    app, verified_client, session, product, order, stripe_peer
):
    # given the customer paid just as the order expired, and the event was not delivered
    open_payment_page(verified_client, order)
    intent_id = only_intent(session, order).intent_id
    pay_at_stripe(stripe_peer.url, intent_id)
    later = order.expires_at + timedelta(minutes=1)
    assert expire_due_orders(session, now=later) == 1
    assert stock_of(session, product.id) == 10

    # when the shop tries to cancel the intent, Stripe refuses: it succeeded
    assert cancel_abandoned_intents(session, gateway_for(app.config), now=later) == 0

    # then the payment is applied: the stock is taken again and the order is paid
    after = fresh_order(session, order.id)
    assert (after.status, after.needs_refund) == (OrderStatus.PAID, False)
    assert stock_of(session, product.id) == 8
    assert "payment_intent_unexpected_state" in only_intent(session, order).cancel_error


def test_a_cancel_stripe_cannot_be_reached_for_is_retried_by_reconcile(
    app, verified_client, session, order, stripe_peer
):
    open_payment_page(verified_client, order)
    intent_id = only_intent(session, order).intent_id
    later = order.expires_at + timedelta(minutes=1)
    expire_due_orders(session, now=later)
    stripe_peer.fail_next(status=503, code="api_error", times=3)

    assert cancel_abandoned_intents(session, gateway_for(app.config), now=later) == 0
    assert "api_error" in only_intent(session, order).cancel_error

    report = reconcile_payments(session, gateway_for(app.config), now=later)
    assert report.intents_canceled == 1
    assert stripe_peer.intent(intent_id)["status"] == "canceled"


# --- refunds ------------------------------------------------------------------------------------


@pytest.fixture
def paid_order(app, verified_client, session, order, stripe_peer, shop_url):  # type: ignore[no-untyped-def]
    open_payment_page(verified_client, order)
    pay_at_stripe(stripe_peer.url, only_intent(session, order).intent_id)
    eventually(lambda: fresh_order(session, order.id).status == OrderStatus.PAID)
    return fresh_order(session, order.id)


@pytest.mark.parametrize("before_answer", [True, False], ids=["events-first", "answer-first"])
def test_a_refund_is_counted_once_whether_its_events_or_the_answer_come_first(
    app, session, paid_order, stripe_peer, before_answer
):
    stripe_peer.events_before_answer = before_answer

    made = refund_order(
        session, gateway_for(app.config), paid_order.id, amount_cents=1000, now=clock.now()
    )

    eventually(lambda: "charge.refunded" in event_types(session, paid_order.id))
    [refund] = refunds_of(session, paid_order.id)
    assert (refund.id, refund.status, refund.provider_refund_id) == (
        made.id,
        RefundStatus.SUCCEEDED,
        made.provider_refund_id,
    )
    after = fresh_order(session, paid_order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.PARTIALLY_REFUNDED, 1000)
    # the shop's refund id went to Stripe, which is how an early event found the row
    [create] = [c for c in shop_calls(stripe_peer) if c[1] == "/v1/refunds"]
    assert create[2]["metadata"]["shop_refund_id"] == str(made.id)


def event_types(session: Any, order_id: int) -> list[str]:
    return [event.event_type for event in events_of(session, order_id)]


def test_a_refund_stripe_leaves_pending_settles_later_and_restocks_once_accepted(
    app, session, product, paid_order, stripe_peer
):
    stripe_peer.new_refund_status = "pending"

    made = refund_order(
        session, gateway_for(app.config), paid_order.id, restock=True, now=clock.now()
    )

    assert made.status == RefundStatus.PENDING and made.provider_refund_id
    assert stock_of(session, product.id) == 10  # Stripe took it on: the goods are back
    assert fresh_order(session, paid_order.id).status == OrderStatus.REFUNDED
    stripe_peer.update_refund(made.provider_refund_id, "succeeded")
    eventually(lambda: refunds_of(session, paid_order.id)[0].status == RefundStatus.SUCCEEDED)
    assert stock_of(session, product.id) == 10


def test_a_refund_that_fails_at_the_bank_becomes_refundable_again(
    app, session, paid_order, stripe_peer
):
    stripe_peer.new_refund_status = "pending"
    made = refund_order(session, gateway_for(app.config), paid_order.id, now=clock.now())

    stripe_peer.update_refund(made.provider_refund_id, "failed", "expired_or_canceled_card")

    eventually(lambda: refunds_of(session, paid_order.id)[0].status == RefundStatus.FAILED)
    after = fresh_order(session, paid_order.id)
    assert (after.status, after.refunded_cents, after.needs_attention) == (
        OrderStatus.PAID,
        0,
        True,
    )
    stripe_peer.new_refund_status = "succeeded"
    again = refund_order(session, gateway_for(app.config), paid_order.id, now=clock.now())
    assert again.status == RefundStatus.SUCCEEDED


@pytest.mark.parametrize(
    "app_settings",
    [{"SHOP_STRIPE_TIMEOUT_SECONDS": "1", "SHOP_STRIPE_MAX_RETRIES": "0"}],
    indirect=True,
)
def test_a_refund_whose_answer_never_came_is_asked_again_with_the_same_key(
    app, session, paid_order, stripe_peer
):
    # given Stripe makes the refund but answers too late
    stripe_peer.hold_events()
    stripe_peer.delay_seconds = 2
    made = refund_order(
        session, gateway_for(app.config), paid_order.id, amount_cents=500, now=clock.now()
    )
    assert (made.status, made.provider_refund_id) == (RefundStatus.PENDING, None)
    assert fresh_order(session, paid_order.id).refunded_cents == 500  # held, not refundable twice

    # when reconcile runs with Stripe answering again
    stripe_peer.delay_seconds = 0
    report = reconcile_payments(session, gateway_for(app.config), now=clock.now())

    # then the one refund Stripe made is recorded, and Stripe made only one
    assert report.refunds_updated == 1
    [refund] = refunds_of(session, paid_order.id)
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_refund_id
    creates = [
        r for r in stripe_peer.shop_requests() if r.path == "/v1/refunds" and r.method == "POST"
    ]
    assert len({r.idempotency_key for r in creates}) == 1
    assert [r.replayed for r in creates] == [False, True]
    stripe_peer.release_events()


def test_an_order_paid_twice_gets_its_extra_payment_back_in_one_click(
    app, client, verified_client, session, order, stripe_peer, shop_url
):
    # given two intents the shop made for one order both succeed at Stripe
    open_payment_page(verified_client, order)
    first = only_intent(session, order)
    second_id = (
        stripe_client(stripe_peer.url)
        .v1.payment_intents.create(
            params={
                "amount": order.total_cents,
                "currency": "eur",
                "automatic_payment_methods": {"enabled": True},
                "metadata": {"order_id": str(order.id)},
            }
        )
        .id
    )
    record_intent(session, order, second_id, sequence=2)
    pay_at_stripe(stripe_peer.url, first.intent_id)
    eventually(lambda: fresh_order(session, order.id).status == OrderStatus.PAID)
    pay_at_stripe(stripe_peer.url, second_id)
    eventually(lambda: fresh_order(session, order.id).needs_attention)

    # when staff press "Refund the extra payment" and confirm
    signed_in(client, session, "manager")
    extra = attempts_of(session, order.id)[1]
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "Refund the extra payment" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    url = f"/admin/orders/{order.id}/payments/{extra.id}/refund"
    confirm = client.post(url, data={"csrf_token": token})
    assert "Refund the extra payment" in text_of(confirm)
    done = client.post(url, data={"csrf_token": token, "confirm": "yes"})

    # then the extra payment is back at Stripe in full, and the order itself is untouched
    assert done.status_code == 303
    [refund] = refunds_of(session, order.id)
    assert (refund.payment_attempt_id, refund.amount_cents, refund.status) == (
        extra.id,
        order.total_cents,
        RefundStatus.SUCCEEDED,
    )
    at_stripe = stripe_client(stripe_peer.url).v1.refunds.retrieve(refund.provider_refund_id)
    assert at_stripe.payment_intent == second_id
    after = fresh_order(session, order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.PAID, 0)
    assert "Refunded (or on its way back)." in text_of(client.get(f"/admin/orders/{order.id}"))
    # and it cannot be refunded twice
    with pytest.raises(RefundRefused, match="already_being_refunded"):
        refund_extra_payment(session, gateway_for(app.config), extra.id, now=clock.now())


# --- a slow or failing Stripe -------------------------------------------------------------------


@pytest.mark.parametrize(
    "app_settings",
    [{"SHOP_STRIPE_TIMEOUT_SECONDS": "1", "SHOP_STRIPE_MAX_RETRIES": "1"}],
    indirect=True,
)
def test_a_slow_stripe_gets_the_translated_unavailable_page_and_keeps_the_order(
    verified_client, session, order, stripe_peer, caplog
):
    stripe_peer.delay_seconds = 3
    caplog.set_level(logging.WARNING)

    response = verified_client.get(f"/orders/{order.token}/pay")

    assert response.status_code == 502
    assert "Payment is unavailable right now" in text_of(response)
    assert fresh_order(session, order.id).is_payable
    # one try and one retry, each given up after the timeout
    creates = [r for r in stripe_peer.shop_requests() if r.path == "/v1/payment_intents"]
    assert len(creates) == 2
    stripe_peer.delay_seconds = 0


def test_a_stripe_error_is_logged_with_its_request_id_and_code_and_shown_in_dutch(
    verified_client, session, order, stripe_peer, caplog
):
    caplog.set_level(logging.WARNING, logger="shop.payments.stripe_gateway")
    stripe_peer.fail_next(status=500, code="api_error", times=3)

    response = verified_client.get(f"/orders/{order.token}/pay", headers={"Accept-Language": "nl"})

    assert response.status_code == 502
    assert "Betalen is nu niet mogelijk" in text_of(response)
    [record] = [r for r in caplog.records if r.name == "shop.payments.stripe_gateway"]
    message = record.getMessage()
    assert "HTTP 500" in message and "code api_error" in message
    assert re.search(r"request req_\w+", message)
    assert attempts_of(session, order.id) == []


# --- payments reconcile ---------------------------------------------------------------------------


def test_reconcile_learns_processing_then_paid_canceled_and_refund_states(
    app, verified_client, session, product, stripe_peer
):
    """Every event below is lost (the shop has no webhook endpoint registered): only
    `payments reconcile` tells the shop."""
    point_webhooks_at(stripe_peer.url, "http://127.0.0.1:9/webhooks/stripe")
    gateway = gateway_for(app.config)
    banked, abandoned = place(session, product), place(session, product)
    for order in (banked, abandoned):
        open_payment_page(verified_client, order)
    banked_intent = only_intent(session, banked).intent_id
    stripe_peer.start_redirect(banked_intent, "ideal")
    stripe_peer.bank_processing(banked_intent)
    stripe_client(stripe_peer.url).v1.payment_intents.cancel(
        only_intent(session, abandoned).intent_id
    )

    first = reconcile_payments(session, gateway, now=clock.now())

    assert (first.paid, first.intents_updated) == (0, 2)
    assert only_intent(session, banked).status == IntentStatus.PROCESSING
    assert only_intent(session, abandoned).status == IntentStatus.CANCELED
    assert "waiting for your bank" in text_of(verified_client.get(f"/orders/{banked.token}"))
    assert "Your payment was cancelled" in text_of(
        verified_client.get(f"/orders/{abandoned.token}")
    )

    stripe_peer.bank_settles(banked_intent)
    stripe_peer.new_refund_status = "pending"
    second = reconcile_payments(session, gateway, now=clock.now())
    assert second.paid == 1
    made = refund_order(session, gateway, banked.id, now=clock.now())
    stripe_peer.update_refund(made.provider_refund_id, "succeeded")

    third = reconcile_payments(session, gateway, now=clock.now())

    assert third.refunds_updated == 1
    assert refunds_of(session, banked.id)[0].status == RefundStatus.SUCCEEDED
    assert fresh_order(session, banked.id).status == OrderStatus.REFUNDED
    # the confirmation, and the refund once reconcile learned it succeeded (not while pending)
    assert [e.kind for e in emails_of(session, banked.id)] == [
        "order_confirmation",
        "order_refunded",
    ]


def test_the_reconcile_command_says_what_it_did(app, stripe_peer):
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Marked 0 order(s) paid from the provider's records.",
        "Updated 0 payment intent(s) of unpaid orders.",
        "Canceled 0 payment intent(s) of released orders.",
        "Updated 0 pending refund(s).",
    ]
