"""The pinned API's contract (`tests/stripe_contract.py`) and the object builders
(`tests/stripe_objects.py`): what a request may carry, what an object may hold, without HTTP.

No `from __future__ import annotations` here: the hand-made TypedDicts below must keep
their annotations as the library's generated ones are (objects with string forward
references inside), and TypedDict reads `NotRequired` only from real objects.
"""

# The hand-made params are spelled like the library's (typing.List, quoted forward refs).
# ruff: noqa: UP006, UP035

import importlib
import json
import pkgutil
from types import SimpleNamespace
from typing import Dict, List, Literal, NotRequired

import pytest
import stripe
import stripe.params
import typing_extensions
from typing_extensions import TypedDict

from tests import stripe_objects
from tests.stripe_contract import (
    ENDPOINTS,
    EVENT_TYPES,
    PINNED_API_VERSION,
    RESOURCE_FIELDS,
    FreeMap,
    ListOf,
    OneOf,
    Params,
    Scalar,
    breaches,
    check_params,
    decode_form,
    encode_form,
    endpoint_for,
    fields_of,
    problems,
    shape_of,
    unknown_fields,
)

CREATE = ("POST", "/v1/payment_intents")
FROM_STRIPE_PYTHON = {"X-Stripe-Client-User-Agent": "{}", "Stripe-Version": PINNED_API_VERSION}


def check(method: str, path: str, body: str, headers: dict[str, str] | None = None) -> list:
    return problems(method, path, decode_form(body), headers or {})


# --- hand-made params, written the way the library writes its own ----------------------


class Leaf(TypedDict):
    name: str
    count: NotRequired[int]


class Tree(TypedDict):
    title: str
    leaf: NotRequired["Leaf"]
    maybe_leaf: NotRequired["Literal['']|Leaf"]
    leaves: NotRequired[List["Leaf"]]
    tags: NotRequired[List[str]]
    labels: NotRequired["Dict[str, str]"]
    mode: NotRequired["Literal['fast', 'slow']|str"]


def test_the_pinned_version_is_the_librarys() -> None:
    assert PINNED_API_VERSION == stripe.api_version == "2026-10-28.endive"


def test_shapes_of_hand_made_annotations() -> None:
    fields = fields_of(Tree)
    assert fields["title"] == Scalar(str)
    assert fields["leaf"] == Params(Leaf)
    assert fields["maybe_leaf"] == OneOf((Scalar(str, ("",)), Params(Leaf)))
    assert fields["leaves"] == ListOf(Params(Leaf))
    assert fields["tags"] == ListOf(Scalar(str))
    assert fields["labels"] == FreeMap()
    assert fields["mode"] == OneOf((Scalar(str, ("fast", "slow")), Scalar(str)))


def test_the_walker_goes_through_nested_lists_maps_and_unions() -> None:
    good = decode_form(
        "title=t&leaf[name]=a&leaf[count]=2&maybe_leaf=&leaves[0][name]=b&leaves[1][name]=c"
        "&tags[0]=x&labels[anything]=y&mode=other"
    )
    assert check_params(good, Tree) == []

    bad = decode_form(
        "leaf[colour]=red&leaf[count]=two&maybe_leaf[name]=m&maybe_leaf[size]=9"
        "&leaves[0][stem]=s&leaves[1][name]=b&labels[a][b]=c&title[x]=1"
    )
    found = check_params(bad, Tree)
    assert [(p.code, p.param) for p in found] == [
        ("parameter_unknown", "leaf[colour]"),
        ("parameter_invalid_integer", "leaf[count]"),
        ("parameter_missing", "leaf[name]"),
        ("parameter_unknown", "maybe_leaf[size]"),
        ("parameter_unknown", "leaves[0][stem]"),
        ("parameter_missing", "leaves[0][name]"),
        ("parameter_unknown", "labels[a][b]"),
        ("parameter_unknown", "title[x]"),
    ]
    assert "Received unknown parameter: leaf[colour]" in found


def test_every_params_typeddict_of_the_library_resolves() -> None:
    # Forward references to names that exist only for type checkers (StripeContext) or
    # are imported at runtime (UntypedStripeObject) must all evaluate.
    count = 0
    for module_info in pkgutil.iter_modules(stripe.params.__path__):
        module = importlib.import_module(f"stripe.params.{module_info.name}")
        for value in vars(module).values():
            if typing_extensions.is_typeddict(value) and value.__module__ == module.__name__:
                fields_of(value)
                count += 1
    assert count > 1000


def test_shape_of_names_what_it_cannot_read() -> None:
    with pytest.raises(TypeError, match="no shape"):
        shape_of(complex, Tree)


# --- form encoding -------------------------------------------------------------------


def test_decode_form_nests_brackets_and_indexes() -> None:
    body = "a[b][c]=x&list[0]=p&list[1]=q&objs[0][k]=v&empty=&e%5B%5D=1&e%5B%5D=2"
    assert decode_form(body.encode()) == {
        "a": {"b": {"c": "x"}},
        "list": ["p", "q"],
        "objs": [{"k": "v"}],
        "empty": "",
        "e": ["1", "2"],
    }


def test_decode_form_reads_query_strings() -> None:
    assert decode_form("expand[]=latest_charge&expand[]=payment_method&limit=3") == {
        "expand": ["latest_charge", "payment_method"],
        "limit": "3",
    }


def test_encode_form_is_what_decode_form_reads() -> None:
    params = {
        "amount": 1000,
        "confirm": True,
        "allowed_payment_method_types": ["card", "ideal"],
        "metadata": {"order_id": "7"},
        "skip": None,
    }
    assert decode_form(encode_form(params)) == {
        "amount": "1000",
        "confirm": "true",
        "allowed_payment_method_types": ["card", "ideal"],
        "metadata": {"order_id": "7"},
    }


# --- the endpoint table and problems ---------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("POST", "/v1/payment_intents", "PaymentIntentCreateParams"),
        ("GET", "/v1/payment_intents/pi_1", "PaymentIntentRetrieveParams"),
        ("POST", "/v1/payment_intents/pi_1", "PaymentIntentUpdateParams"),
        ("POST", "/v1/payment_intents/pi_1/confirm", "PaymentIntentConfirmParams"),
        ("POST", "/v1/payment_intents/pi_1/cancel", "PaymentIntentCancelParams"),
        ("POST", "/v1/refunds", "RefundCreateParams"),
        ("GET", "/v1/refunds/re_1", "RefundRetrieveParams"),
        ("GET", "/v1/refunds", "RefundListParams"),
        ("POST", "/v1/payment_methods", "PaymentMethodCreateParams"),
        ("GET", "/v1/charges/ch_1", "ChargeRetrieveParams"),
    ],
)
def test_endpoints_map_to_the_librarys_request_types(method: str, path: str, name: str) -> None:
    endpoint = endpoint_for(method, path)
    assert endpoint is not None
    assert endpoint.params_type is getattr(stripe.params, name)
    assert len(ENDPOINTS) == 10


def test_an_unknown_endpoint_is_a_problem() -> None:
    [problem] = check("DELETE", "/v1/payment_intents/pi_1", "")
    assert problem.code == "unrecognized_request_url"
    assert problem.status == 404
    assert check("GET", "/v1/customers", "")[0].code == "unrecognized_request_url"


@pytest.mark.parametrize("path", ["/v1/payment_intents", "/v1/payment_intents/pi_1"])
def test_payment_method_types_is_removed_from_create_and_update(path: str) -> None:
    found = check("POST", path, "amount=1000&currency=eur&payment_method_types[0]=card")
    assert [(p.code, p.param) for p in found] == [
        ("payment_method_types_no_longer_supported", "payment_method_types")
    ]


def test_todays_ways_of_choosing_payment_methods_pass() -> None:
    assert check(*CREATE, "amount=1000&currency=eur") == []
    assert check(*CREATE, "amount=1000&currency=eur&automatic_payment_methods[enabled]=true") == []
    body = "amount=1000&currency=eur&allowed_payment_method_types[0]=card"
    assert check(*CREATE, body + "&allowed_payment_method_types[1]=ideal") == []


def test_automatic_and_allowed_payment_methods_exclude_each_other() -> None:
    found = check(
        *CREATE,
        "amount=1000&currency=eur&automatic_payment_methods[enabled]=true"
        "&allowed_payment_method_types[0]=card",
    )
    assert [p.code for p in found] == ["parameters_exclusive"]
    assert "automatic_payment_methods, allowed_payment_method_types" in found[0]


def test_unknown_and_missing_parameters_are_named() -> None:
    found = check(*CREATE, "colour=red&automatic_payment_methods[foo]=1&metadata[any_key]=x")
    assert [(p.code, p.param) for p in found] == [
        ("parameter_unknown", "colour"),
        ("parameter_unknown", "automatic_payment_methods[foo]"),
        ("parameter_missing", "automatic_payment_methods[enabled]"),
        ("parameter_missing", "amount"),
        ("parameter_missing", "currency"),
    ]


def test_request_options_are_not_parameters() -> None:
    # The TypedDicts inherit api_key, idempotency_key, ... from RequestOptions: headers.
    found = check(*CREATE, "amount=1&currency=eur&idempotency_key=k&api_key=sk_test_x")
    assert [p.param for p in found] == ["idempotency_key", "api_key"]


def test_refused_parameters_of_localstripe_are_todays_parameters() -> None:
    assert (
        check(
            *CREATE,
            "amount=1&currency=eur&description=d&receipt_email=a%40b.nl&return_url=http://x"
            "&statement_descriptor_suffix=S",
        )
        == []
    )
    assert check("POST", "/v1/payment_intents/pi_1/cancel", "cancellation_reason=abandoned") == []
    assert check("POST", "/v1/refunds", "payment_intent=pi_1&reason=duplicate") == []


def test_lists_of_typed_dicts_and_empty_unsets_are_checked() -> None:
    body = (
        "amount=1&currency=eur&amount_details[discount_amount]=&amount_details[line_items][0]"
        "[product_name]=Truffles&amount_details[line_items][0][unit_cost]=500"
        "&amount_details[line_items][0][quantity]=2&amount_details[line_items][0][flavour]=x"
        "&mandate_data="
    )
    found = check(*CREATE, body)
    assert [p.param for p in found] == ["amount_details[line_items][0][flavour]"]
    found = check(*CREATE, "amount=ten&currency=eur&shipping=yes")
    assert [(p.code, p.param) for p in found] == [
        ("parameter_invalid_integer", "amount"),
        ("parameter_invalid_object", "shipping"),
    ]


def test_get_parameters_such_as_expand_are_checked() -> None:
    assert check("GET", "/v1/payment_intents/pi_1", "expand[]=latest_charge") == []
    assert check("GET", "/v1/refunds", "payment_intent=pi_1&limit=3") == []
    assert [p.param for p in check("GET", "/v1/charges/ch_1", "expand[]=x&foo=1")] == ["foo"]


def test_stripe_python_must_send_the_pinned_version() -> None:
    body = "amount=1&currency=eur"
    assert check(*CREATE, body, FROM_STRIPE_PYTHON) == []
    wrong = {**FROM_STRIPE_PYTHON, "Stripe-Version": "2024-06-20"}
    assert [p.code for p in check(*CREATE, body, wrong)] == ["api_version_not_pinned"]
    missing = {"x-stripe-client-user-agent": "{}"}
    assert [p.code for p in check(*CREATE, body, missing)] == ["api_version_not_pinned"]
    # Stripe.js and plain HTTP calls do not say which library they are: no version check.
    assert check(*CREATE, body, {}) == []


def test_breaches_name_each_request_that_broke_the_contract() -> None:
    def sent(method: str, path: str, body: str, headers: dict[str, str]) -> SimpleNamespace:
        return SimpleNamespace(method=method, path=path, params=decode_form(body), headers=headers)

    good = sent(*CREATE, "amount=1&currency=eur", FROM_STRIPE_PYTHON)
    removed = sent(*CREATE, "amount=1&currency=eur&payment_method_types[]=card", FROM_STRIPE_PYTHON)
    old_version = sent(
        *CREATE, "amount=1&currency=eur", {**FROM_STRIPE_PYTHON, "Stripe-Version": "x"}
    )
    plain_http = sent(*CREATE, "amount=1&currency=eur", {})
    found = breaches([good, removed, old_version, plain_http])
    assert len(found) == 3
    assert found[0].startswith("POST /v1/payment_intents: The `payment_method_types` parameter")
    assert "is not the pinned" in found[1] and found[1].count(";") == 0
    # Of the shop's requests, one without any Stripe-Version did not come from stripe-python.
    assert found[2] == (
        f"POST /v1/payment_intents: Stripe-Version None is not the pinned {PINNED_API_VERSION!r}"
    )


def test_payment_method_create_as_the_tests_pay() -> None:
    body = "type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2030"
    assert check("POST", "/v1/payment_methods", body + "&card[cvc]=123") == []


# --- today's objects -----------------------------------------------------------------


def test_resource_fields_are_todays() -> None:
    intent = RESOURCE_FIELDS["payment_intent"]
    assert {"amount_received", "latest_charge", "payment_method_types", "processing"} <= intent
    assert {"charges", "OBJECT_NAME", "_previous"}.isdisjoint(intent)
    assert {"amount_captured", "amount_refunded", "payment_method_details"} <= (
        RESOURCE_FIELDS["charge"]
    )
    assert {"failure_reason", "payment_intent"} <= RESOURCE_FIELDS["refund"]
    assert {"evidence_details", "reason"} <= RESOURCE_FIELDS["dispute"]
    assert {"fraud_type", "actionable"} <= RESOURCE_FIELDS["radar.early_fraud_warning"]
    assert {"api_version", "pending_webhooks", "request"} <= RESOURCE_FIELDS["event"]


def test_unknown_fields_finds_old_shapes_nested_too() -> None:
    old = stripe_objects.payment_intent()
    old["charges"] = {"object": "list", "data": []}
    old["last_payment_error"] = {"code": "card_declined", "flavour": "x"}
    assert sorted(unknown_fields(old)) == ["charges", "last_payment_error.flavour"]
    event = stripe_objects.event("payment_intent.succeeded", stripe_objects.payment_intent())
    event["data"]["object"] = old
    assert sorted(unknown_fields(event)) == [
        "data.object.charges",
        "data.object.last_payment_error.flavour",
    ]
    assert unknown_fields({"object": "customer"}) == ["object"]


BUILDERS = {
    "payment_intent": lambda: stripe_objects.payment_intent(latest_charge="ch_1"),
    "charge": lambda: stripe_objects.charge(payment_intent="pi_1"),
    "ideal charge": lambda: stripe_objects.charge(payment_method_type="ideal"),
    "refund": lambda: stripe_objects.refund(status="pending"),
    "dispute": lambda: stripe_objects.dispute(payment_intent="pi_1"),
    "early fraud warning": lambda: stripe_objects.early_fraud_warning(payment_intent="pi_1"),
    "event": lambda: stripe_objects.event("charge.refunded", stripe_objects.charge()),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_builder_answers_only_todays_fields(name: str) -> None:
    assert unknown_fields(BUILDERS[name]()) == []


def test_builders_use_todays_shapes() -> None:
    intent = stripe_objects.payment_intent(amount=2500, status="succeeded", latest_charge="ch_x")
    assert intent["id"].startswith("pi_")
    assert intent["latest_charge"] == "ch_x"
    assert intent["amount_received"] == 2500
    assert stripe_objects.payment_intent(amount=2500)["amount_received"] == 0
    assert stripe_objects.charge()["id"].startswith("ch_")
    assert stripe_objects.charge(amount=500, amount_refunded=500)["refunded"] is True
    assert stripe_objects.refund()["id"].startswith("re_")
    dispute = stripe_objects.dispute(created=1_000)
    assert dispute["id"].startswith("dp_")
    assert dispute["evidence_details"]["due_by"] == 1_000 + 7 * 24 * 3600
    assert stripe_objects.early_fraud_warning()["id"].startswith("issfr_")


def test_builders_refuse_fields_today_lacks() -> None:
    with pytest.raises(ValueError, match="charges"):
        stripe_objects.payment_intent(charges={"data": []})
    with pytest.raises(ValueError, match="not an event type"):
        stripe_objects.event("payment_intent.paid", stripe_objects.payment_intent())


def test_signed_events_verify_with_the_library() -> None:
    event = stripe_objects.event("refund.created", stripe_objects.refund(), request_id="req_1")
    body, header = stripe_objects.signed(event, "whsec_unit")
    verified = stripe.Webhook.construct_event(body, header, "whsec_unit")
    assert verified.to_dict()["id"] == event["id"]
    assert json.loads(body)["api_version"] == PINNED_API_VERSION
    assert json.loads(body)["request"] == {"id": "req_1", "idempotency_key": None}
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_other")


def test_event_types_come_from_the_library() -> None:
    assert {"payment_intent.processing", "refund.created", "charge.dispute.created"} <= (
        EVENT_TYPES
    )
    assert "*" not in EVENT_TYPES
