"""A correctly signed body that is not the shape of an event: refused (400), kept once as
malformed for staff, never applied; and a signature dated in the future.

The bodies are signed with the webhook secret as Stripe signs them, so each one gets past
the signature and reaches the shape check: a JSON array, JSON nested 10,000 deep (deeper
than Python's JSON parser recurses), an amount as the string "1250", an event without
`data.object`. Before the check these answered 500, or reported an order as paid a
different amount when the amount was only written as text.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from shop.models import OrderStatus, PaymentEvent, Role
from tests.admin_support import signed_in
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.payment_support import (
    STRIPE_KEYS,
    event_body,
    fresh_order,
    intent_object,
    place,
    post_event,
    record_intent,
    signature_for,
)


@pytest.fixture
def app_settings(database_url):  # type: ignore[no-untyped-def]
    return settings_for(database_url, **STRIPE_KEYS)


@pytest.fixture
def order(session):  # type: ignore[no-untyped-def]
    """An order whose PaymentIntent `pi_order_<id>` the shop made."""
    product = make_product(session, "Golden Teacher 15 g", price_cents=1250, stock=5)
    placed = place(session, product, 1)
    record_intent(session, placed)
    return placed


def _event(obj: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {**json.loads(event_body("payment_intent.succeeded", obj)), **top}


def _stored(session) -> list[PaymentEvent]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(PaymentEvent).order_by(PaymentEvent.id)))


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
    return json.dumps(_event(intent_object(order) | {"amount": "1250"})).encode()


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
    [stored] = _stored(session)
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
    assert len(_stored(session)) == 1


def test_a_malformed_event_does_not_take_the_id_it_claims(client, session, order):
    """A later sound event with the same id is applied, not dropped as a duplicate."""
    malformed = _event(intent_object(order) | {"amount": "1250"}, id="evt_claimed")
    sound = _event(intent_object(order), id="evt_claimed")

    assert post_event(client, json.dumps(malformed).encode()).status_code == 400
    assert post_event(client, json.dumps(sound).encode()).status_code == 200

    assert fresh_order(session, order.id).status == OrderStatus.PAID
    assert [e.event_id for e in _stored(session)][1] == "evt_claimed"


def test_staff_can_read_a_deeply_nested_malformed_event(client, session, order):
    assert post_event(client, DEEP).status_code == 400
    [stored] = _stored(session)
    signed_in(client, session, Role.VIEWER)

    page = client.get(f"/admin/payments/unmatched/{stored.id}")

    assert page.status_code == 200
    assert "[[[[" in page.get_data(as_text=True)


# --- the signature's time ----------------------------------------------------------------------


def test_a_signature_dated_a_day_ahead_is_refused_and_nothing_written(client, session, order):
    body = event_body("payment_intent.succeeded", intent_object(order))
    tomorrow = int(time.time()) + 24 * 3600

    response = post_event(client, body, header=signature_for(body, at=tomorrow))

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "invalid signature",
        "detail": "signature timestamp in the future",
    }
    assert _stored(session) == []
    assert _unpaid(session, order)


def test_a_signature_dated_four_minutes_ahead_is_accepted(client, session, order):
    """Clocks differ a little: within the 5-minute tolerance either way."""
    body = event_body("payment_intent.succeeded", intent_object(order))
    soon = int(time.time()) + 4 * 60

    response = post_event(client, body, header=signature_for(body, at=soon))

    assert response.status_code == 200
    assert fresh_order(session, order.id).status == OrderStatus.PAID
