"""Specification of staff passwords: 12 to 128 characters, no composition rules, never one
from the shipped list of common passwords (in any case), hashed with argon2id."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from shop.services.staff import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    StaffError,
    StaffRefusal,
    common_passwords,
    hash_password,
    password_problem,
)
from shop.web.wording import in_english

PHRASE = "moss lantern over the quiet river "


def of_length(length: int) -> str:
    """A password of exactly `length` characters that is not a common one."""
    return (PHRASE * (length // len(PHRASE) + 1))[:length]


def test_the_limits_are_twelve_and_one_hundred_and_twenty_eight():
    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (12, 128)


def test_eleven_characters_are_refused_and_the_message_names_the_minimum():
    problem = password_problem(of_length(11))

    assert problem is not None
    assert (problem.reason, problem.params) == (StaffRefusal.PASSWORD_TOO_SHORT, {"count": 12})
    assert in_english(problem) == "A password needs at least 12 characters."


def test_twelve_characters_are_accepted():
    assert password_problem(of_length(12)) is None


def test_one_hundred_and_twenty_eight_characters_are_accepted():
    assert password_problem(of_length(128)) is None


def test_one_hundred_and_twenty_nine_characters_are_refused():
    problem = password_problem(of_length(129))

    assert problem is not None
    assert (problem.reason, problem.params) == (StaffRefusal.PASSWORD_TOO_LONG, {"count": 128})
    assert in_english(problem) == "A password may have at most 128 characters."


def test_the_empty_password_is_refused():
    assert password_problem("") is not None


@pytest.mark.parametrize(
    "spelling", ["password1234", "PASSWORD1234", "Password1234", "pAsSwOrD1234"]
)
def test_a_common_password_is_refused_however_it_is_capitalised(spelling: str):
    assert "password1234" in common_passwords()

    problem = password_problem(spelling)

    assert problem is not None
    assert problem.reason == StaffRefusal.PASSWORD_TOO_COMMON
    assert "too common" in in_english(problem)


@pytest.mark.parametrize(
    "password",
    [
        "lanternmossriver",  # lower-case letters only
        "lantern moss river",  # with spaces
        "LANTERNMOSSRIVER",  # capitals only
        "420420420420420420",  # digits only (not on the list)
        "paddenstoel-ß-ü-🍄",  # beyond ASCII
    ],
)
def test_no_composition_rules_any_kind_of_character_will_do(password: str):
    assert password.casefold() not in common_passwords()

    assert password_problem(password) is None


def test_every_entry_of_the_common_list_would_otherwise_be_long_enough():
    """The list holds only what the length rule lets through: the rest would be dead weight."""
    assert common_passwords()
    assert all(len(entry) >= MIN_PASSWORD_LENGTH for entry in common_passwords())


def test_passwords_are_hashed_with_argon2id():
    password = of_length(20)

    hashed = hash_password(password)

    assert hashed.startswith("$argon2id$")
    assert PasswordHasher().verify(hashed, password)
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(hashed, password + "x")


def test_the_same_password_hashes_differently_each_time():
    password = of_length(20)

    assert hash_password(password) != hash_password(password)


@pytest.mark.parametrize("password", [of_length(11), of_length(129), "Password1234"])
def test_a_refused_password_is_never_hashed(password: str):
    with pytest.raises(StaffError):
        hash_password(password)


def test_the_timing_equaliser_hash_has_the_hashers_current_parameters():
    """A sign-in for an unknown e-mail address checks the password against this hash: with
    weaker parameters than a real one it would answer faster and tell the address is unknown."""
    from shop.services import staff

    hasher = PasswordHasher()
    assert not hasher.check_needs_rehash(staff.TIMING_EQUALISER_HASH)
    with pytest.raises(VerifyMismatchError):
        hasher.verify(staff.TIMING_EQUALISER_HASH, "")
