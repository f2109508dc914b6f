"""The VAT rules: VAT inside gross prices, per line after discounts, shipping, per rate."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.rules.promotions import Kind, Line, PromoTerms, Window, price_cart
from shop.rules.vat import (
    TaxedAmount,
    VatRate,
    shipping_vat,
    tax_line,
    vat_breakdown,
    vat_in_gross,
)

PERCENTS = [rate.percent for rate in VatRate]
ALWAYS = Window(datetime(2020, 1, 1, tzinfo=UTC), None)


def test_the_rates_are_the_dutch_zero_reduced_and_standard_rates():
    assert {rate.value: rate.percent for rate in VatRate} == {
        "zero": 0,
        "reduced": 9,
        "standard": 21,
    }


@pytest.mark.parametrize(
    ("gross", "percent", "vat"),
    [
        (1090, 9, 90),  # € 10,90 at 9 % is € 10 + € 0,90
        (121, 21, 21),
        (2495, 21, 433),  # 433.01…
        (1, 21, 0),  # 0.17 rounds down
        (3, 21, 1),  # 0.52 rounds up
        (1, 9, 0),
        (6, 9, 0),  # 0.495… rounds down
        (7, 9, 1),  # 0.578 rounds up
        (0, 21, 0),
        (5000, 0, 0),
    ],
)
def test_vat_in_a_gross_amount_is_rounded_half_up_to_the_cent(gross, percent, vat):
    assert vat_in_gross(gross, percent) == vat


@given(gross=st.integers(min_value=0, max_value=10**10), percent=st.sampled_from(PERCENTS))
def test_vat_in_gross_is_the_exact_decimal_fraction_rounded_half_up(gross, percent):
    exact = Decimal(gross) * percent / (100 + percent)
    assert vat_in_gross(gross, percent) == int(exact.quantize(Decimal(1), ROUND_HALF_UP))


@pytest.mark.parametrize(("gross", "percent"), [(-1, 21), (100, -1), (100, 101), (1.5, 21)])
def test_vat_of_a_negative_or_odd_amount_or_rate_is_refused(gross, percent):
    with pytest.raises((ValueError, TypeError)):
        vat_in_gross(gross, percent)


# --- lines with discounts ------------------------------------------------------------------


def test_mixed_rates_each_line_is_taxed_at_its_own_rate_and_summed_per_rate():
    breakdown = vat_breakdown([(9, 2495), (21, 3995), (0, 1000), (9, 1090)])

    assert [line.vat_cents for line in breakdown.lines] == [206, 693, 0, 90]
    assert breakdown.rates == (
        TaxedAmount(0, 1000, 0),
        TaxedAmount(9, 3585, 296),
        TaxedAmount(21, 3995, 693),
    )
    assert breakdown.vat_cents == 989
    assert [rate.net_cents for rate in breakdown.rates] == [1000, 3289, 3302]


def test_a_one_cent_line_holds_no_vat():
    breakdown = vat_breakdown([(21, 1), (9, 1)])

    assert breakdown.vat_cents == 0
    assert [rate.net_cents for rate in breakdown.rates] == [1, 1]


def test_a_line_discounted_by_100_percent_holds_no_vat_but_keeps_its_rate_in_the_summary():
    breakdown = vat_breakdown([(9, 0), (21, 2000)])

    assert breakdown.lines[0] == TaxedAmount(9, 0, 0)
    assert breakdown.rates[0] == TaxedAmount(9, 0, 0)
    assert breakdown.vat_cents == vat_in_gross(2000, 21)


def test_a_discount_on_the_truffles_lowers_the_truffles_vat_and_nothing_else():
    lines = [
        Line(product_id=1, category_id=1, unit_price_cents=2495, quantity=2),  # truffles, 9 %
        Line(product_id=2, category_id=2, unit_price_cents=3995, quantity=1),  # grow kit, 21 %
    ]
    ten_off_truffles = PromoTerms(
        code="TRUFFLE10", kind=Kind.PERCENT, value=10, window=ALWAYS, category_ids=frozenset({1})
    )
    priced = price_cart(lines, ten_off_truffles)
    taxable = [
        line.total_cents - d for line, d in zip(lines, priced.line_discounts_cents, strict=True)
    ]

    breakdown = vat_breakdown(list(zip([9, 21], taxable, strict=True)))

    assert taxable == [4491, 3995]
    assert breakdown.lines[0].vat_cents == vat_in_gross(4491, 9) == 371
    assert breakdown.lines[1].vat_cents == vat_in_gross(3995, 21)
    assert breakdown.gross_cents == priced.total_cents


# --- shipping ----------------------------------------------------------------------------


def test_shipping_of_an_order_at_one_rate_is_taxed_at_that_rate():
    assert shipping_vat(495, [tax_line(2495, 9)]) == (TaxedAmount(9, 495, 41),)


def test_shipping_of_a_mixed_order_is_split_by_the_goods_value_per_rate():
    lines = [tax_line(3000, 9), tax_line(1000, 21)]

    assert shipping_vat(400, lines) == (TaxedAmount(9, 300, 25), TaxedAmount(21, 100, 17))


def test_free_shipping_has_no_vat_parts():
    assert shipping_vat(0, [tax_line(1000, 21)]) == ()


def test_shipping_of_goods_worth_nothing_is_taxed_at_the_standard_rate():
    assert shipping_vat(495, [tax_line(0, 9)]) == (TaxedAmount(21, 495, 86),)


def test_shipping_of_zero_rated_goods_holds_no_vat():
    assert shipping_vat(495, [tax_line(1000, 0)]) == (TaxedAmount(0, 495, 0),)


def test_shipping_joins_the_summary_of_its_rates():
    breakdown = vat_breakdown([(9, 3000), (21, 1000)], shipping_gross_cents=400)

    assert breakdown.rates == (TaxedAmount(9, 3300, 273), TaxedAmount(21, 1100, 191))
    assert breakdown.gross_cents == 4400


# --- properties over random carts ------------------------------------------------------------

carts = st.lists(
    st.tuples(
        st.sampled_from(PERCENTS),
        st.integers(min_value=0, max_value=50_000),  # unit price in cents
        st.integers(min_value=1, max_value=20),  # quantity
        st.booleans(),  # covered by the code
    ),
    min_size=1,
    max_size=12,
)
codes = st.one_of(
    st.none(),
    st.tuples(st.just(Kind.PERCENT), st.integers(min_value=1, max_value=100)),
    st.tuples(st.just(Kind.AMOUNT), st.integers(min_value=1, max_value=200_000)),
)


def _priced(cart, code):
    lines = [
        Line(product_id=i + 1, category_id=None, unit_price_cents=price, quantity=qty)
        for i, (_percent, price, qty, _covered) in enumerate(cart)
    ]
    terms = None
    if code is not None:
        covered = frozenset(i + 1 for i, entry in enumerate(cart) if entry[3]) or frozenset({1})
        terms = PromoTerms(
            code="RANDOM", kind=code[0], value=code[1], window=ALWAYS, product_ids=covered
        )
    priced = price_cart(lines, terms)
    taxable = [
        line.total_cents - discount
        for line, discount in zip(lines, priced.line_discounts_cents, strict=True)
    ]
    return priced, [(entry[0], amount) for entry, amount in zip(cart, taxable, strict=True)]


@given(cart=carts, code=codes, shipping=st.integers(min_value=0, max_value=5_000))
def test_the_vat_per_rate_adds_up_to_the_orders_vat_and_no_cent_is_lost(cart, code, shipping):
    priced, lines = _priced(cart, code)

    breakdown = vat_breakdown(lines, shipping_gross_cents=shipping)

    assert sum(rate.vat_cents for rate in breakdown.rates) == sum(
        line.vat_cents for line in (*breakdown.lines, *breakdown.shipping)
    )
    assert breakdown.gross_cents == priced.total_cents + shipping
    assert sum(part.gross_cents for part in breakdown.shipping) == shipping
    for rate in breakdown.rates:
        assert rate.net_cents + rate.vat_cents == rate.gross_cents
        assert rate.net_cents >= 0
    assert len({rate.percent for rate in breakdown.rates}) == len(breakdown.rates)


@given(cart=carts, code=codes)
def test_each_line_holds_the_vat_of_its_own_discounted_total(cart, code):
    _priced_cart, lines = _priced(cart, code)

    breakdown = vat_breakdown(lines)

    for (percent, taxable), taxed in zip(lines, breakdown.lines, strict=True):
        assert taxed == TaxedAmount(percent, taxable, vat_in_gross(taxable, percent))
        if percent == 0:
            assert taxed.vat_cents == 0


@given(cart=carts, code=codes)
def test_a_discount_lowers_the_vat_of_exactly_the_lines_it_was_allocated_to(cart, code):
    priced, lines = _priced(cart, code)
    undiscounted = vat_breakdown([(entry[0], entry[1] * entry[2]) for entry in cart])

    discounted = vat_breakdown(lines)

    for before, after, share in zip(
        undiscounted.lines, discounted.lines, priced.line_discounts_cents, strict=True
    ):
        if share == 0:
            assert after == before
        else:
            assert after.gross_cents == before.gross_cents - share
            assert after.vat_cents <= before.vat_cents


@given(
    shipping=st.integers(min_value=0, max_value=10_000),
    values=st.lists(
        st.tuples(st.sampled_from(PERCENTS), st.integers(min_value=0, max_value=10**6)),
        max_size=10,
    ),
)
def test_shipping_parts_add_up_to_the_shipping_and_follow_the_goods_rates(shipping, values):
    lines = [tax_line(amount, percent) for percent, amount in values]

    parts = shipping_vat(shipping, lines)

    assert sum(part.gross_cents for part in parts) == shipping
    goods_rates = {line.percent for line in lines if line.gross_cents}
    assert {part.percent for part in parts} <= (goods_rates or {VatRate.STANDARD.percent})
