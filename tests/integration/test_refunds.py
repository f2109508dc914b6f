"""Refunds by staff (`refund_order`, behind `flask --app shop orders refund` and the back
office): all or part of a paid order, through the gateway, recorded once, optionally putting
the goods back in stock. Through the test gateway (no keys) and through localstripe.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from shop import clock
from shop.extensions import db
from shop.models import Order, OrderStatus, Refund, RefundStatus
from shop.payments import RefundResult, gateway_for
from shop.payments import test_gateway as test_mode
from shop.services.orders.holds import expire_due_orders
from shop.services.orders.refunds import RefundRefusal, RefundRefused, refund_order
from shop.services.payments import (
    pay_in_test_mode,
    reconcile_pending_orders,
    start_payment,
)
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.payment_support import (
    attempts_of,
    event_body,
    fresh_order,
    pay_at_stripe,
    place,
    post_event,
    refunds_of,
    stock_of,
    stripe_client,
    stripe_settings,
)


@pytest.fixture
def stripe_url(stripe_peer) -> str:  # type: ignore[no-untyped-def]
    return stripe_peer.url


@pytest.fixture
def app_settings(request, database_url):  # type: ignore[no-untyped-def]
    """The test gateway; today's Stripe (the strict peer) for a test that asks for it."""
    if "stripe_url" in request.fixturenames:
        return settings_for(database_url, **stripe_settings(request.getfixturevalue("stripe_peer")))
    return settings_for(database_url)


@pytest.fixture
def gateway(app):  # type: ignore[no-untyped-def]
    return gateway_for(app.config)


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Lion's Mane capsules", price_cents=1250, stock=10)


@pytest.fixture
def paid_order(app, session, product) -> Order:  # type: ignore[no-untyped-def]
    """An order of 2 × € 12.50, paid with the test gateway's Pay button."""
    order = place(session, product, 2)
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    outcome = pay_in_test_mode(
        session, test_mode.TestGateway(), order, succeed=True, secret=secret, now=clock.now()
    )
    assert outcome.text == "paid"
    return fresh_order(session, order.id)


def refund(session, gateway, order: Order, **options: Any) -> Refund:  # type: ignore[no-untyped-def]
    return refund_order(session, gateway, order.id, now=clock.now(), **options)


# --- through the test gateway ---------------------------------------------------------


def test_a_full_refund_marks_the_order_refunded(session, gateway, paid_order):
    made = refund(session, gateway, paid_order, reason="customer changed their mind")

    after = fresh_order(session, paid_order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.REFUNDED, 2500)
    [recorded] = refunds_of(session, paid_order.id)
    assert recorded.id == made.id
    assert (recorded.amount_cents, recorded.reason, recorded.restocked) == (
        2500,
        "customer changed their mind",
        False,
    )
    assert recorded.provider_refund_id.startswith("re_test_")


def test_a_partial_refund_then_the_rest(session, gateway, paid_order):
    refund(session, gateway, paid_order, amount_cents=1000)

    after = fresh_order(session, paid_order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.PARTIALLY_REFUNDED, 1000)

    refund(session, gateway, paid_order)

    after = fresh_order(session, paid_order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.REFUNDED, 2500)
    assert [r.amount_cents for r in refunds_of(session, paid_order.id)] == [1000, 1500]


@pytest.mark.parametrize("amount_cents", [0, -100, 2501], ids=["zero", "negative", "too-much"])
def test_a_refund_of_nothing_or_of_more_than_was_paid_is_refused(
    session, gateway, paid_order, amount_cents
):
    with pytest.raises(RefundRefused) as refused:
        refund(session, gateway, paid_order, amount_cents=amount_cents)
    assert (refused.value.reason, refused.value.params) == (
        RefundRefusal.AMOUNT_OUT_OF_RANGE,
        {"most_cents": 2500},
    )

    assert fresh_order(session, paid_order.id).status == OrderStatus.PAID
    assert refunds_of(session, paid_order.id) == []


def test_after_a_partial_refund_only_what_is_left_can_be_refunded(session, gateway, paid_order):
    refund(session, gateway, paid_order, amount_cents=2000)

    with pytest.raises(RefundRefused) as too_much:
        refund(session, gateway, paid_order, amount_cents=501)
    assert too_much.value.params == {"most_cents": 500}
    refund(session, gateway, paid_order, amount_cents=500)
    with pytest.raises(RefundRefused) as all_back:
        refund(session, gateway, paid_order, amount_cents=1)
    assert (all_back.value.reason, all_back.value.params) == (
        RefundRefusal.NOT_REFUNDABLE,
        {"status": "refunded"},
    )

    assert fresh_order(session, paid_order.id).refunded_cents == 2500


def test_an_unpaid_order_cannot_be_refunded(session, gateway, product):
    pending = place(session, product)
    expired = place(session, product)
    expire_due_orders(session, now=expired.expires_at + timedelta(minutes=1))

    for order in (pending, expired):
        with pytest.raises(RefundRefused, match="not_refundable"):
            refund(session, gateway, order)
        assert refunds_of(session, order.id) == []
        assert fresh_order(session, order.id).refunded_cents == 0


def test_a_refund_can_put_the_goods_back_in_stock(session, gateway, product, paid_order):
    assert stock_of(session, product.id) == 8

    refund(session, gateway, paid_order, restock=True)

    assert stock_of(session, product.id) == 10
    [recorded] = refunds_of(session, paid_order.id)
    assert recorded.restocked


def test_goods_go_back_in_stock_once_however_many_refunds_ask_for_it(
    session, gateway, product, paid_order
):
    refund(session, gateway, paid_order, amount_cents=1000, restock=True)
    refund(session, gateway, paid_order, amount_cents=1500, restock=True)

    assert stock_of(session, product.id) == 10
    assert [r.restocked for r in refunds_of(session, paid_order.id)] == [True, False]


class ClicksMeetingAtTheGateway:
    """The test gateway, except that each refund waits until every click has reached the
    gateway: all of them asked for a refund before any was recorded."""

    provider = "test"
    is_test_mode = True

    def __init__(self, clicks: int) -> None:
        self._gateway = test_mode.TestGateway()
        self._meeting = threading.Barrier(clicks)

    def refund(self, **request: Any) -> RefundResult:
        self._meeting.wait(timeout=10)
        return self._gateway.refund(**request)


def refund_at_once(  # type: ignore[no-untyped-def]
    app, order_id: int, amounts: list[int | None], *, seen_state: str | None = None
) -> list[Any]:
    """Staff click refund once per amount, all at the same moment, each on its own server.

    Without `seen_state` (as from the command line) every click is a refund of its own and
    they meet at the gateway: each asked before any answer was recorded. With the state a
    form was shown in, they start together and the same form sent twice is one refund."""
    gateway = ClicksMeetingAtTheGateway(len(amounts)) if seen_state is None else None
    start = threading.Barrier(len(amounts))
    results: list[Any] = [None] * len(amounts)

    def click(index: int, amount: int | None) -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                results[index] = refund_order(
                    db.session,
                    gateway or test_mode.TestGateway(),
                    order_id,
                    amount_cents=amount,
                    now=clock.now(),
                    seen_state=seen_state,
                ).id
            except Exception as error:  # reported by the assertion below
                results[index] = error

    threads = [
        threading.Thread(target=click, args=(index, amount)) for index, amount in enumerate(amounts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_the_same_refund_clicked_twice_at_once_is_one_refund(app, session, paid_order):
    results = refund_at_once(app, paid_order.id, [1000, 1000], seen_state="0-0")

    assert isinstance(results[0], int) and results[0] == results[1], results
    assert [r.amount_cents for r in refunds_of(session, paid_order.id)] == [1000]
    assert fresh_order(session, paid_order.id).refunded_cents == 1000


def test_two_refunds_from_the_same_form_state_but_of_other_amounts_make_one(
    app, session, paid_order
):
    """Two tabs showed the same order; the second confirmation no longer says what would
    happen once the first refund went through, so it is refused."""
    results = refund_at_once(app, paid_order.id, [500, 700], seen_state="0-0")

    assert sorted(type(result).__name__ for result in results) == ["RefundRefused", "int"]
    assert len(refunds_of(session, paid_order.id)) == 1


def test_two_different_refunds_at_once_are_both_counted(app, session, paid_order):
    results = refund_at_once(app, paid_order.id, [500, 700])

    assert all(isinstance(result, int) for result in results), results
    assert sorted(r.amount_cents for r in refunds_of(session, paid_order.id)) == [500, 700]
    after = fresh_order(session, paid_order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.PARTIALLY_REFUNDED, 1200)


def test_stripe_reporting_a_refund_staff_made_counts_it_once(
    app, client, session, gateway, paid_order
):
    refund(session, gateway, paid_order, amount_cents=1000)
    [attempt] = attempts_of(session, paid_order.id)
    charge = {
        "id": "ch_test",
        "object": "charge",
        "payment_intent": attempt.intent_id,
        "amount": 2500,
        "amount_refunded": 1000,
    }

    response = post_event(
        client,
        event_body("charge.refunded", charge),
        secret=test_mode.local_webhook_secret(app.config["SECRET_KEY"]),
    )

    assert response.status_code == 200
    after = fresh_order(session, paid_order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.PARTIALLY_REFUNDED, 1000)


# --- through localstripe --------------------------------------------------------------


@pytest.fixture
def stripe_paid_order(app, session, product, stripe_url) -> Order:  # type: ignore[no-untyped-def]
    """An order of 2 × € 12.50 paid by card at localstripe (applied by reconcile: this module
    registers no webhook)."""
    order = place(session, product, 2)
    gateway = gateway_for(app.config)
    intent = start_payment(session, gateway, order, now=clock.now()).intent
    pay_at_stripe(stripe_url, intent.id)
    assert reconcile_pending_orders(session, gateway, now=clock.now()) == 1
    return fresh_order(session, order.id)


def test_a_refund_through_stripe_is_made_there_and_recorded_here(
    session, gateway, stripe_paid_order, stripe_url
):
    made = refund(session, gateway, stripe_paid_order, amount_cents=1000)

    at_stripe = stripe_client(stripe_url).v1.refunds.retrieve(made.provider_refund_id)
    assert (at_stripe.amount, at_stripe.status) == (1000, "succeeded")
    after = fresh_order(session, stripe_paid_order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.PARTIALLY_REFUNDED, 1000)

    rest = refund(session, gateway, stripe_paid_order, restock=True)

    at_stripe = stripe_client(stripe_url).v1.refunds.retrieve(rest.provider_refund_id)
    assert at_stripe.amount == 1500
    after = fresh_order(session, stripe_paid_order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.REFUNDED, 2500)
    assert stock_of(session, after.lines[0].product_id) == 10


def test_a_refund_stripe_refuses_is_kept_as_failed_and_refunds_nothing(
    app, session, gateway, product, stripe_url
):
    # given an order paid in test mode, before the shop had its Stripe keys
    order = place(session, product)
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    pay_in_test_mode(
        session, test_mode.TestGateway(), order, succeed=True, secret=secret, now=clock.now()
    )

    # when staff refund it through Stripe, which never saw that payment
    with pytest.raises(RefundRefused, match="provider_refused"):
        refund(session, gateway, order)

    # then the refund is kept, as failed with Stripe's code, and nothing counts as refunded
    [refused] = refunds_of(session, order.id)
    assert (refused.status, refused.failure_reason, refused.provider_refund_id) == (
        RefundStatus.FAILED,
        "resource_missing",
        None,
    )
    after = fresh_order(session, order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.PAID, 0)
