"""The card-number scanner finds card numbers however they are written, and leaves alone the
numbers a shop writes all day: order numbers, dates, timestamps, Stripe ids, amounts."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.card_scan import card_numbers_in, masked, passes_luhn, scan_log_records, shop_records

STRIPE_TEST_CARDS = [
    "4242424242424242",  # Visa
    "4000056655665556",  # Visa debit
    "5555555555554444",  # Mastercard
    "2223003122003222",  # Mastercard 2-series
    "378282246310005",  # American Express, 15 digits
    "6011111111111117",  # Discover
    "3056930009020004",  # Diners Club
    "6200000000000005",  # UnionPay
    "6205500000000000004",  # UnionPay, 19 digits
]


@pytest.mark.parametrize(
    "text",
    [
        "card 4242 4242 4242 4242 was used",
        "4000-0566-5566-5556",
        "4242424242424242",
        '{"number": "4242424242424242", "exp_month": 12}',
        "card[number]=4242424242424242&card[cvc]=123",
        "Order 2026-000012 paid with 4242 4242 4242 4242.",
        "12 4242 4242 4242 4242",  # behind another number in the same run of groups
        "number:4000-0566-5566-5556\n",
        "(4242 4242 4242 4242)",
    ],
)
def test_a_planted_card_number_is_found(text):
    assert card_numbers_in(text) in (["4242424242424242"], ["4000056655665556"])


@pytest.mark.parametrize("number", STRIPE_TEST_CARDS)
def test_every_brand_of_stripe_test_card_is_found(number):
    assert passes_luhn(number)
    assert card_numbers_in(f"paid with {number} today") == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Order 2026-000012",
        "order number 2026-123456 of 2026-11-27",
        "2026-11-27",
        "2026-11-27T02:54:14.123456+00:00",
        "2026-11-27 02:54:14",
        "created 1764212054",  # epoch seconds
        "at 1764212054123",  # epoch milliseconds: 13 digits, but a 1 is no card's first digit
        "pi_shopfake0000example1111",
        "evt_4242424242424242",  # a Stripe-style id is a word, whatever its digits
        "ch_1234567890123456789",
        "pm_card_visa",
        "whsec_not_a_secret_4242424242424242",  # digits inside a word
        "1995 cents",
        "€ 1.234.567,89",
        "amount=424242424242 currency=eur",  # 12 digits
        "sha256 3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5",
        "4242424242424242424242",  # 22 digits in one run: not a card
        "token Ma_ZBn6E2k9QZWW3cOUDq2ImPCp8BfLq",
        "tracking 3SABC1234567890",
        "4242424242424241",  # fails the Luhn check
    ],
)
def test_numbers_a_shop_writes_are_not_flagged(text):
    assert card_numbers_in(text) == []


def test_the_luhn_check():
    assert passes_luhn("79927398713")
    assert not passes_luhn("79927398710")


def test_a_failure_message_shows_only_the_last_four():
    assert masked("4242424242424242") == "…4242 (16 digits)"


def test_log_records_are_scanned_with_their_logger_named():
    record = logging.LogRecord(
        "shop.payments", logging.DEBUG, __file__, 1, "card %s", ("4242 4242 4242 4242",), None
    )

    [finding] = scan_log_records([record])

    assert "shop.payments" in finding.where
    assert "4242424242424242" not in str(finding)  # never repeat the number itself


def _luhn_completed(partial: str) -> str:
    for check in "0123456789":
        if passes_luhn(partial + check):
            return partial + check
    raise AssertionError


@given(
    body=st.text(alphabet="0123456789", min_size=12, max_size=18).map(lambda s: "4" + s[1:]),
    separator=st.sampled_from(["", " ", "-"]),
    group=st.sampled_from([4, 5, 6]),
    before=st.text(alphabet="abc ,.:;=\n", max_size=10),
)
def test_any_card_number_in_any_grouping_is_found(body, separator, group, before):
    number = _luhn_completed(body)
    written = separator.join(number[i : i + group] for i in range(0, len(number), group))

    assert number in card_numbers_in(f"{before} {written} ")


@given(
    year=st.integers(2000, 2099),
    serial=st.integers(0, 999_999),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    cents=st.integers(0, 10**11),
)
def test_order_numbers_dates_and_amounts_are_never_flagged(year, serial, month, day, cents):
    text = f"Order {year}-{serial:06d} placed {year}-{month:02d}-{day:02d} for {cents} cents"

    assert card_numbers_in(text) == []


def _stripe_record(message: str) -> logging.LogRecord:
    return logging.LogRecord("stripe", logging.DEBUG, __file__, 1, message, (), None)


def test_only_the_browsers_own_card_entry_is_left_out_of_the_log_scan():
    """The payment tests play the customer's browser, whose card goes to (local)Stripe's
    /v1/payment_methods through the stripe library, which logs the body at DEBUG."""
    records = [
        _stripe_record(
            "message='Request to Stripe api' method=post url=http://x/v1/payment_methods"
        ),
        _stripe_record("message='Post details' post_data=card[number]=4242424242424242"),
        _stripe_record(
            "message='Request to Stripe api' method=post url=http://x/v1/payment_intents"
        ),
        _stripe_record("message='Post details' post_data=description=4000056655665556"),
    ]

    kept = shop_records(records)

    assert [f.number for f in scan_log_records(kept)] == ["4000056655665556"]


def test_the_test_smtp_servers_lines_are_not_the_shops():
    # A MIME boundary as aiosmtpd logs it: 19 digits that happen to pass the Luhn check.
    boundary = "--===============2735511706144270314=="
    assert passes_luhn("2735511706144270314")
    records = [
        logging.LogRecord(
            "mail.log", logging.DEBUG, __file__, 1, f"DATA readline: {boundary}", None, None
        )
    ]

    assert scan_log_records(shop_records(records)) == []
    assert scan_log_records(records) != []
