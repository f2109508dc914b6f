"""The Stripe gateway's requests, without a network: every parameter set it can build for a
PaymentIntent is one the pinned API takes (the contract of `tests/stripe_contract.py`, read
from stripe-python's request types), and objects in either shape (today's id strings or
older embedded objects) read the same."""

from __future__ import annotations

import stripe
from hypothesis import given
from hypothesis import strategies as st

from shop.payments.stripe_gateway import STRIPE_API_VERSION, intent_create_params, intent_from
from tests.stripe_contract import decode_form, encode_form, problems

# Payment method types a shop in the Netherlands might list (a typo is the Dashboard's to
# drop: Stripe filters `allowed_payment_method_types` silently).
METHOD_TYPES = ["card", "ideal", "bancontact", "wero", "sepa_debit", "klarna", "eps", "p24"]
HEADERS = {"X-Stripe-Client-User-Agent": "{}", "Stripe-Version": STRIPE_API_VERSION}


def as_sent(params: dict) -> dict:
    """What Stripe receives: the form encoding stripe-python sends, decoded again."""
    return decode_form(encode_form(params))


@given(
    amount=st.integers(min_value=1, max_value=99_999_999),
    methods=st.lists(st.sampled_from(METHOD_TYPES), unique=True, max_size=5),
    description=st.text(max_size=1200),
    receipt=st.sampled_from(["", "ann@example.nl"]),
    order_number=st.text(alphabet="0123456789-", max_size=12),
)
def test_every_intent_the_gateway_can_ask_for_is_one_the_pinned_api_takes(
    amount, methods, description, receipt, order_number
):
    params = intent_create_params(
        amount_cents=amount,
        currency="EUR",
        metadata={"order_id": "12", "order_number": order_number, "shop_installation": "ab12"},
        description=description,
        receipt_email=receipt,
        payment_method_types=methods,
    )

    assert problems("POST", "/v1/payment_intents", as_sent(params), HEADERS) == []
    assert "payment_method_types" not in params
    # one way of choosing payment methods, never both
    assert ("allowed_payment_method_types" in params) == bool(methods)
    assert ("automatic_payment_methods" in params) != bool(methods)
    assert ("receipt_email" in params) == bool(receipt)


def test_the_contract_names_a_removed_or_unknown_parameter():
    """The contract check is the one that fails when the gateway drifts."""
    sent = as_sent({"amount": 100, "currency": "eur", "payment_method_types": ["card"]})
    unknown = as_sent({"amount": 100, "currency": "eur", "colour": "blue"})

    assert [p.code for p in problems("POST", "/v1/payment_intents", sent, HEADERS)] == [
        "payment_method_types_no_longer_supported"
    ]
    assert [str(p) for p in problems("POST", "/v1/payment_intents", unknown, HEADERS)] == [
        "Received unknown parameter: colour"
    ]


def test_the_pinned_version_is_the_librarys():
    assert stripe.api_version == STRIPE_API_VERSION


def test_an_intent_reads_the_same_with_todays_charge_id_or_an_older_embedded_charge():
    base = {
        "id": "pi_1",
        "status": "succeeded",
        "amount": 3990,
        "amount_received": 3990,
        "currency": "eur",
        "metadata": {"order_id": "7"},
        "payment_method_types": ["card", "ideal"],
    }

    today = intent_from({**base, "latest_charge": "ch_1"})
    older = intent_from({**base, "latest_charge": {"id": "ch_1", "object": "charge"}})

    assert today == older
    assert (today.latest_charge_id, today.currency, today.payment_method_types) == (
        "ch_1",
        "EUR",
        ("card", "ideal"),
    )


def test_an_intents_last_error_is_kept_for_the_customer():
    intent = intent_from(
        {
            "id": "pi_2",
            "status": "requires_payment_method",
            "amount": 500,
            "currency": "eur",
            "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
        }
    )

    assert (intent.last_error_code, intent.last_error_message, intent.amount_received_cents) == (
        "card_declined",
        "Your card was declined.",
        0,
    )
