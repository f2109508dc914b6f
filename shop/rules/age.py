"""Age verification rules.

What belongs here: computing someone's age on a given day, deciding whether they meet a minimum
age, turning the shop's "now" into the local calendar date, and validating a birth date typed
into a day/month/year form. The caller supplies "today"; nothing here reads the clock, so the
rules are deterministic and testable at any instant.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shop.refusals import Reason, Refused

__all__ = [
    "EARLIEST_PLAUSIBLE_BIRTH_YEAR",
    "BirthDateProblem",
    "InvalidBirthDate",
    "age_on",
    "is_old_enough",
    "local_today",
    "parse_birth_date",
]

# Nobody alive was born before 1900; such a year is almost always a typo (e.g. "1097").
EARLIEST_PLAUSIBLE_BIRTH_YEAR = 1900

# February is left out: its length depends on the year and is worked out where it is needed.
_DAYS_IN_MONTH = {1: 31, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


class BirthDateProblem(Reason):
    """Why a typed birth date was refused; the values are stable codes for forms and logs."""

    MISSING = "missing"
    NOT_A_NUMBER = "not_a_number"
    IMPOSSIBLE_DATE = "impossible_date"
    IN_THE_FUTURE = "in_the_future"
    IMPLAUSIBLE = "implausible"


class InvalidBirthDate(Refused, ValueError):
    """A birth date from form input that cannot be accepted.

    ``reason`` is a ``BirthDateProblem`` (a ``str``, so it compares equal to e.g. ``"missing"``).
    ``field`` names the offending input ("day", "month" or "year") when a single one is to
    blame, and is None when the problem is the combination.
    """

    def __init__(self, reason: BirthDateProblem, field: str | None = None) -> None:
        super().__init__(reason, field=field)
        self.field = field


def age_on(birth_date: date, today: date) -> int:
    """Return the number of completed years between ``birth_date`` and ``today``.

    Someone born on 29 February becomes a year older on 1 March in non-leap years. Some
    jurisdictions use 28 February instead; we take the later day because an age gate that is
    unsure must refuse rather than admit someone who might still be a day too young.
    """
    _require_plain_date("birth_date", birth_date)
    _require_plain_date("today", today)
    if today < birth_date:
        raise ValueError(f"birth_date {birth_date} is after today {today}")
    years = today.year - birth_date.year
    # Comparing (month, day) pairs gives the 1 March rule for free: in a non-leap year
    # (2, 28) < (2, 29) so the birthday has not happened yet, and (3, 1) > (2, 29).
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_old_enough(birth_date: date, today: date, min_age: int) -> bool:
    """True from the day of the ``min_age``-th birthday onwards (see ``age_on`` for 29 Feb)."""
    if isinstance(min_age, bool) or not isinstance(min_age, int) or min_age < 0:
        raise ValueError(f"min_age must be a non-negative int, got {min_age!r}")
    if today < birth_date:
        # Not born yet is not old enough; an odd input, but not one worth crashing a gate over.
        return False
    return age_on(birth_date, today) >= min_age


def local_today(now_utc: datetime, tz: ZoneInfo) -> date:
    """The calendar date in ``tz`` at the instant ``now_utc`` (which must be timezone-aware).

    The instant may carry any offset; only the moment it denotes matters. A naive datetime is
    refused because guessing its zone is exactly how a birthday ends up a day early or late.
    """
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware")
    return now_utc.astimezone(tz).date()


def parse_birth_date(day: str, month: str, year: str, today: date) -> date:
    """Validate a birth date typed into three text boxes.

    Surrounding whitespace is ignored; otherwise only ASCII digits are accepted (so no signs,
    exponents, decimal points or non-Latin digits). Problems are reported, in this order, as
    ``InvalidBirthDate`` with reason missing, not_a_number, impossible_date (e.g. 31 April, month
    13, 29 February in a non-leap year), in_the_future (after ``today``) or implausible (a year
    before 1900). No other exception escapes for any string input; ``None`` counts as
    missing because that is what an absent form field gives.
    """
    _require_plain_date("today", today)
    raw = {"day": day, "month": month, "year": year}

    stripped: dict[str, str] = {}
    for field, value in raw.items():
        if value is None:
            raise InvalidBirthDate(BirthDateProblem.MISSING, field)
        if not isinstance(value, str):
            raise InvalidBirthDate(BirthDateProblem.NOT_A_NUMBER, field)
        stripped[field] = value.strip()
    for field, text in stripped.items():
        if not text:
            raise InvalidBirthDate(BirthDateProblem.MISSING, field)
    for field, text in stripped.items():
        # str.isdigit() alone would also accept e.g. Arabic-Indic digits and superscripts.
        if not (text.isascii() and text.isdigit()):
            raise InvalidBirthDate(BirthDateProblem.NOT_A_NUMBER, field)
    # Leading zeros are harmless ("07"); dropping them lets the lengths below mean magnitudes,
    # so absurdly long input is judged without ever converting it to an int.
    day_digits, month_digits, year_digits = (
        stripped[field].lstrip("0") or "0" for field in ("day", "month", "year")
    )

    if len(month_digits) > 2 or not 1 <= int(month_digits) <= 12:
        raise InvalidBirthDate(BirthDateProblem.IMPOSSIBLE_DATE, "month")
    m = int(month_digits)
    # Leap years repeat every 400 years and 10000 is a multiple of 400, so the last four digits
    # decide whether any typed year, however long, has a 29 February.
    leap = calendar.isleap(int(year_digits[-4:]))
    days_in_month = (29 if leap else 28) if m == 2 else _DAYS_IN_MONTH[m]
    if len(day_digits) > 2 or not 1 <= int(day_digits) <= days_in_month:
        raise InvalidBirthDate(BirthDateProblem.IMPOSSIBLE_DATE, "day")
    d = int(day_digits)
    # Five or more digits is past date.max (9999) and so certainly after today.
    if len(year_digits) > 4 or int(year_digits) > today.year:
        raise InvalidBirthDate(BirthDateProblem.IN_THE_FUTURE, "year")
    y = int(year_digits)
    if y < EARLIEST_PLAUSIBLE_BIRTH_YEAR:
        raise InvalidBirthDate(BirthDateProblem.IMPLAUSIBLE, "year")
    born = date(y, m, d)
    if born > today:
        raise InvalidBirthDate(BirthDateProblem.IN_THE_FUTURE)
    return born


def _require_plain_date(name: str, value: object) -> None:
    # datetime is a subclass of date, and date < datetime raises TypeError deep inside the
    # comparison; worse, which calendar day a datetime means depends on its zone. Make callers
    # convert explicitly (see local_today).
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (not a datetime), got {value!r}")
