"""Refusals as data (`shop.refusals`): two domains may spell a reason alike (the cart's and
checkout's "sold_out") and still be two reasons with words of their own; a refusal survives
pickling with its data."""

from __future__ import annotations

import pickle

from shop.refusals import Refused
from shop.services.cart import CartRefusal, CartRefused
from shop.services.orders.placing import CheckoutRefusal
from shop.web.wording import WORDING


def test_reasons_spelled_alike_in_two_domains_are_two_reasons() -> None:
    assert CartRefusal.SOLD_OUT.value == CheckoutRefusal.SOLD_OUT.value == "sold_out"

    assert CartRefusal.SOLD_OUT != CheckoutRefusal.SOLD_OUT
    assert WORDING[CartRefusal.SOLD_OUT] is not WORDING[CheckoutRefusal.SOLD_OUT]


def test_a_reason_still_equals_its_code() -> None:
    assert CartRefusal.SOLD_OUT == "sold_out"
    assert CartRefusal("sold_out") is CartRefusal.SOLD_OUT


def test_a_refusal_survives_pickling_with_its_reason_and_data() -> None:
    refused = CartRefused(CartRefusal.SOLD_OUT, product_name="Golden Teacher 15 g")

    copy = pickle.loads(pickle.dumps(refused))

    assert type(copy) is CartRefused
    assert (copy.reason, copy.params) == (
        CartRefusal.SOLD_OUT,
        {"product_name": "Golden Teacher 15 g"},
    )
    assert isinstance(copy, Refused)
