"""Promo code refusals in a customer's words, in the visitor's language.

The rules say why a code cannot be used (`Refusal`, with the window's bounds or the minimum);
this module turns that into one sentence. Every unknown code gets the same message, so the
wording never tells someone guessing codes how close they came. Dates are the shop's local
calendar dates, and an end date is the last day the code works (the window's end is
exclusive, so printing its own date would announce one day too many).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.clock import shop_timezone
from shop.rules.promotions import PromoNotApplicable, Refusal, Window, last_local_date
from shop.web.formatting import format_local_date, format_money

# "21 October 2025" / "21 oktober 2025": day first, as the shop announces its campaigns.
DATE_PATTERN = "d MMMM y"

UNKNOWN_CODE = _l("We don't know that code. Please check it.")
NOT_STARTED_YET = _l("This code is not valid yet.")
ENDED = _l("This code has ended.")
USED_UP = _l("This code has been used up.")
ALREADY_USED = _l("You have already used this code.")
NOT_APPLICABLE = _l("This code does not apply to the products in your cart.")
INACTIVE = _l("This code is not active.")


def refusal_message(error: Exception | None, tz: ZoneInfo | None = None) -> str:
    """Why the code cannot be used, for the customer (UnknownCode and anything else: generic)."""
    if not isinstance(error, PromoNotApplicable):
        return str(UNKNOWN_CODE)
    zone = tz or shop_timezone()
    match error.reason:
        case Refusal.INACTIVE:
            return str(INACTIVE)
        case Refusal.NOT_STARTED if error.starts_at is not None:
            starts = error.starts_at.astimezone(zone).date()
            return str(
                _l("This code starts on %(date)s.", date=format_local_date(starts, DATE_PATTERN))
            )
        case Refusal.NOT_STARTED:
            return str(NOT_STARTED_YET)
        case Refusal.ENDED if error.ends_at is not None:
            last_day = last_local_date(Window(error.starts_at, error.ends_at), zone)
            assert last_day is not None
            return str(
                _l("This code ended on %(date)s.", date=format_local_date(last_day, DATE_PATTERN))
            )
        case Refusal.ENDED:
            return str(ENDED)
        case Refusal.USED_UP:
            return str(USED_UP)
        case Refusal.ALREADY_USED:
            return str(ALREADY_USED)
        case Refusal.BELOW_MINIMUM:
            return str(
                _l(
                    "This code needs a subtotal of %(amount)s.",
                    amount=format_money(error.minimum_cents or 0),
                )
            )
        case Refusal.NOT_APPLICABLE:
            return str(NOT_APPLICABLE)
    return str(UNKNOWN_CODE)  # pragma: no cover


# The back office's "is it valid then?" answer names the instant to the second, as the
# `promo check` command does.
CHECK_PATTERN = "d MMM y HH:mm:ss"


def staff_check_answer(
    display_code: str, at: datetime, tz: ZoneInfo, refusal: PromoNotApplicable | None
) -> str:
    """The back office's answer to "is this code valid at that moment?", in the staff
    member's language; in English in the words of `flask --app shop promo check`."""
    when = format_datetime(at.astimezone(tz), CHECK_PATTERN, locale=str(get_locale()))
    if refusal is None:
        return _(
            "%(code)s at %(when)s (%(zone)s): valid", code=display_code, when=when, zone=tz.key
        )
    return _(
        "%(code)s at %(when)s (%(zone)s): not valid: %(reason)s",
        code=display_code,
        when=when,
        zone=tz.key,
        reason=_staff_reason(refusal, tz),
    )


def _staff_reason(refusal: PromoNotApplicable, tz: ZoneInfo) -> str:
    match refusal.reason:
        case Refusal.INACTIVE:
            return _("is not active")
        case Refusal.NOT_STARTED if refusal.starts_at is not None:
            starts = refusal.starts_at.astimezone(tz).date()
            return _("starts on %(date)s", date=format_local_date(starts, DATE_PATTERN))
        case Refusal.ENDED if refusal.ends_at is not None:
            last_day = last_local_date(Window(None, refusal.ends_at), tz)
            assert last_day is not None
            return _("ended on %(date)s", date=format_local_date(last_day, DATE_PATTERN))
        case Refusal.USED_UP:
            return _("has been used up")
        case Refusal.ALREADY_USED:
            return _("you have already used this code")
        case Refusal.BELOW_MINIMUM if refusal.minimum_cents is not None:
            return _("needs a subtotal of %(amount)s", amount=format_money(refusal.minimum_cents))
        case Refusal.NOT_APPLICABLE:
            return _("does not apply to the products in your cart")
    return _("is not valid at the moment")
