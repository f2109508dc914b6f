"""What people type, read one way (`shop.rules.input`): euros, single lines, slugs and
e-mail addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.rules.input import (
    Unreadable,
    email_address,
    is_slug,
    parse_euros,
    single_line,
    slug_from,
)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("12,50", 1250), ("12.50", 1250), ("12,5", 1250), ("12", 1200), ("€ 0,01", 1), (" 7 ", 700)],
)
def test_amounts_are_read_as_euros_and_cents(typed, cents):
    assert parse_euros(typed) == cents


@pytest.mark.parametrize("typed", ["", "12,505", "-5", "1.250,00", "1 250", "12e1", "٣", "NaN"])
def test_anything_else_is_not_an_amount(typed):
    with pytest.raises(Unreadable):
        parse_euros(typed)


@given(st.integers(min_value=0, max_value=999_999_999), st.sampled_from([",", "."]))
def test_an_amount_written_out_is_read_back_to_the_cent(cents, separator):
    assert parse_euros(f"{cents // 100}{separator}{cents % 100:02d}") == cents


def test_one_line_of_text_loses_control_characters_and_extra_spaces():
    assert single_line("Ann\t de\r\nVries \x00 ") == "Ann de Vries"
    assert single_line(["not", "text"]) == ""
    assert single_line("x" * 500, 10) == "x" * 10


def test_slugs_are_made_from_names_and_recognised():
    assert slug_from("Psilocybe Mexicana 15 g") == "psilocybe-mexicana-15-g"
    assert slug_from("Lion's Mane — capsules") == "lion-s-mane-capsules"
    assert is_slug("golden-teacher-15-g")
    assert not is_slug("Golden Teacher") and not is_slug("a--b") and not is_slug("-a")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("ann@example.nl", "ann@example.nl"), ("  Ann@Example.NL ", "Ann@example.nl")],
)
def test_an_email_address_is_checked_and_kept_with_its_domain_normalised(typed, kept):
    assert email_address(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["", "ann", "ann@", "@example.nl", "ann@example", "ann@@example.nl", "a b@example.nl",
     "ann@example..nl", "x" * 310 + "@example.nl"],
)  # fmt: skip
def test_what_cannot_be_an_address_is_refused(typed):
    with pytest.raises(Unreadable):
        email_address(typed)
