"""The strict Stripe peer (`tests/stripe_peer.py`) seen from its callers: the real
stripe-python client refused or answered as today's API would, and webhook events received,
verified and read by a small endpoint of our own, as the shop will receive them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe

from tests.peers import WEBHOOK_SECRET, eventually, register_webhook, running_localstripe, serving
from tests.stripe_contract import PINNED_API_VERSION, unknown_fields
from tests.stripe_objects import dispute
from tests.stripe_peer import StrictStripe, running_strict_stripe

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"


class Receiver:
    """A webhook endpoint: keeps every event whose signature `construct_event` accepts."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.rejected = 0
        self.answer_status = 200
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        try:
            stripe.Webhook.construct_event(
                body, environ.get("HTTP_STRIPE_SIGNATURE", ""), WEBHOOK_SECRET
            )
        except (ValueError, stripe.SignatureVerificationError):
            with self._lock:
                self.rejected += 1
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"bad signature"]
        with self._lock:
            self.events.append(json.loads(body))
        status = f"{self.answer_status} {'OK' if self.answer_status == 200 else 'Error'}"
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]

    def of(self, type: str, object_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                event
                for event in self.events
                if event["type"] == type and event["data"]["object"]["id"] == object_id
            ]

    def about(self, object_id: str) -> list[str]:
        """Types of the events about one object (or its charge's intent), in arrival order."""
        with self._lock:
            return [
                event["type"]
                for event in self.events
                if object_id
                in (event["data"]["object"]["id"], event["data"]["object"].get("payment_intent"))
            ]


@pytest.fixture(scope="module")
def strict_stripe() -> Iterator[tuple[StrictStripe, Receiver]]:
    receiver = Receiver()
    with (
        running_localstripe() as localstripe_url,
        running_strict_stripe(localstripe_url) as peer,
        serving(receiver) as receiver_url,
    ):
        register_webhook(peer.url, receiver_url + "/webhooks/stripe")
        yield peer, receiver


@pytest.fixture
def peer(strict_stripe: tuple[StrictStripe, Receiver]) -> Iterator[StrictStripe]:
    peer, receiver = strict_stripe
    yield peer
    peer.reset_controls()
    receiver.answer_status = 200


@pytest.fixture
def receiver(strict_stripe: tuple[StrictStripe, Receiver]) -> Receiver:
    return strict_stripe[1]


@pytest.fixture
def shop(peer: StrictStripe) -> stripe.StripeClient:
    """The client as the shop configures it: api base `<peer>/shop`."""
    return stripe.StripeClient(
        "sk_test_shop", base_addresses={"api": peer.url + "/shop"}, max_network_retries=0
    )


@pytest.fixture
def browser(peer: StrictStripe) -> stripe.StripeClient:
    """What the tests use when they act as Stripe.js: the peer's `/v1`."""
    return stripe.StripeClient(
        "sk_test_shop", base_addresses={"api": peer.url}, max_network_retries=0
    )


def new_intent(shop: stripe.StripeClient, amount: int = 1000, **params: Any) -> Any:
    params = {"amount": amount, "currency": "eur", **params}
    return shop.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def pay(browser: stripe.StripeClient, intent_id: str, card: str = GOOD_CARD) -> Any:
    """Stripe.js's part, as tests/integration/payment_support.py:pay_at_stripe does it."""
    method = browser.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    browser.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    return browser.v1.payment_intents.confirm(intent_id)


def paid_intent(shop: stripe.StripeClient, browser: stripe.StripeClient, amount: int) -> Any:
    return pay(browser, new_intent(shop, amount).id)


# --- refusals -------------------------------------------------------------------------


def test_payment_method_types_is_refused_as_today(
    peer: StrictStripe, shop: stripe.StripeClient
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        new_intent(shop, payment_method_types=["card", "ideal"])
    assert caught.value.http_status == 400
    assert caught.value.code == "payment_method_types_no_longer_supported"
    assert caught.value.param == "payment_method_types"
    assert caught.value.request_id and caught.value.request_id.startswith("req_")
    last = peer.shop_requests()[-1]
    assert (last.path, last.status, last.request_id) == (
        "/v1/payment_intents",
        400,
        caught.value.request_id,
    )


def test_an_unknown_parameter_is_named(shop: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        new_intent(shop, colour="red")
    assert (caught.value.code, caught.value.param) == ("parameter_unknown", "colour")
    assert caught.value.user_message == "Received unknown parameter: colour"
    with pytest.raises(stripe.InvalidRequestError) as nested:
        new_intent(shop, automatic_payment_methods={"enabled": True, "foo": "x"})
    assert nested.value.param == "automatic_payment_methods[foo]"


def test_automatic_and_allowed_payment_methods_together_are_refused(
    shop: stripe.StripeClient,
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        new_intent(
            shop,
            automatic_payment_methods={"enabled": True},
            allowed_payment_method_types=["card"],
        )
    assert caught.value.code == "parameters_exclusive"


def test_a_stripe_version_other_than_the_pinned_one_is_refused(peer: StrictStripe) -> None:
    old = stripe.StripeClient(
        "sk_test_shop",
        base_addresses={"api": peer.url + "/shop"},
        stripe_version="2024-06-20",
        max_network_retries=0,
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        new_intent(old)
    assert caught.value.code == "api_version_not_pinned"


def test_calls_without_a_secret_key_are_refused(peer: StrictStripe) -> None:
    answer = requests.post(
        f"{peer.url}/v1/payment_intents", data={"amount": 1000, "currency": "eur"}, timeout=5
    )
    assert answer.status_code == 401
    assert answer.headers["Request-Id"].startswith("req_")
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_stripe_js_calls_with_the_publishable_key_and_the_client_secret(
    peer: StrictStripe, shop: stripe.StripeClient
) -> None:
    intent = new_intent(shop)
    url = f"{peer.url}/v1/payment_intents/{intent.id}"
    mine = requests.get(
        url, params={"key": "pk_test_shop", "client_secret": intent.client_secret}, timeout=5
    )
    assert mine.status_code == 200
    assert mine.json()["id"] == intent.id
    assert peer.requests[-1].publishable is True
    theirs = requests.get(
        url, params={"key": "pk_test_shop", "client_secret": "pi_x_secret_y"}, timeout=5
    )
    assert theirs.status_code == 404
    # A publishable key may not do what needs the secret one.
    create = requests.post(
        f"{peer.url}/v1/payment_intents",
        data={"key": "pk_test_shop", "amount": 100, "currency": "eur"},
        timeout=5,
    )
    assert create.status_code == 401
    script = requests.get(f"{peer.url}/js.stripe.com/v3/", timeout=5)
    assert script.status_code == 200 and "LOCALSTRIPE_BASE_API" in script.text


def test_an_endpoint_outside_the_table_is_refused(peer: StrictStripe) -> None:
    answer = requests.get(
        f"{peer.url}/v1/customers", headers={"Authorization": "Bearer sk_test_x"}, timeout=5
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "unrecognized_request_url"


# --- today's answers ------------------------------------------------------------------


def test_automatic_payment_methods_are_todays_way(shop: stripe.StripeClient) -> None:
    intent = new_intent(shop, automatic_payment_methods={"enabled": True})
    data = intent.to_dict()
    assert unknown_fields(data) == []
    assert data["latest_charge"] is None
    assert "charges" not in data
    assert data["amount_received"] == 0
    assert data["automatic_payment_methods"]["enabled"] is True
    assert "card" in data["payment_method_types"]


def test_allowed_payment_method_types_and_the_extras_localstripe_refuses(
    peer: StrictStripe, shop: stripe.StripeClient
) -> None:
    intent = new_intent(
        shop,
        allowed_payment_method_types=["card", "ideal"],
        description="Order 1042",
        receipt_email="ann@example.nl",
        return_url="https://shop.example/orders/1042",
        metadata={"order_id": "1042"},
    )
    again = shop.v1.payment_intents.retrieve(intent.id).to_dict()
    for data in (intent.to_dict(), again):
        assert unknown_fields(data) == []
        assert data["payment_method_types"] == ["card", "ideal"]
        assert data["allowed_payment_method_types"] == ["card", "ideal"]
        assert data["automatic_payment_methods"] is None
        assert data["description"] == "Order 1042"
        assert data["receipt_email"] == "ann@example.nl"
        assert data["metadata"] == {"order_id": "1042"}
    assert peer.remembered(intent.id)["return_url"] == "https://shop.example/orders/1042"


def test_a_card_payment_sends_a_reshaped_signed_succeeded_event(
    peer: StrictStripe,
    receiver: Receiver,
    shop: stripe.StripeClient,
    browser: stripe.StripeClient,
) -> None:
    intent = new_intent(shop, 2500, metadata={"order_id": "7"})
    confirmed = pay(browser, intent.id)
    assert confirmed.status == "succeeded"
    assert isinstance(confirmed.latest_charge, str) and confirmed.latest_charge.startswith("ch_")
    assert confirmed.amount_received == 2500

    [event] = eventually(lambda: receiver.of("payment_intent.succeeded", intent.id))
    assert event["api_version"] == PINNED_API_VERSION
    assert unknown_fields(event) == []
    assert event["data"]["object"]["latest_charge"] == confirmed.latest_charge
    assert event["data"]["object"]["amount_received"] == 2500
    assert event["livemode"] is False and event["pending_webhooks"] == 1
    confirm_call = next(r for r in peer.requests if r.path.endswith(f"{intent.id}/confirm"))
    assert event["request"]["id"] == confirm_call.request_id
    # The peer records a delivery once the endpoint has answered: poll for it too.
    statuses = eventually(
        lambda: [
            d.status
            for d in peer.delivered("payment_intent.succeeded")
            if d.event_id == event["id"]
        ]
    )
    assert statuses == [200]
    assert receiver.rejected == 0


def test_a_declined_card_is_a_card_error_and_a_failed_event(
    receiver: Receiver, shop: stripe.StripeClient, browser: stripe.StripeClient
) -> None:
    intent = new_intent(shop)
    with pytest.raises(stripe.CardError) as caught:
        pay(browser, intent.id, DECLINED_CARD)
    assert caught.value.code == "card_declined"
    [event] = eventually(lambda: receiver.of("payment_intent.payment_failed", intent.id))
    failed = event["data"]["object"]
    assert unknown_fields(event) == []
    assert failed["status"] == "requires_payment_method"
    assert failed["last_payment_error"]["type"] == "card_error"
    assert failed["last_payment_error"]["code"] == "card_declined"


def test_the_same_idempotency_key_replays_the_first_answer(
    peer: StrictStripe, shop: stripe.StripeClient
) -> None:
    options: Any = {"idempotency_key": "order-77-attempt-1"}
    params: Any = {"amount": 700, "currency": "eur"}
    first = shop.v1.payment_intents.create(params=params, options=options)
    second = shop.v1.payment_intents.create(params=params, options=options)
    assert second.id == first.id
    replay = peer.shop_requests()[-1]
    assert replay.replayed is True
    raw = requests.post(
        f"{peer.url}/shop/v1/payment_intents",
        data={"amount": 700, "currency": "eur"},
        headers={"Authorization": "Bearer sk_test_shop", "Idempotency-Key": "order-77-attempt-1"},
        timeout=5,
    )
    assert raw.headers["Idempotent-Replayed"] == "true"
    assert raw.json()["id"] == first.id

    with pytest.raises(stripe.IdempotencyError):
        shop.v1.payment_intents.create(params={**params, "amount": 800}, options=options)


# --- refunds ----------------------------------------------------------------------------


def test_a_refund_over_what_is_left_is_refused(
    receiver: Receiver, shop: stripe.StripeClient, browser: stripe.StripeClient
) -> None:
    intent = paid_intent(shop, browser, 1000)
    first = shop.v1.refunds.create(
        params={
            "payment_intent": intent.id,
            "amount": 600,
            "reason": "requested_by_customer",
            "metadata": {"order_id": "12"},
        }
    )
    assert unknown_fields(first.to_dict()) == []
    assert (first.status, first.amount, first.payment_intent) == ("succeeded", 600, intent.id)
    assert (first.reason, first.metadata.to_dict()) == ("requested_by_customer", {"order_id": "12"})
    assert shop.v1.refunds.retrieve(first.id).reason == "requested_by_customer"

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        shop.v1.refunds.create(params={"payment_intent": intent.id, "amount": 500})
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")

    shop.v1.refunds.create(params={"payment_intent": intent.id})  # the remaining 400
    with pytest.raises(stripe.InvalidRequestError) as nothing_left:
        shop.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1})
    assert nothing_left.value.code == "charge_already_refunded"

    charge = shop.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (1000, True)
    listed = shop.v1.refunds.list(params={"payment_intent": intent.id})
    assert sorted(refund.amount for refund in listed.data) == [400, 600]

    refunded = eventually(
        lambda: (
            len(receiver.of("charge.refunded", charge.id)) == 2
            and receiver.of("charge.refunded", charge.id)
        )
    )
    assert [e["data"]["object"]["amount_refunded"] for e in refunded] == [600, 1000]
    assert len(receiver.of("refund.created", first.id)) == 1


def test_refund_events_can_arrive_before_the_answer(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient, browser: stripe.StripeClient
) -> None:
    intent = paid_intent(shop, browser, 1500)
    peer.events_before_answer = True
    refund = shop.v1.refunds.create(params={"payment_intent": intent.id, "amount": 500})
    # No waiting: both were delivered while the API call was still open.
    assert len(receiver.of("refund.created", refund.id)) == 1
    [charge_event] = receiver.of("charge.refunded", intent.latest_charge)
    assert charge_event["data"]["object"]["amount_refunded"] == 500
    assert charge_event["request"]["id"] == peer.shop_requests()[-1].request_id


def test_a_pending_refund_that_fails_gives_the_amount_back(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient, browser: stripe.StripeClient
) -> None:
    intent = paid_intent(shop, browser, 900)
    peer.new_refund_status = "pending"
    refund = shop.v1.refunds.create(params={"payment_intent": intent.id})
    assert refund.status == "pending"
    peer.update_refund(refund.id, "failed", failure_reason="expired_or_canceled_card")
    assert shop.v1.refunds.retrieve(refund.id).status == "failed"
    assert shop.v1.charges.retrieve(intent.latest_charge).amount_refunded == 0
    [updated] = eventually(lambda: receiver.of("refund.updated", refund.id))
    assert updated["data"]["previous_attributes"] == {"status": "pending"}
    assert eventually(lambda: receiver.of("refund.failed", refund.id))


# --- cancel, held and repeated events ----------------------------------------------------


def test_cancel_sends_payment_intent_canceled(
    receiver: Receiver, shop: stripe.StripeClient
) -> None:
    intent = new_intent(shop)
    canceled = shop.v1.payment_intents.cancel(
        intent.id, params={"cancellation_reason": "abandoned"}
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "abandoned"
    assert isinstance(canceled.canceled_at, int)
    [event] = eventually(lambda: receiver.of("payment_intent.canceled", intent.id))
    assert event["data"]["object"]["cancellation_reason"] == "abandoned"
    with pytest.raises(stripe.InvalidRequestError) as again:
        shop.v1.payment_intents.cancel(intent.id)
    assert again.value.code == "payment_intent_unexpected_state"


def test_held_events_wait_and_redelivery_repeats_one(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient
) -> None:
    peer.hold_events()
    intent = new_intent(shop)
    shop.v1.payment_intents.cancel(intent.id)
    assert receiver.of("payment_intent.canceled", intent.id) == []
    # Late events of earlier tests may have been held too: pick this intent's.
    [delivery] = [d for d in peer.release_events() if intent.id in d.body.decode()]
    assert (delivery.type, delivery.status) == ("payment_intent.canceled", 200)
    [again] = peer.redeliver(delivery.event_id)
    assert again.redelivery is True
    copies = receiver.of("payment_intent.canceled", intent.id)
    assert [event["id"] for event in copies] == [delivery.event_id] * 2


def test_a_failing_endpoint_gets_one_delivery(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient
) -> None:
    receiver.answer_status = 500
    intent = new_intent(shop)
    shop.v1.payment_intents.cancel(intent.id)
    statuses = eventually(
        lambda: [
            d.status
            for d in peer.delivered("payment_intent.canceled")
            if intent.id in d.body.decode()
        ]
    )
    assert statuses == [500]
    assert len(receiver.of("payment_intent.canceled", intent.id)) == 1


def test_other_events_are_sent_on_request(peer: StrictStripe, receiver: Receiver) -> None:
    opened = dispute(payment_intent="pi_disputed", amount=1200)
    peer.emit("charge.dispute.created", opened)
    [event] = receiver.of("charge.dispute.created", opened["id"])
    assert unknown_fields(event) == []


# --- faults --------------------------------------------------------------------------


def test_injected_errors_and_delays(peer: StrictStripe, shop: stripe.StripeClient) -> None:
    peer.fail_next(status=500, code="api_error")
    with pytest.raises(stripe.APIError):
        new_intent(shop)
    assert new_intent(shop).status == "requires_payment_method"

    # A slow answer: the call ran, the client gave up; its retry with the same key is a
    # replay, not a second intent.
    peer.delay_seconds = 1.0
    impatient = stripe.StripeClient(
        "sk_test_shop",
        base_addresses={"api": peer.url + "/shop"},
        http_client=stripe.RequestsClient(timeout=0.3),
        max_network_retries=0,
    )
    options: Any = {"idempotency_key": "slow-order-1"}
    with pytest.raises(stripe.APIConnectionError):
        impatient.v1.payment_intents.create(
            params={"amount": 300, "currency": "eur"}, options=options
        )
    peer.delay_seconds = 0.0
    created = [r for r in peer.shop_requests() if r.idempotency_key == "slow-order-1"]
    retried = shop.v1.payment_intents.create(
        params={"amount": 300, "currency": "eur"}, options=options
    )
    assert retried.id == created[0].answer["id"]
    assert peer.shop_requests()[-1].replayed is True


# --- redirect payments (iDEAL) ------------------------------------------------------


def test_a_bank_redirect_processes_settles_and_can_be_refunded(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient
) -> None:
    intent = new_intent(shop, 4200, allowed_payment_method_types=["card", "ideal"])
    peer.start_redirect(intent.id, method="ideal")
    assert shop.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"

    peer.bank_processing(intent.id)
    processing = shop.v1.payment_intents.retrieve(intent.id)
    assert processing.status == "processing"
    assert "ideal" in processing.payment_method_types
    assert eventually(lambda: receiver.of("payment_intent.processing", intent.id))

    peer.bank_settles(intent.id)
    [event] = eventually(lambda: receiver.of("payment_intent.succeeded", intent.id))
    settled = event["data"]["object"]
    assert settled["status"] == "succeeded"
    assert settled["amount_received"] == 4200
    assert "ideal" in settled["payment_method_types"]
    assert unknown_fields(event) == []
    charge = shop.v1.charges.retrieve(settled["latest_charge"])
    assert charge.payment_method_details.type == "ideal"

    refund = shop.v1.refunds.create(params={"payment_intent": intent.id, "amount": 4200})
    assert refund.status == "succeeded"


def test_the_bank_page_authorizes_and_returns_to_the_shop(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient
) -> None:
    intent = new_intent(shop)
    return_url = "https://shop.example/orders/9?lang=nl"
    page = requests.get(
        f"{peer.url}/_bank/{intent.id}", params={"return_url": return_url}, timeout=5
    )
    assert "Authorize test payment" in page.text and "Fail test payment" in page.text

    answer = requests.post(
        f"{peer.url}/_bank/{intent.id}",
        data={"return_url": return_url, "action": "authorize"},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 303
    target = urlsplit(answer.headers["Location"])
    assert (target.netloc, target.path) == ("shop.example", "/orders/9")
    query = parse_qs(target.query)
    assert query["lang"] == ["nl"]
    assert query["payment_intent"] == [intent.id]
    assert query["payment_intent_client_secret"] == [intent.client_secret]
    assert query["redirect_status"] == ["succeeded"]
    assert shop.v1.payment_intents.retrieve(intent.id).status == "processing"
    assert eventually(lambda: receiver.of("payment_intent.processing", intent.id))


def test_the_bank_page_can_fail_the_payment(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient
) -> None:
    intent = new_intent(shop)
    answer = requests.post(
        f"{peer.url}/_bank/{intent.id}",
        data={"return_url": "https://shop.example/orders/10", "action": "fail"},
        allow_redirects=False,
        timeout=5,
    )
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["redirect_status"] == ["failed"]
    failed = shop.v1.payment_intents.retrieve(intent.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.payment_method_type == "ideal"
    [event] = eventually(lambda: receiver.of("payment_intent.payment_failed", intent.id))
    assert event["data"]["object"]["last_payment_error"]["payment_method_type"] == "ideal"


def test_settlement_can_follow_by_itself(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient
) -> None:
    peer.settle_after_seconds = 0.1
    intent = new_intent(shop)
    peer.bank_processing(intent.id)
    assert eventually(lambda: receiver.of("payment_intent.succeeded", intent.id))


# --- Stripe.js's own redirect flow: confirm with payment_method_data, follow next_action ----


def confirm_ideal(browser: stripe.StripeClient, intent_id: str, return_url: str) -> Any:
    """What the Payment Element sends when the customer picks iDEAL and presses Pay."""
    return browser.v1.payment_intents.confirm(
        intent_id,
        params={
            "payment_method_data": {"type": "ideal", "ideal": {"bank": "ing"}},
            "return_url": return_url,
        },
    )


def test_confirming_ideal_sends_the_customer_to_the_bank_and_back(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient, browser: stripe.StripeClient
) -> None:
    intent = new_intent(shop, 2500, automatic_payment_methods={"enabled": True})
    return_url = "https://shop.example/orders/11?lang=nl"

    confirmed = confirm_ideal(browser, intent.id, return_url)

    assert confirmed.status == "requires_action"
    assert unknown_fields(confirmed.to_dict()) == []
    # Read through stripe-python's own classes: PaymentIntent.NextAction.RedirectToUrl.
    assert isinstance(confirmed.next_action, stripe.PaymentIntent.NextAction)
    assert confirmed.next_action.type == "redirect_to_url"
    redirect = confirmed.next_action.redirect_to_url
    assert isinstance(redirect, stripe.PaymentIntent.NextAction.RedirectToUrl)
    assert redirect.return_url == return_url
    bank = urlsplit(redirect.url)
    assert f"{bank.scheme}://{bank.netloc}{bank.path}" == f"{peer.url}/_bank/{intent.id}"
    assert parse_qs(bank.query) == {"return_url": [return_url]}
    assert confirmed.payment_method and confirmed.payment_method.startswith("pm_")
    assert "ideal" in confirmed.payment_method_types
    assert shop.v1.payment_intents.retrieve(intent.id).status == "requires_action"

    page = requests.get(redirect.url, timeout=5)
    assert page.status_code == 200 and "Authorize test payment" in page.text
    answer = requests.post(
        redirect.url.split("?")[0],
        data={"return_url": return_url, "action": "authorize"},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 303
    back = urlsplit(answer.headers["Location"])
    assert (back.netloc, back.path) == ("shop.example", "/orders/11")
    assert parse_qs(back.query) == {
        "lang": ["nl"],
        "payment_intent": [intent.id],
        "payment_intent_client_secret": [intent.client_secret],
        "redirect_status": ["succeeded"],
    }
    processing = shop.v1.payment_intents.retrieve(intent.id)
    assert (processing.status, processing.next_action) == ("processing", None)
    assert eventually(lambda: receiver.of("payment_intent.processing", intent.id))

    peer.bank_settles(intent.id)
    [event] = eventually(lambda: receiver.of("payment_intent.succeeded", intent.id))
    charge = shop.v1.charges.retrieve(event["data"]["object"]["latest_charge"])
    assert charge.payment_method_details.type == "ideal"


def test_a_bank_that_refuses_leaves_the_intent_payable_by_card(
    peer: StrictStripe, receiver: Receiver, shop: stripe.StripeClient, browser: stripe.StripeClient
) -> None:
    intent = new_intent(shop, 2600)
    redirect = confirm_ideal(browser, intent.id, "https://shop.example/orders/12")
    answer = requests.post(
        redirect.next_action.redirect_to_url.url.split("?")[0],
        data={"return_url": "https://shop.example/orders/12", "action": "fail"},
        allow_redirects=False,
        timeout=5,
    )
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["redirect_status"] == ["failed"]
    failed = shop.v1.payment_intents.retrieve(intent.id)
    assert (failed.status, failed.next_action) == ("requires_payment_method", None)
    assert failed.last_payment_error.code == "payment_method_provider_decline"
    assert failed.last_payment_error.payment_method_type == "ideal"
    assert eventually(lambda: receiver.of("payment_intent.payment_failed", intent.id))

    # Paying again, by card, as Stripe.js does: a PaymentMethod, then confirm with it.
    method = browser.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": GOOD_CARD, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    paid = browser.v1.payment_intents.confirm(intent.id, params={"payment_method": method.id})
    assert (paid.status, paid.last_payment_error, paid.payment_method) == (
        "succeeded",
        None,
        method.id,
    )
    assert shop.v1.charges.retrieve(paid.latest_charge).payment_method_details.type == "card"


def test_stripe_js_confirms_ideal_with_the_publishable_key_and_client_secret(
    peer: StrictStripe, shop: stripe.StripeClient
) -> None:
    intent = new_intent(shop)
    url = f"{peer.url}/v1/payment_intents/{intent.id}/confirm"
    form = {
        "key": "pk_test_shop",
        "payment_method_data[type]": "ideal",
        "return_url": "https://shop.example/orders/13",
    }
    theirs = requests.post(url, data={**form, "client_secret": "pi_x_secret_y"}, timeout=5)
    assert theirs.status_code == 404
    mine = requests.post(url, data={**form, "client_secret": intent.client_secret}, timeout=5)
    assert mine.status_code == 200
    assert mine.json()["next_action"]["type"] == "redirect_to_url"


def test_a_redirect_confirm_is_refused_as_stripe_refuses_it(
    peer: StrictStripe, shop: stripe.StripeClient, browser: stripe.StripeClient
) -> None:
    def refusal(intent_id: str, **params: Any) -> stripe.InvalidRequestError:
        with pytest.raises(stripe.InvalidRequestError) as caught:
            browser.v1.payment_intents.confirm(intent_id, params=params)  # type: ignore[arg-type]
        return caught.value

    back = "https://shop.example/orders/14"
    cards_only = new_intent(shop, allowed_payment_method_types=["card"])
    refused = refusal(cards_only.id, payment_method_data={"type": "ideal"}, return_url=back)
    assert (refused.code, refused.param) == (
        "payment_intent_incompatible_payment_method",
        "payment_method_data[type]",
    )
    dollars = new_intent(shop, currency="usd")  # iDEAL pays in euros only
    refused = refusal(dollars.id, payment_method_data={"type": "ideal"}, return_url=back)
    assert refused.code == "payment_intent_incompatible_payment_method"

    intent = new_intent(shop)
    refused = refusal(intent.id, payment_method_data={"type": "ideal"})
    assert (refused.code, refused.param) == ("parameter_missing", "return_url")
    refused = refusal(
        intent.id, payment_method_data={"type": "ideal", "colour": "red"}, return_url=back
    )
    assert (refused.code, refused.param) == ("parameter_unknown", "payment_method_data[colour]")
    refused = refusal(intent.id, payment_method_data={"type": "klarna"}, return_url=back)
    assert refused.code == "payment_method_unsupported_type"

    peer.bank_processing(intent.id)
    refused = refusal(intent.id, payment_method_data={"type": "ideal"}, return_url=back)
    assert refused.code == "payment_intent_unexpected_state"
