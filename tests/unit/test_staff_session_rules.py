"""The rules of a staff session's life and of one-time codes, on instants passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
from hypothesis import given
from hypothesis import strategies as st

from shop.rules.staff_sessions import SessionEnd, SessionLimits, is_recent, why_session_ends
from shop.rules.two_factor import (
    format_recovery_code,
    is_totp_shaped,
    matching_step,
    normalise_code,
    time_step,
)

LIMITS = SessionLimits.from_minutes(idle=30, absolute_hours=12, reauthenticate=10)
SIGNED_IN = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Amsterdam's clocks go forward
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

offsets = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2))


def test_a_session_used_on_the_last_second_of_its_idle_period_goes_on():
    now = SIGNED_IN + timedelta(minutes=30)

    assert why_session_ends(SIGNED_IN, SIGNED_IN, now=now, limits=LIMITS) is None


def test_a_microsecond_past_the_idle_period_ends_it():
    now = SIGNED_IN + timedelta(minutes=30, microseconds=1)

    assert why_session_ends(SIGNED_IN, SIGNED_IN, now=now, limits=LIMITS) == SessionEnd.IDLE


def test_the_absolute_limit_is_named_when_both_are_passed():
    now = SIGNED_IN + timedelta(hours=13)

    assert why_session_ends(SIGNED_IN, SIGNED_IN, now=now, limits=LIMITS) == SessionEnd.ABSOLUTE


def test_a_session_without_its_instants_ends():
    assert why_session_ends(None, SIGNED_IN, now=SIGNED_IN, limits=LIMITS) == SessionEnd.UNKNOWN
    assert why_session_ends(SIGNED_IN, None, now=SIGNED_IN, limits=LIMITS) == SessionEnd.UNKNOWN


@given(since_sign_in=offsets, idle=offsets)
def test_a_session_goes_on_exactly_while_both_limits_hold(since_sign_in, idle):
    now = SIGNED_IN + since_sign_in
    last_used = max(SIGNED_IN, now - idle)

    ended = why_session_ends(SIGNED_IN, last_used, now=now, limits=LIMITS)

    within = since_sign_in <= LIMITS.absolute and now - last_used <= LIMITS.idle
    assert (ended is None) == within


@given(age=offsets)
def test_a_sign_in_is_recent_up_to_and_including_the_window(age):
    assert is_recent(SIGNED_IN, now=SIGNED_IN + age, window=LIMITS.reauthenticate) == (
        age <= timedelta(minutes=10)
    )


def test_no_sign_in_is_never_recent():
    assert not is_recent(None, now=SIGNED_IN, window=LIMITS.reauthenticate)


# --- one-time codes --------------------------------------------------------------------------


@given(seconds=st.integers(min_value=0, max_value=10**9))
def test_a_code_is_accepted_once_for_its_own_step(seconds):
    now = datetime(2001, 9, 9, tzinfo=UTC) + timedelta(seconds=seconds)
    code = pyotp.TOTP(SECRET).at(now)

    step = matching_step(SECRET, code, now=now, last_used_step=None)

    assert step == time_step(now)
    assert matching_step(SECRET, code, now=now, last_used_step=step) is None


def test_codes_of_the_neighbouring_steps_count_and_older_ones_do_not():
    now = datetime(2026, 3, 3, 10, 0, 15, tzinfo=UTC)
    current = time_step(now)

    def step_of(offset: int) -> int | None:
        code = pyotp.TOTP(SECRET).at(now + timedelta(seconds=30 * offset))
        return matching_step(SECRET, code, now=now, last_used_step=None)

    assert [step_of(offset) for offset in (-2, -1, 0, 1, 2)] == [
        None,
        current - 1,
        current,
        current + 1,
        None,
    ]


def test_typed_codes_lose_spaces_and_dashes_and_capitals():
    assert normalise_code(" 123 456 ") == "123456"
    assert normalise_code("ABCD-efgh ijkl-MNOP") == "abcdefghijklmnop"
    assert is_totp_shaped("123456")
    assert not is_totp_shaped("12345") and not is_totp_shaped("１２３４５６")
    assert format_recovery_code("abcdefghijklmnop") == "abcd-efgh-ijkl-mnop"
