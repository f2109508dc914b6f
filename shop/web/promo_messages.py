"""Promo code refusals in a customer's words, in the visitor's language.

The rules say why a code cannot be used (`Refusal`, with the window's bounds or the minimum);
this module turns that into one sentence. Every unknown code gets the same message, so the
wording never tells someone guessing codes how close they came. Dates are the shop's local
calendar dates, and an end date is the last day the code works (the window's end is
exclusive, so printing its own date would announce one day too many).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

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
