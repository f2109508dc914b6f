"""Specification of the cent arithmetic in shop.rules.money."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.rules.money import MoneyError, allocate, percent_of

# --- percent_of ------------------------------------------------------------------------------


def test_fifteen_percent_of_ten_cents_is_exactly_half_way_and_rounds_up_to_two() -> None:
    assert percent_of(10, 15) == 2


def test_fifteen_percent_of_one_cent_rounds_down_to_zero() -> None:
    assert percent_of(1, 15) == 0


def test_a_fraction_just_below_one_half_rounds_down() -> None:
    # 49 % of 1 cent = 0.49 cent
    assert percent_of(1, 49) == 0


def test_exactly_one_half_cent_rounds_up() -> None:
    assert percent_of(1, 50) == 1


def test_whole_percentages_of_round_amounts_are_exact() -> None:
    assert percent_of(2000, 25) == 500


def test_hundred_percent_is_the_whole_amount_and_zero_percent_is_nothing() -> None:
    assert percent_of(1234, 100) == 1234
    assert percent_of(1234, 0) == 0


def test_rounding_happens_once_not_per_step() -> None:
    # 33 % of 1999 = 659.67; rounding 1999 * 0.33 in floats or in two steps is how pennies drift.
    assert percent_of(1999, 33) == 660


@pytest.mark.parametrize(("amount", "percent"), [(-1, 10), (100, -1), (100, 101)])
def test_negative_amounts_and_percentages_outside_0_to_100_are_refused(
    amount: int, percent: int
) -> None:
    with pytest.raises(MoneyError):
        percent_of(amount, percent)


@pytest.mark.parametrize(("amount", "percent"), [(10.0, 15), (10, 15.0), (True, 15), (10, "15")])
def test_only_integers_are_accepted_never_floats(amount: object, percent: object) -> None:
    with pytest.raises(MoneyError):
        percent_of(amount, percent)  # type: ignore[arg-type]


def test_money_error_is_a_value_error() -> None:
    assert issubclass(MoneyError, ValueError)


@given(amount=st.integers(min_value=0, max_value=10**12), percent=st.integers(0, 100))
def test_percent_of_is_the_exact_share_rounded_half_up(amount: int, percent: int) -> None:
    result = percent_of(amount, percent)
    exact_times_100 = amount * percent
    # |result - exact| <= 1/2, with exact halves going up: -50 < 100*result - exact <= 50
    assert -50 < result * 100 - exact_times_100 <= 50
    assert 0 <= result <= amount


# --- allocate --------------------------------------------------------------------------------


def test_a_total_is_split_in_proportion_to_the_weights() -> None:
    assert allocate(100, [1, 1, 2]) == [25, 25, 50]


def test_left_over_cents_go_to_the_largest_remainders() -> None:
    # exact shares 3.33.., 6.66..: the second part has the larger remainder
    assert allocate(10, [1, 2]) == [3, 7]


def test_equal_remainders_favour_the_earlier_line() -> None:
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(1, [5, 5]) == [1, 0]


def test_zero_weight_parts_get_nothing() -> None:
    assert allocate(7, [0, 3, 0, 4]) == [0, 3, 0, 4]


def test_all_zero_weights_split_the_total_evenly() -> None:
    assert allocate(5, [0, 0]) == [3, 2]


def test_nothing_to_split_over_nothing_is_an_empty_list() -> None:
    assert allocate(0, []) == []


def test_money_cannot_be_split_over_no_parts() -> None:
    with pytest.raises(MoneyError):
        allocate(1, [])


@pytest.mark.parametrize(("total", "weights"), [(-1, [1]), (1, [1, -1]), (1, [1.5]), (1.0, [1])])
def test_negative_or_non_integer_inputs_are_refused(total: object, weights: list[object]) -> None:
    with pytest.raises(MoneyError):
        allocate(total, weights)  # type: ignore[arg-type]


def test_allocate_accepts_any_sequence_such_as_a_tuple() -> None:
    assert allocate(3, (1, 2)) == [1, 2]


weight_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20)


@given(total=st.integers(min_value=0, max_value=10**8), weights=weight_lists)
def test_allocated_parts_always_sum_exactly_to_the_total(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    assert all(part >= 0 for part in parts)


@given(total=st.integers(min_value=0, max_value=10**8), weights=weight_lists)
def test_each_part_is_within_one_cent_of_its_exact_share(total: int, weights: list[int]) -> None:
    effective = weights if any(weights) else [1] * len(weights)
    weight_sum = sum(effective)
    for part, weight in zip(allocate(total, weights), effective, strict=True):
        # |part - total*weight/weight_sum| < 1
        assert abs(part * weight_sum - total * weight) < weight_sum


@given(data=st.data(), weights=weight_lists)
def test_no_part_exceeds_its_weight_when_the_total_fits_within_the_weights(
    data: st.DataObject, weights: list[int]
) -> None:
    # This is what keeps a line's share of a discount from exceeding the line's own total.
    total = data.draw(st.integers(min_value=0, max_value=sum(weights)), label="total")
    for part, weight in zip(allocate(total, weights), weights, strict=True):
        assert part <= weight


@given(total=st.integers(min_value=0, max_value=10**8), weights=weight_lists)
def test_a_zero_weight_part_gets_nothing_while_any_weight_is_positive(
    total: int, weights: list[int]
) -> None:
    if any(weights):
        for part, weight in zip(allocate(total, weights), weights, strict=True):
            if weight == 0:
                assert part == 0


@given(total=st.integers(min_value=0, max_value=10**6), weights=weight_lists)
def test_a_heavier_line_never_gets_less_than_a_lighter_one(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    for i, j in combinations(range(len(weights)), 2):
        if weights[i] < weights[j]:
            assert parts[i] <= parts[j]
        elif weights[i] > weights[j]:
            assert parts[i] >= parts[j]
