"""Specification of promo codes in shop.rules.promotions."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shop.rules.money import percent_of
from shop.rules.promotions import (
    Kind,
    Line,
    PricedCart,
    PromoNotApplicable,
    PromoTerms,
    Refusal,
    Status,
    Window,
    check_code,
    customer_identity,
    eligible_lines,
    last_local_date,
    normalise_code,
    normalise_email,
    price_cart,
    status,
    window_from_local,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam(*fields: int, fold: int = 0) -> datetime:
    """An aware Amsterdam wall-clock time, e.g. amsterdam(2025, 11, 2, 23, 59, 59)."""
    return datetime(*fields, tzinfo=AMSTERDAM, fold=fold)  # type: ignore[misc]


# The autumn campaign: "valid 21 October to 2 November 2025". Clocks go back on 26 October.
AUTUMN = window_from_local(date(2025, 10, 21), date(2025, 11, 2), AMSTERDAM)
LAST_SECOND_BEFORE_WINDOW = amsterdam(2025, 10, 20, 23, 59, 59)
FIRST_INSTANT_OF_WINDOW = amsterdam(2025, 10, 21, 0, 0, 0)
DURING_WINDOW = amsterdam(2025, 10, 28, 12, 0)
LAST_SECOND_OF_WINDOW = amsterdam(2025, 11, 2, 23, 59, 59)
FIRST_INSTANT_AFTER_WINDOW = amsterdam(2025, 11, 3, 0, 0, 0)

ALWAYS = Window(None, None)

COFFEE, TEA, BOOK = 1, 2, 3  # product ids
DRINKS, READING = 10, 20  # category ids
COFFEE_LINE = Line(product_id=COFFEE, category_id=DRINKS, unit_price_cents=1250, quantity=2)
TEA_LINE = Line(product_id=TEA, category_id=DRINKS, unit_price_cents=500, quantity=1)
BOOK_LINE = Line(product_id=BOOK, category_id=READING, unit_price_cents=2000, quantity=1)
CART = [COFFEE_LINE, TEA_LINE, BOOK_LINE]  # subtotal 2500 + 500 + 2000 = 5000


def terms(**changes: object) -> PromoTerms:
    """A code that is valid in the autumn window for the whole order, then ``changes``."""
    base = PromoTerms(code="herfst10", kind=Kind.PERCENT, value=10, window=AUTUMN)
    return replace(base, **changes)


def refusal(promo: PromoTerms, lines: list[Line] = CART, **kwargs: object) -> PromoNotApplicable:
    kwargs.setdefault("now", DURING_WINDOW)
    with pytest.raises(PromoNotApplicable) as caught:
        check_code(promo, lines, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- Normalising codes and e-mail addresses ---------------------------------------------------


def test_codes_match_whatever_the_case() -> None:
    assert normalise_code("Herfst10") == normalise_code("HERFST10") == "herfst10"


def test_codes_ignore_surrounding_whitespace_including_non_breaking_spaces() -> None:
    assert normalise_code(" \u00a0herfst10\t\n") == "herfst10"


def test_spaces_inside_a_code_are_kept() -> None:
    assert normalise_code(" zomer  25 ") == "zomer  25"


def test_full_width_and_ligature_characters_match_their_plain_forms() -> None:
    assert normalise_code("ＨＥＲＦＳＴ１０") == "herfst10"
    assert normalise_code("ﬁets") == "fiets"


def test_codes_are_casefolded_not_just_lowercased() -> None:
    assert normalise_code("STRASSE") == normalise_code("straße")


def test_e_mail_addresses_are_lowercased_and_stripped() -> None:
    assert normalise_email("  Jan.De.Vries@Example.NL \n") == "jan.de.vries@example.nl"


def test_e_mail_dots_and_plus_tags_are_kept_because_they_are_provider_specific() -> None:
    assert normalise_email("Jan.Smit+shop@Gmail.com") == "jan.smit+shop@gmail.com"


def test_e_mail_addresses_are_lowercased_not_casefolded() -> None:
    assert normalise_email("Straße@Example.de") == "straße@example.de"


def test_a_full_width_at_sign_becomes_a_plain_one() -> None:
    assert normalise_email("jan＠example.nl") == "jan@example.nl"


@pytest.mark.parametrize("normalise", [normalise_code, normalise_email, customer_identity])
@given(text=st.text())
def test_normalising_twice_changes_nothing(normalise: Callable[[str], str], text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


# --- Who a customer is, for once-per-customer codes -------------------------------------------

NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=20)
TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.+", max_size=20)
DOMAIN = st.sampled_from(["example.nl", "ziggo.nl", "outlook.com", "gmail.com", "proton.me"])


def capitals(text: str, flips: list[bool]) -> str:
    return "".join(
        c.upper() if index < len(flips) and flips[index] else c for index, c in enumerate(text)
    )


@given(NAME, TAG, DOMAIN, st.lists(st.booleans(), max_size=60))
def test_every_plus_tag_and_capital_of_an_address_is_one_customer(
    name: str, tag: str, domain: str, flips: list[bool]
) -> None:
    tagged = capitals(f"{name}+{tag}@{domain}", flips)

    assert customer_identity(tagged) == customer_identity(f"{name}@{domain}") == f"{name}@{domain}"


@given(NAME, NAME, DOMAIN)
def test_different_names_before_the_at_are_different_customers(
    name: str, other: str, domain: str
) -> None:
    assume(name != other)

    assert customer_identity(f"{name}@{domain}") != customer_identity(f"{other}@{domain}")


def test_dots_count_only_at_gmail_where_googlemail_is_the_same_mailbox() -> None:
    assert customer_identity("J.a.n+shop@GoogleMail.com") == "jan@gmail.com"
    assert customer_identity("j.jansen@example.nl") != customer_identity("jjansen@example.nl")


def test_an_address_that_is_all_tag_keeps_it() -> None:
    assert customer_identity("+1@example.nl") == "+1@example.nl"


# --- Windows -----------------------------------------------------------------------------------


def test_a_date_range_runs_from_local_midnight_to_local_midnight_after_its_last_date() -> None:
    assert AUTUMN.starts_at == datetime(2025, 10, 20, 22, 0, tzinfo=UTC)
    assert AUTUMN.ends_at == datetime(2025, 11, 2, 23, 0, tzinfo=UTC)


def test_code_is_valid_all_day_on_its_last_date_after_the_clock_change() -> None:
    assert AUTUMN.contains(LAST_SECOND_OF_WINDOW)


def test_code_is_invalid_from_local_midnight_after_its_last_date() -> None:
    assert not AUTUMN.contains(FIRST_INSTANT_AFTER_WINDOW)


def test_code_is_invalid_in_the_last_second_before_its_first_date() -> None:
    assert not AUTUMN.contains(LAST_SECOND_BEFORE_WINDOW)


def test_code_is_valid_from_local_midnight_of_its_first_date_in_summer_time() -> None:
    assert AUTUMN.contains(FIRST_INSTANT_OF_WINDOW)


def test_the_window_is_half_open() -> None:
    assert AUTUMN.starts_at is not None and AUTUMN.ends_at is not None
    assert AUTUMN.contains(AUTUMN.starts_at)
    assert AUTUMN.contains(AUTUMN.ends_at - timedelta(microseconds=1))
    assert not AUTUMN.contains(AUTUMN.ends_at)


def test_the_window_can_be_checked_with_an_instant_in_any_zone() -> None:
    in_new_york = LAST_SECOND_OF_WINDOW.astimezone(ZoneInfo("America/New_York"))
    assert AUTUMN.contains(in_new_york)
    assert AUTUMN.contains(LAST_SECOND_OF_WINDOW.astimezone(UTC))


def test_the_last_valid_date_to_show_customers_is_the_inclusive_end_date() -> None:
    assert last_local_date(AUTUMN, AMSTERDAM) == date(2025, 11, 2)
    assert last_local_date(ALWAYS, AMSTERDAM) is None


def test_a_window_without_bounds_is_always_open() -> None:
    assert ALWAYS.contains(datetime(1970, 1, 1, tzinfo=UTC))
    assert ALWAYS.contains(datetime(9999, 12, 31, tzinfo=UTC))


def test_a_window_without_an_end_date_never_ends() -> None:
    window = window_from_local(date(2025, 10, 21), None, AMSTERDAM)
    assert window.ends_at is None
    assert window.contains(datetime(2999, 1, 1, tzinfo=UTC))
    assert not window.contains(LAST_SECOND_BEFORE_WINDOW)


def test_a_window_without_a_start_date_is_open_until_it_ends() -> None:
    window = window_from_local(None, date(2025, 11, 2), AMSTERDAM)
    assert window.starts_at is None
    assert window.contains(datetime(1999, 1, 1, tzinfo=UTC))
    assert not window.contains(FIRST_INSTANT_AFTER_WINDOW)


def test_window_bounds_are_stored_in_utc_whatever_zone_they_were_given_in() -> None:
    window = Window(FIRST_INSTANT_OF_WINDOW, FIRST_INSTANT_AFTER_WINDOW)
    assert window == AUTUMN
    assert window.starts_at is not None and window.starts_at.tzinfo is UTC


def test_a_window_must_start_before_it_ends() -> None:
    with pytest.raises(ValueError):
        Window(FIRST_INSTANT_OF_WINDOW, FIRST_INSTANT_OF_WINDOW)
    with pytest.raises(ValueError):
        Window(FIRST_INSTANT_AFTER_WINDOW, FIRST_INSTANT_OF_WINDOW)


def test_a_single_date_window_is_valid() -> None:
    window = window_from_local(date(2025, 11, 2), date(2025, 11, 2), AMSTERDAM)
    assert window.contains(amsterdam(2025, 11, 2, 0, 0))
    assert window.contains(amsterdam(2025, 11, 2, 23, 59, 59))


def test_naive_datetimes_are_refused_by_windows() -> None:
    with pytest.raises(ValueError):
        Window(datetime(2025, 10, 21), None)
    with pytest.raises(ValueError):
        AUTUMN.contains(datetime(2025, 10, 28, 12, 0))


def test_a_window_can_start_and_end_at_given_local_times() -> None:
    window = window_from_local(
        date(2025, 11, 28),
        date(2025, 12, 1),
        AMSTERDAM,
        start_time=time(18, 0),
        end_time=time(9, 0),
    )
    assert window.starts_at == datetime(2025, 11, 28, 17, 0, tzinfo=UTC)
    assert window.ends_at == datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
    assert window.contains(amsterdam(2025, 12, 1, 8, 59, 59))
    assert not window.contains(amsterdam(2025, 12, 1, 9, 0))


def test_the_day_the_clocks_go_forward_lasts_23_hours() -> None:
    window = window_from_local(date(2025, 3, 30), date(2025, 3, 30), AMSTERDAM)
    assert window.ends_at - window.starts_at == timedelta(hours=23)  # type: ignore[operator]


def test_the_day_the_clocks_go_back_lasts_25_hours() -> None:
    window = window_from_local(date(2025, 10, 26), date(2025, 10, 26), AMSTERDAM)
    assert window.ends_at - window.starts_at == timedelta(hours=25)  # type: ignore[operator]


def test_a_start_time_in_the_skipped_spring_hour_starts_when_the_clocks_jump_forward() -> None:
    # 02:30 never happens on 30 March 2025: at 02:00 CET the clocks jump to 03:00 CEST.
    window = window_from_local(date(2025, 3, 30), None, AMSTERDAM, start_time=time(2, 30))
    assert window.starts_at == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
    assert window.starts_at == amsterdam(2025, 3, 30, 3, 0)


def test_an_end_time_in_the_repeated_autumn_hour_means_its_first_occurrence() -> None:
    # 02:30 happens twice on 26 October 2025: first in CEST (00:30 UTC), then in CET.
    window = window_from_local(None, date(2025, 10, 26), AMSTERDAM, end_time=time(2, 30))
    assert window.ends_at == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    ignoring_fold = window_from_local(
        None, date(2025, 10, 26), AMSTERDAM, end_time=time(2, 30, fold=1)
    )
    assert ignoring_fold == window


def test_a_window_starting_on_a_day_whose_midnight_is_skipped_starts_when_the_day_does() -> None:
    # Cuba moves its clocks forward at midnight: 9 March 2025 begins at 01:00 CDT (05:00 UTC).
    havana = ZoneInfo("America/Havana")
    window = window_from_local(date(2025, 3, 9), None, havana)
    assert window.starts_at == datetime(2025, 3, 9, 5, 0, tzinfo=UTC)


def test_times_must_be_wall_clock_times_and_need_a_date() -> None:
    with pytest.raises(ValueError):
        window_from_local(date(2025, 1, 1), None, AMSTERDAM, start_time=time(9, tzinfo=UTC))
    with pytest.raises(ValueError):
        window_from_local(None, None, AMSTERDAM, start_time=time(9))
    with pytest.raises(ValueError):
        window_from_local(None, None, AMSTERDAM, end_time=time(9))


def test_an_end_date_before_the_start_date_is_refused() -> None:
    with pytest.raises(ValueError):
        window_from_local(date(2025, 11, 2), date(2025, 11, 1), AMSTERDAM)


local_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@settings(deadline=None)
@given(first=local_dates, last=local_dates, time_of_day=st.times(), fold=st.integers(0, 1))
def test_a_local_date_range_covers_its_days_and_every_instant_of_its_last_date(
    first: date, last: date, time_of_day: time, fold: int
) -> None:
    if last < first:
        first, last = last, first
    window = window_from_local(first, last, AMSTERDAM)
    assert window.starts_at is not None and window.ends_at is not None

    days = (last - first).days + 1
    # Clock changes inside the range can only shift the length by an hour either way.
    length = window.ends_at - window.starts_at
    assert timedelta(hours=days * 24 - 1) <= length <= timedelta(hours=days * 24 + 1)

    assert window.contains(datetime.combine(first, time(0), tzinfo=AMSTERDAM))
    assert window.contains(datetime.combine(last, time(0), tzinfo=AMSTERDAM))
    assert window.contains(datetime.combine(last, time.max, tzinfo=AMSTERDAM))
    some_instant = datetime.combine(last, time_of_day, tzinfo=AMSTERDAM).replace(fold=fold)
    assert window.contains(some_instant)
    assert not window.contains(window.starts_at - timedelta(microseconds=1))
    assert not window.contains(datetime.combine(last + timedelta(days=1), time(0), AMSTERDAM))
    assert last_local_date(window, AMSTERDAM) == last


# --- Terms and lines ----------------------------------------------------------------------------


def test_a_line_total_is_unit_price_times_quantity() -> None:
    assert COFFEE_LINE.total_cents == 2500


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": Kind.PERCENT, "value": 0},
        {"kind": Kind.PERCENT, "value": 101},
        {"kind": Kind.AMOUNT, "value": 0},
        {"kind": Kind.AMOUNT, "value": -500},
        {"kind": "bogus"},
        {"code": "  "},
        {"times_used": -1},
        {"usage_limit": -1},
        {"min_subtotal_cents": -1},
    ],
)
def test_nonsensical_terms_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        terms(**changes)


def test_terms_accept_the_plain_strings_and_sets_a_database_row_gives() -> None:
    promo = terms(kind="amount", value=500, product_ids={COFFEE}, category_ids=[DRINKS])
    assert promo.kind is Kind.AMOUNT
    assert promo.product_ids == frozenset({COFFEE})
    assert promo.category_ids == frozenset({DRINKS})


@pytest.mark.parametrize(
    "fields",
    [
        {"unit_price_cents": -1, "quantity": 1},
        {"unit_price_cents": 100, "quantity": 0},
        {"unit_price_cents": 1.5, "quantity": 1},
    ],
)
def test_lines_with_negative_prices_fractional_cents_or_no_units_are_refused(
    fields: dict[str, object],
) -> None:
    with pytest.raises((ValueError, TypeError)):
        Line(product_id=COFFEE, category_id=None, **fields)  # type: ignore[arg-type]


# --- Which lines a code covers ----------------------------------------------------------------


def test_a_code_without_products_or_categories_covers_every_line() -> None:
    assert eligible_lines(terms(), CART) == [0, 1, 2]


def test_a_code_for_a_product_covers_only_that_product() -> None:
    assert eligible_lines(terms(product_ids=frozenset({TEA})), CART) == [1]


def test_a_code_for_a_category_covers_every_product_in_it() -> None:
    assert eligible_lines(terms(category_ids=frozenset({DRINKS})), CART) == [0, 1]


def test_a_line_is_covered_by_its_product_or_its_category() -> None:
    promo = terms(product_ids=frozenset({BOOK}), category_ids=frozenset({DRINKS}))
    assert eligible_lines(promo, CART) == [0, 1, 2]


def test_a_product_without_a_category_is_covered_only_by_product() -> None:
    loose = Line(product_id=99, category_id=None, unit_price_cents=100, quantity=1)
    assert eligible_lines(terms(category_ids=frozenset({DRINKS})), [loose]) == []
    assert eligible_lines(terms(product_ids=frozenset({99})), [loose]) == [0]


# --- Checking a code ------------------------------------------------------------------------


def test_a_valid_code_passes_every_check() -> None:
    check_code(terms(), CART, now=DURING_WINDOW)


def test_a_switched_off_code_is_refused() -> None:
    assert refusal(terms(is_active=False)).reason is Refusal.INACTIVE


def test_a_code_is_refused_before_its_window_with_the_start_for_the_message() -> None:
    error = refusal(terms(), now=LAST_SECOND_BEFORE_WINDOW)
    assert error.reason is Refusal.NOT_STARTED
    assert error.starts_at == AUTUMN.starts_at
    assert error.minimum_cents is None


def test_a_code_is_accepted_from_the_first_instant_of_its_window() -> None:
    check_code(terms(), CART, now=FIRST_INSTANT_OF_WINDOW)


def test_a_code_is_accepted_in_the_last_second_of_its_window() -> None:
    check_code(terms(), CART, now=LAST_SECOND_OF_WINDOW)


def test_a_code_is_refused_from_the_end_of_its_window_with_the_end_for_the_message() -> None:
    error = refusal(terms(), now=FIRST_INSTANT_AFTER_WINDOW)
    assert error.reason is Refusal.ENDED
    assert error.ends_at == AUTUMN.ends_at


def test_the_last_use_of_a_limited_code_is_still_allowed() -> None:
    check_code(terms(usage_limit=100, times_used=99), CART, now=DURING_WINDOW)


def test_a_code_used_as_often_as_its_limit_is_used_up() -> None:
    assert refusal(terms(usage_limit=100, times_used=100)).reason is Refusal.USED_UP


def test_a_code_with_a_usage_limit_of_zero_can_never_be_used() -> None:
    assert refusal(terms(usage_limit=0)).reason is Refusal.USED_UP


def test_a_customer_may_use_a_code_up_to_the_per_customer_limit() -> None:
    check_code(terms(per_customer_limit=2), CART, now=DURING_WINDOW, customer_uses=1)


def test_a_customer_who_reached_the_per_customer_limit_is_refused() -> None:
    error = refusal(terms(per_customer_limit=1), customer_uses=1)
    assert error.reason is Refusal.ALREADY_USED


def test_an_order_exactly_at_the_minimum_qualifies() -> None:
    check_code(terms(min_subtotal_cents=5000), CART, now=DURING_WINDOW)


def test_an_order_one_cent_short_of_the_minimum_is_refused_with_the_minimum() -> None:
    error = refusal(terms(min_subtotal_cents=5001))
    assert error.reason is Refusal.BELOW_MINIMUM
    assert error.minimum_cents == 5001
    assert error.starts_at is None and error.ends_at is None


def test_the_minimum_counts_the_whole_order_not_just_the_covered_lines() -> None:
    # Only the tea (5.00) is covered, but the order is 50.00.
    check_code(
        terms(product_ids=frozenset({TEA}), min_subtotal_cents=5000), CART, now=DURING_WINDOW
    )


def test_a_code_for_products_not_in_the_cart_does_not_apply() -> None:
    error = refusal(terms(product_ids=frozenset({404})))
    assert error.reason is Refusal.NOT_APPLICABLE


def test_a_code_does_not_apply_to_an_empty_cart() -> None:
    assert refusal(terms(), lines=[]).reason is Refusal.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("promo", "now", "customer_uses", "expected"),
    [
        (terms(is_active=False), FIRST_INSTANT_AFTER_WINDOW, 0, Refusal.INACTIVE),
        (terms(usage_limit=1, times_used=1), LAST_SECOND_BEFORE_WINDOW, 0, Refusal.NOT_STARTED),
        (terms(usage_limit=1, times_used=1), FIRST_INSTANT_AFTER_WINDOW, 0, Refusal.ENDED),
        (terms(usage_limit=1, times_used=1, per_customer_limit=1), DURING_WINDOW, 1, "used_up"),
        (terms(per_customer_limit=1, min_subtotal_cents=10**6), DURING_WINDOW, 1, "already_used"),
        (
            terms(min_subtotal_cents=10**6, product_ids=frozenset({404})),
            DURING_WINDOW,
            0,
            Refusal.BELOW_MINIMUM,
        ),
    ],
)
def test_when_several_checks_fail_the_first_in_order_is_reported(
    promo: PromoTerms, now: datetime, customer_uses: int, expected: Refusal
) -> None:
    assert refusal(promo, now=now, customer_uses=customer_uses).reason == expected


def test_checking_requires_an_aware_now() -> None:
    with pytest.raises(ValueError):
        check_code(terms(), CART, now=datetime(2025, 10, 28, 12, 0))


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (PromoNotApplicable(Refusal.INACTIVE), "switched off"),
        (PromoNotApplicable(Refusal.NOT_STARTED, starts_at=AUTUMN.starts_at), "2025-10-20T22:00"),
        (PromoNotApplicable(Refusal.ENDED, ends_at=AUTUMN.ends_at), "2025-11-02T23:00"),
        (PromoNotApplicable(Refusal.USED_UP), "usage limit"),
        (PromoNotApplicable(Refusal.ALREADY_USED), "customer"),
        (PromoNotApplicable(Refusal.BELOW_MINIMUM, minimum_cents=2500), "2500 cents"),
        (PromoNotApplicable(Refusal.NOT_APPLICABLE), "does not cover"),
    ],
)
def test_refusals_explain_themselves_to_developers(error: PromoNotApplicable, words: str) -> None:
    assert words in str(error)


def test_refusal_codes_are_lowercase_snake_strings() -> None:
    assert Refusal.NOT_STARTED == "not_started"
    assert [r.value for r in Refusal] == [r.name.lower() for r in Refusal]


def test_a_refusal_survives_pickling_with_its_details() -> None:
    error = PromoNotApplicable(Refusal.BELOW_MINIMUM, minimum_cents=2500)
    copy = pickle.loads(pickle.dumps(error))
    assert copy.reason is Refusal.BELOW_MINIMUM
    assert copy.minimum_cents == 2500
    assert str(copy) == str(error)


# --- Pricing ------------------------------------------------------------------------------------


def test_a_cart_without_a_code_has_no_discount() -> None:
    assert price_cart(CART) == PricedCart(5000, 0, 5000, (0, 0, 0))


def test_an_empty_cart_costs_nothing() -> None:
    assert price_cart([], terms()) == PricedCart(0, 0, 0, ())


def test_a_percentage_off_the_whole_order_is_spread_over_the_lines_by_their_totals() -> None:
    assert price_cart(CART, terms(value=10)) == PricedCart(5000, 500, 4500, (250, 50, 200))


def test_a_hundred_percent_code_makes_the_order_free() -> None:
    priced = price_cart(CART, terms(value=100))
    assert priced.total_cents == 0
    assert priced.line_discounts_cents == (2500, 500, 2000)


def test_a_percentage_is_taken_of_the_covered_lines_only() -> None:
    priced = price_cart(CART, terms(value=20, category_ids=frozenset({DRINKS})))
    assert priced == PricedCart(5000, 600, 4400, (500, 100, 0))


def test_a_fixed_amount_is_spread_over_the_covered_lines() -> None:
    priced = price_cart(CART, terms(kind=Kind.AMOUNT, value=300, category_ids=frozenset({DRINKS})))
    assert priced == PricedCart(5000, 300, 4700, (250, 50, 0))


def test_a_fixed_amount_never_exceeds_what_the_covered_lines_cost() -> None:
    priced = price_cart(CART, terms(kind=Kind.AMOUNT, value=10_000, product_ids=frozenset({TEA})))
    assert priced == PricedCart(5000, 500, 4500, (0, 500, 0))


def test_fifteen_percent_of_one_cent_is_no_discount() -> None:
    penny = Line(product_id=COFFEE, category_id=None, unit_price_cents=1, quantity=1)
    assert price_cart([penny], terms(value=15)).discount_cents == 0


def test_fifteen_percent_of_ten_cents_rounds_half_up_to_two_cents() -> None:
    dime = Line(product_id=COFFEE, category_id=None, unit_price_cents=10, quantity=1)
    assert price_cart([dime], terms(value=15)).discount_cents == 2


def test_a_percentage_is_rounded_once_on_the_covered_subtotal_not_per_line() -> None:
    # 10 % of three 5-cent lines: per line 0.5 each would round to 3 cents, once it is 1.5 -> 2.
    nickels = [
        Line(product_id=p, category_id=None, unit_price_cents=5, quantity=1) for p in (1, 2, 3)
    ]
    priced = price_cart(nickels, terms(value=10))
    assert priced.discount_cents == 2
    assert priced.line_discounts_cents == (1, 1, 0)


def test_free_covered_lines_never_pass_a_discount_to_uncovered_lines() -> None:
    freebie = Line(product_id=TEA, category_id=None, unit_price_cents=0, quantity=3)
    priced = price_cart([freebie, BOOK_LINE], terms(kind=Kind.AMOUNT, value=500, product_ids={TEA}))
    assert priced == PricedCart(2000, 0, 2000, (0, 0))


def test_pricing_does_not_check_whether_the_code_may_be_used() -> None:
    # check_code decides whether a code may be used; price_cart only does the arithmetic.
    switched_off_and_used_up = terms(is_active=False, usage_limit=1, times_used=5)
    assert price_cart(CART, switched_off_and_used_up).discount_cents == 500


lines_strategy = st.lists(
    st.builds(
        Line,
        product_id=st.integers(1, 6),
        category_id=st.none() | st.integers(1, 3),
        unit_price_cents=st.integers(0, 50_000),
        quantity=st.integers(1, 10),
    ),
    max_size=8,
)


@st.composite
def promo_terms(draw: st.DrawFn) -> PromoTerms:
    kind = draw(st.sampled_from(Kind))
    if kind is Kind.FREE_SHIPPING:
        value = 0  # a free-shipping code has no value
    else:
        value = draw(st.integers(1, 100) if kind is Kind.PERCENT else st.integers(1, 200_000))
    return PromoTerms(
        code="prop",
        kind=kind,
        value=value,
        window=ALWAYS,
        product_ids=draw(st.frozensets(st.integers(1, 6), max_size=3)),
        category_ids=draw(st.frozensets(st.integers(1, 3), max_size=2)),
    )


@given(lines=lines_strategy, promo=st.none() | promo_terms())
def test_pricing_invariants_hold_for_any_cart_and_code(
    lines: list[Line], promo: PromoTerms | None
) -> None:
    priced = price_cart(lines, promo)
    covered = set(eligible_lines(promo, lines)) if promo is not None else set()
    covered_subtotal = sum(lines[i].total_cents for i in covered)

    assert priced.subtotal_cents == sum(line.total_cents for line in lines)
    assert 0 <= priced.discount_cents <= covered_subtotal
    assert priced.total_cents == priced.subtotal_cents - priced.discount_cents >= 0
    assert sum(priced.line_discounts_cents) == priced.discount_cents
    assert len(priced.line_discounts_cents) == len(lines)
    for index, (line, line_discount) in enumerate(
        zip(lines, priced.line_discounts_cents, strict=True)
    ):
        assert 0 <= line_discount <= line.total_cents
        if index not in covered:
            assert line_discount == 0
    assert price_cart(lines, promo) == priced


@given(lines=lines_strategy, promo=promo_terms())
def test_the_discount_is_the_rounded_percentage_or_the_capped_amount(
    lines: list[Line], promo: PromoTerms
) -> None:
    covered_subtotal = sum(lines[i].total_cents for i in eligible_lines(promo, lines))
    if promo.kind is Kind.PERCENT:
        expected = percent_of(covered_subtotal, promo.value)
    elif promo.kind is Kind.FREE_SHIPPING:
        expected = 0  # the goods keep their price; shipping is what it frees
    else:
        expected = min(promo.value, covered_subtotal)
    assert price_cart(lines, promo).discount_cents == expected


# --- Admin status ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("promo", "now", "expected"),
    [
        (terms(), DURING_WINDOW, Status.ACTIVE),
        (terms(), FIRST_INSTANT_OF_WINDOW, Status.ACTIVE),
        (terms(), LAST_SECOND_BEFORE_WINDOW, Status.SCHEDULED),
        (terms(), FIRST_INSTANT_AFTER_WINDOW, Status.EXPIRED),
        (terms(usage_limit=3, times_used=3), DURING_WINDOW, Status.USED_UP),
        (terms(usage_limit=3, times_used=2), DURING_WINDOW, Status.ACTIVE),
        (terms(window=ALWAYS), datetime(2000, 1, 1, tzinfo=UTC), Status.ACTIVE),
    ],
)
def test_the_status_of_a_code(promo: PromoTerms, now: datetime, expected: Status) -> None:
    assert status(promo, now) is expected


@pytest.mark.parametrize(
    ("promo", "now", "expected"),
    [
        (terms(is_active=False, usage_limit=0), FIRST_INSTANT_AFTER_WINDOW, Status.INACTIVE),
        (terms(is_active=False), LAST_SECOND_BEFORE_WINDOW, Status.INACTIVE),
        (terms(usage_limit=0), FIRST_INSTANT_AFTER_WINDOW, Status.EXPIRED),
        (terms(usage_limit=0), LAST_SECOND_BEFORE_WINDOW, Status.USED_UP),
    ],
)
def test_status_precedence_is_inactive_then_expired_then_used_up_then_scheduled(
    promo: PromoTerms, now: datetime, expected: Status
) -> None:
    assert status(promo, now) is expected


def test_status_works_with_an_instant_in_any_offset() -> None:
    same_instant = FIRST_INSTANT_AFTER_WINDOW.astimezone(timezone(timedelta(hours=-10)))
    assert status(terms(), same_instant) is Status.EXPIRED
