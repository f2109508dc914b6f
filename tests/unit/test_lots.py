"""Lot numbers: kept trimmed and upper-case, so a recall finds a lot however it was typed."""

from __future__ import annotations

import pytest

from shop.rules.lots import MAX_LOT_LENGTH, InvalidLot, LotProblem, normalise_lot


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (" tr-2026.11 ", "TR-2026.11"),
        ("b0412", "B0412"),
        ("7", "7"),
        ("X" * MAX_LOT_LENGTH, "X" * MAX_LOT_LENGTH),
    ],
)
def test_a_lot_is_kept_trimmed_and_upper_case(typed, kept):
    assert normalise_lot(typed) == kept


def test_hyphens_are_kept_so_two_spellings_stay_two_lots():
    assert normalise_lot("TR2026") != normalise_lot("TR-2026")


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", LotProblem.MISSING),
        ("   ", LotProblem.MISSING),
        ("X" * (MAX_LOT_LENGTH + 1), LotProblem.TOO_LONG),
        ("LOT 12", LotProblem.BAD_CHARACTERS),
        ("lot/12", LotProblem.BAD_CHARACTERS),
        ("ıd-1", LotProblem.BAD_CHARACTERS),  # a dotless i would upper-case to an ASCII I
        ("=cmd", LotProblem.BAD_CHARACTERS),
    ],
)
def test_a_lot_that_cannot_be_one_is_refused_with_its_reason(typed, problem):
    with pytest.raises(InvalidLot) as refused:
        normalise_lot(typed)

    assert refused.value.reason == problem
