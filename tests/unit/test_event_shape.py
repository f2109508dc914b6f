"""The shape of a payment event, judged without a database: what a signed body must be
before any of its fields is believed."""

from __future__ import annotations

import pytest

from shop.payments.event_shape import (
    MAX_DEPTH,
    MalformedEvent,
    nesting_depth,
    parse_event,
    shape_problem,
)

SOUND = {
    "id": "evt_1",
    "type": "payment_intent.succeeded",
    "created": 1_700_000_000,
    "data": {
        "object": {
            "id": "pi_1",
            "amount": 1250,
            "currency": "eur",
            "metadata": {"order_id": "7"},
            "latest_charge": {"id": "ch_1"},
            "last_payment_error": None,
        }
    },
}


def test_a_stripe_shaped_event_has_no_problem():
    assert shape_problem(SOUND) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount", "1250"), ("amount", 12.5), ("amount", False), ("amount_received", [1250])],
)
def test_an_amount_must_be_a_whole_number_of_cents_and_not_a_boolean(field, value):
    event = {**SOUND, "data": {"object": {**SOUND["data"]["object"], field: value}}}

    assert shape_problem(event) == f"data.object.{field} is not a whole number of cents"


def test_a_field_the_shop_does_not_read_may_be_anything():
    event = {**SOUND, "data": {"object": {**SOUND["data"]["object"], "whatever": [1, "a"]}}}

    assert shape_problem(event) is None


def test_nesting_is_measured_without_recursion_and_stops_past_the_limit():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]

    assert nesting_depth(deep) == MAX_DEPTH + 1
    assert nesting_depth({"a": [1, {"b": 2}]}) == 3
    assert nesting_depth("text") == 0


def test_json_deeper_than_the_parser_recurses_is_malformed_not_a_crash():
    with pytest.raises(MalformedEvent, match="nested deeper"):
        parse_event(b"{" + b'"a":{' * 50_000 + b"}" * 50_001)


def test_a_malformed_event_keeps_the_id_and_type_it_claimed():
    with pytest.raises(MalformedEvent) as refused:
        parse_event(b'{"id": "evt_9", "type": "charge.refunded", "data": []}')

    assert (refused.value.event_id, refused.value.event_type) == ("evt_9", "charge.refunded")
    assert refused.value.reason == "data is not an object"
