"""`POST /webhooks/stripe`: what Stripe's events do to an order, and what the shop answers.

Events are signed here as Stripe signs them (HMAC-SHA256 of `<t>.<raw body>`) and posted by
a visitor who never passed the age gate and has no CSRF token: the signature is the only
authentication. A bad signature (or one dated ahead) is answered 400 with nothing written;
a signed body that is not the shape of an event is answered 400 and kept as malformed, once,
for staff; a stored event is
answered 200, duplicates too; a failure while applying one is answered 500 with nothing kept,
so Stripe's retry starts clean.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, select

from shop import clock
from shop.models import EmailStatus, Order, OrderStatus, PaymentProvider, Role
from shop.payments.test_gateway import TestGateway
from shop.services.orders.holds import expire_due_orders
from shop.services.payments import start_payment
from tests.admin_support import signed_in
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.payment_support import (
    ANN,
    STRIPE_KEYS,
    attention_of,
    emails_of,
    event_body,
    events_of,
    fresh_order,
    intent_object,
    place,
    post_event,
    record_intent,
    signature_for,
    stock_of,
)
from tests.peers import WEBHOOK_SECRET, serving

OLD_SECRET = "whsec_before_the_rotation_0123456789"
NEW_SECRET = "whsec_after_the_rotation_9876543210"
BEA = replace(ANN, email="bea@example.nl", name="Bea Jansen")


@pytest.fixture
def app_settings(request, database_url):  # type: ignore[no-untyped-def]
    """Stripe configured (webhook secret `WEBHOOK_SECRET`); a test may add settings."""
    extra = getattr(request, "param", None) or {}
    if extra == "impatient database":
        extra = _impatient_database(database_url)
    return settings_for(database_url, **{**STRIPE_KEYS, **extra})


def _impatient_database(database_url: str) -> dict[str, object]:
    # A writer gives up after 0.2 s of waiting for a lock instead of queueing.
    if database_url.startswith("postgresql"):
        return {
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": True,
                "connect_args": {"options": "-c lock_timeout=200"},
            }
        }
    return {"SHOP_SQLITE_BUSY_TIMEOUT_MS": "200"}


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Golden Teacher 15 g", price_cents=1995, stock=5)


@pytest.fixture
def order(session, product):  # type: ignore[no-untyped-def]
    """An order of two, whose PaymentIntent `pi_order_<id>` the shop made."""
    placed = place(session, product, 2)
    record_intent(session, placed)
    return placed


def succeeded(order: Order, **changes: Any) -> bytes:
    return event_body("payment_intent.succeeded", intent_object(order, **changes))


def nothing_written(session, order: Order) -> None:  # type: ignore[no-untyped-def]
    assert events_of(session) == []
    after = fresh_order(session, order.id)
    assert (after.status, after.paid_at, after.needs_attention) == (
        OrderStatus.PENDING_PAYMENT,
        None,
        False,
    )
    assert emails_of(session, order.id) == []


# --- the signature --------------------------------------------------------------------


def _unsigned(body: bytes) -> tuple[bytes, str | None]:
    return body, None


def _malformed(body: bytes) -> tuple[bytes, str | None]:
    return body, "t=yesterday,v1=not-hex"


def _no_v1_signature(body: bytes) -> tuple[bytes, str | None]:
    return body, signature_for(body).replace("v1=", "v0=")


def _wrong_secret(body: bytes) -> tuple[bytes, str | None]:
    return body, signature_for(body, "whsec_someone_else_0123456789")


def _stale(body: bytes) -> tuple[bytes, str | None]:
    # Signed correctly, but 301 s ago: a replay from outside the 300 s tolerance.
    return body, signature_for(body, at=int(time.time()) - 301)


def _one_byte_changed(body: bytes) -> tuple[bytes, str | None]:
    header = signature_for(body)
    at = body.index(b'"amount": ') + len(b'"amount": ')
    return body[:at] + b"1" + body[at + 1 :], header


@pytest.mark.parametrize(
    "tamper",
    [
        _unsigned,
        _malformed,
        _no_v1_signature,
        _wrong_secret,
        _stale,
        _one_byte_changed,
    ],
    ids=lambda tamper: tamper.__name__.strip("_"),
)
def test_event_without_a_valid_signature_is_refused_and_nothing_is_written(
    client, session, order, tamper
):
    body, header = tamper(succeeded(order))

    response = post_event(client, body, header=header)

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid signature"
    nothing_written(session, order)


def test_a_signature_just_inside_the_tolerance_is_accepted(client, session, order):
    body = succeeded(order)

    response = post_event(client, body, header=signature_for(body, at=int(time.time()) - 240))

    assert response.status_code == 200
    assert fresh_order(session, order.id).status == OrderStatus.PAID


@pytest.mark.parametrize(
    "app_settings", [{"SHOP_STRIPE_WEBHOOK_SECRET": f"{OLD_SECRET}, {NEW_SECRET}"}], indirect=True
)
@pytest.mark.parametrize("secret", [OLD_SECRET, NEW_SECRET], ids=["old-secret", "new-secret"])
def test_during_a_secret_rotation_events_signed_with_either_secret_are_accepted(
    client, session, order, secret
):
    refused = post_event(client, succeeded(order), secret=WEBHOOK_SECRET)
    assert refused.status_code == 400

    response = post_event(client, succeeded(order), secret=secret)

    assert response.status_code == 200
    assert fresh_order(session, order.id).status == OrderStatus.PAID


# --- payment_intent.succeeded ---------------------------------------------------------


def test_a_successful_payment_marks_the_order_paid_and_keeps_the_event_with_its_raw_body(
    client, session, order
):
    body = succeeded(order)

    response = post_event(client, body)

    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "paid"}
    paid = fresh_order(session, order.id)
    assert paid.status == OrderStatus.PAID
    assert paid.paid_at is not None
    assert not paid.needs_attention
    [event] = events_of(session)
    assert (event.event_id, event.event_type) == (
        json.loads(body)["id"],
        "payment_intent.succeeded",
    )
    assert (event.provider, event.order_id, event.outcome) == (
        PaymentProvider.STRIPE,
        order.id,
        "paid",
    )
    assert event.raw_body == body.decode()
    [email] = emails_of(session, order.id)
    assert (email.recipient, email.status) == (ANN.email, EmailStatus.LOGGED)


def test_the_same_event_delivered_again_changes_nothing(client, session, order):
    body = succeeded(order)
    post_event(client, body)
    paid_at = fresh_order(session, order.id).paid_at

    again = post_event(client, body)

    assert again.status_code == 200
    assert again.get_json()["outcome"] == "duplicate"
    assert fresh_order(session, order.id).paid_at == paid_at
    assert len(events_of(session)) == 1
    assert len(emails_of(session, order.id)) == 1


def test_five_copies_of_one_event_arriving_at_once_make_one_transition_and_one_email(
    app, session, order
):
    body = succeeded(order)
    header = signature_for(body)
    start = threading.Barrier(5)
    answers: list[tuple[int, str]] = []

    def deliver(url: str) -> None:
        start.wait(timeout=10)
        response = requests.post(
            url + "/webhooks/stripe",
            data=body,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
            timeout=30,
        )
        answers.append((response.status_code, response.json().get("outcome", "")))

    with serving(app) as url:
        workers = [threading.Thread(target=deliver, args=(url,)) for _ in range(5)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)

    assert sorted(answers) == [(200, "duplicate")] * 4 + [(200, "paid")]
    assert fresh_order(session, order.id).status == OrderStatus.PAID
    assert len(events_of(session)) == 1
    [email] = emails_of(session, order.id)
    assert email.attempts == 1


def test_payment_of_another_amount_needs_attention_and_does_not_pay_the_order(
    client, session, order
):
    response = post_event(client, succeeded(order, amount=order.total_cents - 100))

    assert response.status_code == 200
    flagged = fresh_order(session, order.id)
    assert flagged.status == OrderStatus.PENDING_PAYMENT
    assert flagged.paid_at is None
    assert flagged.needs_attention
    assert "paid €38.90, the order is €39.90" in attention_of(flagged)
    assert emails_of(session, order.id) == []


def test_payment_in_another_currency_needs_attention_and_does_not_pay_the_order(
    client, session, order
):
    response = post_event(client, succeeded(order, currency="usd"))

    assert response.status_code == 200
    flagged = fresh_order(session, order.id)
    assert (flagged.status, flagged.needs_attention) == (OrderStatus.PENDING_PAYMENT, True)
    assert "paid in USD, the order is in EUR" in attention_of(flagged)
    assert emails_of(session, order.id) == []


def test_payment_whose_metadata_names_another_order_pays_neither(client, session, product):
    # given two orders of the same total; the shop made its intent for the first
    first = place(session, product)
    second = place(session, product, customer=BEA)
    intent = start_payment(session, TestGateway(), first, now=clock.now()).intent

    # when Stripe reports that intent paid, but its metadata names the second order
    response = post_event(client, succeeded(first, intent_id=intent.id, order_id=second.id))

    # then neither is paid, and the order the intent belongs to is flagged
    assert response.status_code == 200
    assert fresh_order(session, second.id).status == OrderStatus.PENDING_PAYMENT
    flagged = fresh_order(session, first.id)
    assert (flagged.status, flagged.needs_attention) == (OrderStatus.PENDING_PAYMENT, True)
    assert "names another order" in attention_of(flagged)


def test_payment_for_an_order_the_shop_does_not_know_is_stored_and_answered(client, session):
    ghost = Order(id=987654, total_cents=1000, currency="EUR", number="2026-987654")

    response = post_event(client, succeeded(ghost))

    assert response.status_code == 200
    [event] = events_of(session)
    assert (event.order_id, event.outcome) == (None, "unknown payment: not made by this shop")
    assert event.needs_attention


# --- out of order and late ------------------------------------------------------------


def test_a_failure_that_arrives_after_the_success_changes_nothing(client, session, order):
    post_event(client, succeeded(order))

    late = event_body(
        "payment_intent.payment_failed", intent_object(order, failure="Your card was declined.")
    )
    response = post_event(client, late)

    assert response.status_code == 200
    after = fresh_order(session, order.id)
    assert after.status == OrderStatus.PAID
    assert after.payment_failure_message == ""
    assert [event.outcome for event in events_of(session)] == ["paid", "ignored: order is paid"]
    assert len(emails_of(session, order.id)) == 1


def test_a_failed_payment_keeps_the_order_payable_with_the_message(client, session, order):
    failed = event_body(
        "payment_intent.payment_failed",
        intent_object(
            order, failure="Your card has insufficient funds.", decline_code="insufficient_funds"
        ),
    )

    response = post_event(client, failed)

    assert response.status_code == 200
    after = fresh_order(session, order.id)
    assert after.is_payable
    assert after.payment_failure_message == "Your card has insufficient funds."
    assert emails_of(session, order.id) == []


def test_a_success_after_a_failure_pays_and_clears_the_message(client, session, order):
    post_event(
        client,
        event_body("payment_intent.payment_failed", intent_object(order, failure="Declined.")),
    )

    post_event(client, succeeded(order))

    after = fresh_order(session, order.id)
    assert (after.status, after.payment_failure_message) == (OrderStatus.PAID, "")


def test_a_payment_after_the_order_expired_takes_the_stock_again_and_pays(
    client, session, product, order
):
    # given the order expired unpaid and gave its 2 units back
    assert expire_due_orders(session, now=order.expires_at + timedelta(minutes=5)) == 1
    assert stock_of(session, product.id) == 5

    # when the payment lands late
    response = post_event(client, succeeded(order))

    # then the payment is honoured: the units are taken again and the customer is told
    assert response.get_json()["outcome"] == "paid after expiry"
    after = fresh_order(session, order.id)
    assert (after.status, after.released_at, after.needs_refund) == (OrderStatus.PAID, None, False)
    assert stock_of(session, product.id) == 3
    # first that the order expired, then that it is paid after all
    assert [e.kind for e in emails_of(session, order.id)] == [
        "order_expired",
        "order_confirmation",
    ]


def test_a_payment_after_expiry_when_the_stock_is_gone_is_kept_and_flagged_for_a_refund(
    client, session, product, order
):
    # given the order expired and someone else bought every unit meanwhile
    expire_due_orders(session, now=order.expires_at + timedelta(minutes=5))
    other = place(session, product, 5, customer=BEA)
    assert stock_of(session, product.id) == 0

    # when the first order's payment lands late
    response = post_event(client, succeeded(order))

    # then the money is not lost track of: the order is paid and staff must refund it
    assert response.status_code == 200
    after = fresh_order(session, order.id)
    assert (after.status, after.needs_refund, after.needs_attention) == (
        OrderStatus.PAID,
        True,
        True,
    )
    assert "refund the customer" in attention_of(after)
    assert stock_of(session, product.id) == 0
    assert fresh_order(session, other.id).status == OrderStatus.PENDING_PAYMENT


# --- other events ---------------------------------------------------------------------


def test_an_event_type_the_shop_does_not_handle_is_stored_and_ignored(client, session, order):
    body = event_body("customer.created", {"id": "cus_123", "object": "customer"})

    response = post_event(client, body)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"
    [event] = events_of(session)
    assert (event.event_type, event.raw_body) == ("customer.created", body.decode())
    assert fresh_order(session, order.id).status == OrderStatus.PENDING_PAYMENT


def test_charge_refunded_events_mark_the_order_refunded_and_never_count_down(
    client, session, order
):
    intent = start_payment(session, TestGateway(), order, now=clock.now()).intent
    post_event(client, succeeded(order, intent_id=intent.id))

    def refunded(cents: int) -> bytes:
        charge = {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": intent.id,
            "amount": order.total_cents,
            "amount_refunded": cents,
        }
        return event_body("charge.refunded", charge)

    post_event(client, refunded(1000))
    assert fresh_order(session, order.id).status == OrderStatus.PARTIALLY_REFUNDED

    post_event(client, refunded(order.total_cents))
    post_event(client, refunded(1000))  # an older event, delivered late

    after = fresh_order(session, order.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.REFUNDED, order.total_cents)


# --- a failure while applying ---------------------------------------------------------


@contextmanager
def order_row_locked(database_url: str, order_id: int) -> Iterator[None]:
    """Another worker holds the lock the payment needs (the order's row on PostgreSQL, the
    write lock on SQLite) for as long as the block runs."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(
                    select(Order.id).where(Order.id == order_id).with_for_update()
                ).one()
            yield
            connection.rollback()
    finally:
        engine.dispose()


@pytest.mark.parametrize("app_settings", ["impatient database"], indirect=True)
def test_an_event_that_fails_to_apply_is_answered_500_and_kept_nowhere_so_the_retry_counts(
    client, session, order, database_url
):
    body = succeeded(order)
    header = signature_for(body)

    with order_row_locked(database_url, order.id):
        failed = post_event(client, body, header=header)

    assert failed.status_code == 500
    assert "Traceback" not in failed.get_data(as_text=True)
    nothing_written(session, order)

    # Stripe retries the same delivery: it now applies, once
    retried = post_event(client, body, header=header)
    assert (retried.status_code, retried.get_json()["outcome"]) == (200, "paid")
    assert fresh_order(session, order.id).status == OrderStatus.PAID
    assert len(events_of(session)) == 1
    assert len(emails_of(session, order.id)) == 1


def test_the_webhook_needs_no_age_gate_and_no_csrf_token(client, session, order):
    """`client` never answered the gate and sends no token: only the signature counts."""
    response = post_event(client, succeeded(order))

    assert response.status_code == 200
    assert len(events_of(session)) == 1


# --- a signed body that is not an event -----------------------------------------------------
# Signed as Stripe signs, so each reaches the shape check: a JSON array, JSON nested 10,000
# deep (deeper than Python's JSON parser recurses), an amount as text, no `data.object`.
# These answered 500, or flagged an order "paid another amount" for an amount sent as text.


def _event(obj: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {**json.loads(event_body("payment_intent.succeeded", obj)), **top}


def _unpaid(session, order) -> bool:  # type: ignore[no-untyped-def]
    after = fresh_order(session, order.id)
    return after.status == OrderStatus.PENDING_PAYMENT and not after.needs_attention


DEEP = b"[" * 10_000 + b"]" * 10_000


def _array(order) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps([_event(intent_object(order))]).encode()


def _deeply_nested(order) -> bytes:  # type: ignore[no-untyped-def]
    return DEEP


def _nested_inside_the_event(order) -> bytes:  # type: ignore[no-untyped-def]
    obj = intent_object(order)
    obj["metadata"] = {"order_id": str(order.id)}
    body = json.dumps(_event(obj, extra="HERE")).encode()
    return body.replace(b'"HERE"', DEEP)


def _amount_as_text(order) -> bytes:  # type: ignore[no-untyped-def]
    # The order's own total, written as text: it used to read as "a mismatch" of equal sums.
    return json.dumps(_event(intent_object(order) | {"amount": str(order.total_cents)})).encode()


def _amount_as_true(order) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(_event(intent_object(order) | {"amount": True})).encode()


def _currency_as_number(order) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(_event(intent_object(order) | {"currency": 978})).encode()


def _metadata_as_list(order) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(_event(intent_object(order) | {"metadata": [str(order.id)]})).encode()


def _no_data_object(order) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(_event(intent_object(order), data={"object": "pi_1"})).encode()


def _id_as_number(order) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(_event(intent_object(order), id=12345)).encode()


def _not_json(order) -> bytes:  # type: ignore[no-untyped-def]
    body = event_body("payment_intent.succeeded", intent_object(order))
    return body[: len(body) // 2]


MALFORMED = {
    "array": (_array, "the body is not a JSON object"),
    "deeply nested": (_deeply_nested, "nested deeper than 32 levels"),
    "nested inside an event": (_nested_inside_the_event, "nested deeper than 32 levels"),
    "amount as text": (_amount_as_text, "data.object.amount is not a whole number of cents"),
    "amount as true": (_amount_as_true, "data.object.amount is not a whole number of cents"),
    "currency as a number": (_currency_as_number, "data.object.currency is not a string"),
    "metadata as a list": (_metadata_as_list, "data.object.metadata is not an object of strings"),
    "no data.object": (_no_data_object, "data.object is not an object"),
    "id as a number": (_id_as_number, "id is not a string of 1 to 255 characters"),
    "not JSON": (_not_json, "the body is not JSON"),
}


@pytest.mark.parametrize("shape", MALFORMED)
def test_a_signed_body_that_is_no_event_is_refused_and_kept_as_malformed(
    client, session, order, shape
):
    make, reason = MALFORMED[shape]
    body = make(order)

    response = post_event(client, body)

    assert response.status_code == 400
    assert response.get_json() == {"error": "malformed event", "detail": reason}
    [stored] = events_of(session)
    assert stored.outcome == f"malformed: {reason}"
    assert stored.needs_attention  # listed for staff
    assert stored.order_id is None
    assert stored.raw_body == body.decode()
    assert _unpaid(session, order)


def test_an_amount_as_text_is_malformed_not_a_mismatch_of_equal_numbers(client, session, order):
    response = post_event(client, _amount_as_text(order))

    assert response.status_code == 400
    assert "mismatch" not in response.get_data(as_text=True)
    after = fresh_order(session, order.id)
    assert (after.status, after.needs_attention, after.attention_notes) == (
        OrderStatus.PENDING_PAYMENT,
        False,
        [],
    )


def test_the_same_malformed_body_sent_again_is_kept_once(client, session, order):
    body = _array(order)

    first = post_event(client, body)
    again = post_event(client, body)

    assert (first.status_code, again.status_code) == (400, 400)
    assert len(events_of(session)) == 1


def test_a_malformed_event_does_not_take_the_id_it_claims(client, session, order):
    """A later sound event with the same id is applied, not dropped as a duplicate."""
    malformed = _event(intent_object(order) | {"amount": str(order.total_cents)}, id="evt_claimed")
    sound = _event(intent_object(order), id="evt_claimed")

    assert post_event(client, json.dumps(malformed).encode()).status_code == 400
    assert post_event(client, json.dumps(sound).encode()).status_code == 200

    assert fresh_order(session, order.id).status == OrderStatus.PAID
    assert [e.event_id for e in events_of(session)][1] == "evt_claimed"


def test_staff_can_read_a_deeply_nested_malformed_event(client, session, order):
    assert post_event(client, DEEP).status_code == 400
    [stored] = events_of(session)
    signed_in(client, session, Role.VIEWER)

    listing = client.get("/admin/payments/unmatched")
    page = client.get(f"/admin/payments/unmatched/{stored.id}")

    assert listing.status_code == 200
    assert "malformed: nested deeper than 32 levels" in listing.get_data(as_text=True)
    assert page.status_code == 200
    assert "[[[[" in page.get_data(as_text=True)


# --- the signature's time --------------------------------------------------------------


def test_a_signature_dated_a_day_ahead_is_refused_and_nothing_written(client, session, order):
    body = event_body("payment_intent.succeeded", intent_object(order))
    tomorrow = int(time.time()) + 24 * 3600

    response = post_event(client, body, header=signature_for(body, at=tomorrow))

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "invalid signature",
        "detail": "signature timestamp in the future",
    }
    assert events_of(session) == []
    assert _unpaid(session, order)


def test_a_signature_dated_four_minutes_ahead_is_accepted(client, session, order):
    """Clocks differ a little: within the 5-minute tolerance either way."""
    body = event_body("payment_intent.succeeded", intent_object(order))
    soon = int(time.time()) + 4 * 60

    response = post_event(client, body, header=signature_for(body, at=soon))

    assert response.status_code == 200
    assert fresh_order(session, order.id).status == OrderStatus.PAID
