"""The shipping rules: the zone of a country, a method's cost, and the free threshold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.rules.shipping import (
    EU_COUNTRIES,
    Zone,
    amount_short_of_free,
    shipping_cost,
    zone_for_country,
)

CENTS = st.integers(min_value=0, max_value=10_000_000)
PARCEL_TO_BELGIUM = 995
FIFTY_EUROS = 5000


def test_the_netherlands_belgium_and_germany_each_have_their_own_zone():
    assert zone_for_country("NL") is Zone.NL
    assert zone_for_country("BE") is Zone.BE
    assert zone_for_country("de") is Zone.DE


def test_every_other_member_state_is_the_rest_of_the_eu():
    others = set(EU_COUNTRIES) - {"NL", "BE", "DE"}

    assert {zone_for_country(country) for country in others} == {Zone.EU}
    assert len(others) == 24


@pytest.mark.parametrize("country", ["GB", "CH", "US", "", "XX"])
def test_the_shop_does_not_ship_outside_the_eu(country):
    assert zone_for_country(country) is None


def test_one_cent_below_the_threshold_pays_the_zone_price():
    assert shipping_cost(PARCEL_TO_BELGIUM, FIFTY_EUROS - 1, FIFTY_EUROS) == PARCEL_TO_BELGIUM


def test_exactly_the_threshold_ships_free():
    assert shipping_cost(PARCEL_TO_BELGIUM, FIFTY_EUROS, FIFTY_EUROS) == 0


def test_without_a_threshold_shipping_is_never_free_by_value():
    assert shipping_cost(PARCEL_TO_BELGIUM, 10_000_000, None) == PARCEL_TO_BELGIUM
    assert amount_short_of_free(10_000_000, None) is None


def test_the_cart_says_how_much_more_for_free_shipping():
    assert amount_short_of_free(4250, FIFTY_EUROS) == 750
    assert amount_short_of_free(FIFTY_EUROS, FIFTY_EUROS) == 0
    assert amount_short_of_free(7000, FIFTY_EUROS) == 0


@pytest.mark.parametrize("bad", [-1, True, 1.5, "995"])
def test_amounts_must_be_whole_non_negative_cents(bad):
    with pytest.raises((TypeError, ValueError)):
        shipping_cost(bad, 0, None)


@given(price=CENTS, goods=CENTS, threshold=st.none() | CENTS)
def test_shipping_is_the_zone_price_below_the_threshold_and_free_from_it(price, goods, threshold):
    cost = shipping_cost(price, goods, threshold)

    assert cost >= 0
    if threshold is not None and goods >= threshold:
        assert cost == 0
    else:
        assert cost == price


@given(goods=CENTS, threshold=CENTS)
def test_adding_what_is_short_always_reaches_free_shipping(goods, threshold):
    short = amount_short_of_free(goods, threshold)

    assert short is not None and short >= 0
    assert shipping_cost(995, goods + short, threshold) == 0
    if short > 0:
        assert shipping_cost(995, goods + short - 1, threshold) == 995
