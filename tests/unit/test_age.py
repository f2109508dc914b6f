"""Specification of the age gate in shop.rules.age."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.rules.age import (
    BirthDateProblem,
    InvalidBirthDate,
    age_on,
    is_old_enough,
    local_today,
    parse_birth_date,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ADULT = 18

BORN = date(2007, 6, 15)
EIGHTEENTH_BIRTHDAY = date(2025, 6, 15)
DAY_BEFORE_EIGHTEENTH_BIRTHDAY = date(2025, 6, 14)

LEAPLING = date(2008, 2, 29)  # turns 18 in 2026, a non-leap year
FEB_28_2026 = date(2026, 2, 28)
MAR_1_2026 = date(2026, 3, 1)

TODAY = date(2025, 11, 2)


def _eighteen_years_after(born: date) -> date:
    """The first day on which someone born on ``born`` is 18, written independently of age_on."""
    try:
        return born.replace(year=born.year + ADULT)
    except ValueError:  # 29 February in a non-leap year: 1 March
        return date(born.year + ADULT, 3, 1)


# --- age_on / is_old_enough ------------------------------------------------------------------


def test_a_person_is_old_enough_on_their_eighteenth_birthday() -> None:
    assert is_old_enough(BORN, EIGHTEENTH_BIRTHDAY, ADULT)
    assert age_on(BORN, EIGHTEENTH_BIRTHDAY) == 18


def test_a_person_is_refused_on_the_day_before_their_eighteenth_birthday() -> None:
    assert not is_old_enough(BORN, DAY_BEFORE_EIGHTEENTH_BIRTHDAY, ADULT)
    assert age_on(BORN, DAY_BEFORE_EIGHTEENTH_BIRTHDAY) == 17


def test_someone_born_on_29_february_is_still_17_on_28_february_of_a_non_leap_year() -> None:
    assert age_on(LEAPLING, FEB_28_2026) == 17
    assert not is_old_enough(LEAPLING, FEB_28_2026, ADULT)


def test_someone_born_on_29_february_turns_18_on_1_march_of_a_non_leap_year() -> None:
    assert age_on(LEAPLING, MAR_1_2026) == 18
    assert is_old_enough(LEAPLING, MAR_1_2026, ADULT)


def test_someone_born_on_29_february_has_a_birthday_on_29_february_in_a_leap_year() -> None:
    born = date(2004, 2, 29)
    assert age_on(born, date(2028, 2, 28)) == 23
    assert age_on(born, date(2028, 2, 29)) == 24


def test_age_on_the_day_of_birth_is_zero() -> None:
    assert age_on(BORN, BORN) == 0


def test_a_birth_date_after_today_is_an_error_for_age_but_simply_not_old_enough() -> None:
    with pytest.raises(ValueError):
        age_on(TODAY + timedelta(days=1), TODAY)
    assert not is_old_enough(TODAY + timedelta(days=1), TODAY, ADULT)


def test_a_minimum_age_of_zero_admits_anyone_already_born() -> None:
    assert is_old_enough(TODAY, TODAY, 0)


@pytest.mark.parametrize("min_age", [-1, 18.0, True])
def test_a_negative_or_non_integer_minimum_age_is_refused(min_age: object) -> None:
    with pytest.raises(ValueError):
        is_old_enough(BORN, TODAY, min_age)  # type: ignore[arg-type]


def test_a_datetime_is_not_accepted_where_a_calendar_date_is_meant() -> None:
    with pytest.raises(TypeError):
        age_on(BORN, datetime(2025, 6, 15, tzinfo=UTC))  # type: ignore[arg-type]


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date(2080, 12, 31)))
def test_everyone_is_old_enough_exactly_from_their_eighteenth_birthday(born: date) -> None:
    first_adult_day = _eighteen_years_after(born)
    assert is_old_enough(born, first_adult_day, ADULT)
    assert not is_old_enough(born, first_adult_day - timedelta(days=1), ADULT)


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
def test_age_is_the_number_of_birthdays_that_have_passed(born: date, today: date) -> None:
    if today < born:
        born, today = today, born
    years = age_on(born, today)
    assert years >= 0
    # The years-th birthday has happened, the next one has not.
    assert _birthday(born, years) <= today < _birthday(born, years + 1)


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


# --- local_today -----------------------------------------------------------------------------

LATE_EVENING_UTC_ON_14_JUNE = datetime(2025, 6, 14, 22, 30, tzinfo=UTC)  # 00:30 in Amsterdam


def test_the_local_date_is_used_so_a_birthday_starts_at_local_midnight() -> None:
    today = local_today(LATE_EVENING_UTC_ON_14_JUNE, AMSTERDAM)
    assert today == EIGHTEENTH_BIRTHDAY
    assert is_old_enough(BORN, today, ADULT)


def test_local_today_works_from_any_aware_offset() -> None:
    same_instant = LATE_EVENING_UTC_ON_14_JUNE.astimezone(timezone(timedelta(hours=-7)))
    assert local_today(same_instant, AMSTERDAM) == date(2025, 6, 15)


def test_local_today_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        local_today(datetime(2025, 6, 14, 22, 30), AMSTERDAM)


# --- parse_birth_date ------------------------------------------------------------------------


def test_a_well_formed_birth_date_is_parsed() -> None:
    assert parse_birth_date("15", "6", "2007", TODAY) == BORN


def test_whitespace_and_leading_zeros_are_ignored() -> None:
    assert parse_birth_date(" 05 ", "\t06\n", " 2007", TODAY) == date(2007, 6, 5)


def test_29_february_is_accepted_in_a_leap_year() -> None:
    assert parse_birth_date("29", "2", "2008", TODAY) == LEAPLING


def test_today_itself_is_an_acceptable_birth_date() -> None:
    assert parse_birth_date("2", "11", "2025", TODAY) == TODAY


def test_1_january_1900_is_the_earliest_plausible_birth_date() -> None:
    assert parse_birth_date("1", "1", "1900", TODAY) == date(1900, 1, 1)


def _reason(day: object, month: object, year: object) -> str:
    with pytest.raises(InvalidBirthDate) as caught:
        parse_birth_date(day, month, year, TODAY)  # type: ignore[arg-type]
    return caught.value.reason


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("", "6", "2007"), ("15", "   ", "2007"), ("15", "6", ""), (None, "6", "2007")],
)
def test_an_empty_field_is_missing(day: object, month: object, year: object) -> None:
    assert _reason(day, month, year) == "missing"


@pytest.mark.parametrize(
    "bad",
    ["١٢", "1e3", "-5", "+5", "5.0", "1 5", "five", "²", "１２", "0x1", "1_0", "\x00"],
)
def test_anything_but_ascii_digits_is_not_a_number(bad: str) -> None:
    assert _reason(bad, "6", "2007") == "not_a_number"
    assert _reason("15", bad, "2007") == "not_a_number"
    assert _reason("15", "6", bad) == "not_a_number"


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [
        ("31", "4", "2007"),
        ("29", "2", "2007"),
        ("30", "2", "2008"),
        ("0", "6", "2007"),
        ("15", "0", "2007"),
        ("15", "13", "2007"),
        ("32", "1", "2007"),
        ("100", "1", "2007"),
        ("1", "99999999999999999999", "2007"),
    ],
)
def test_days_and_months_that_do_not_exist_are_impossible(day: str, month: str, year: str) -> None:
    assert _reason(day, month, year) == "impossible_date"


def test_29_february_1900_is_impossible_because_1900_was_not_a_leap_year() -> None:
    assert _reason("29", "2", "1900") == "impossible_date"


@pytest.mark.parametrize("year", ["1899", "1097", "0", "0000"])
def test_years_before_1900_are_implausible(year: str) -> None:
    assert _reason("1", "1", year) == "implausible"


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("3", "11", "2025"), ("1", "1", "2026"), ("1", "1", "10000"), ("1", "1", "9" * 5000)],
)
def test_dates_after_today_are_in_the_future(day: str, month: str, year: str) -> None:
    assert _reason(day, month, year) == "in_the_future"


def test_the_offending_field_is_named_when_one_field_is_to_blame() -> None:
    with pytest.raises(InvalidBirthDate) as caught:
        parse_birth_date("31", "4", "2007", TODAY)
    assert caught.value.field == "day"
    assert caught.value.reason is BirthDateProblem.IMPOSSIBLE_DATE
    assert isinstance(caught.value, ValueError)


# Arbitrary text, plus digit strings so the numeric checks get exercised too.
form_text = st.one_of(st.text(), st.text(alphabet="0123456789 ", max_size=6))


@given(day=form_text, month=form_text, year=form_text)
def test_parse_birth_date_never_raises_anything_but_invalid_birth_date(
    day: str, month: str, year: str
) -> None:
    try:
        born = parse_birth_date(day, month, year, TODAY)
    except InvalidBirthDate as error:
        assert error.reason in set(BirthDateProblem)
    else:
        assert date(1900, 1, 1) <= born <= TODAY


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY), pad=st.sampled_from(["", "0"]))
def test_every_real_past_date_typed_as_digits_is_accepted(born: date, pad: str) -> None:
    typed = (pad + str(born.day), pad + str(born.month), str(born.year))
    assert parse_birth_date(*typed, TODAY) == born
