"""Every refusal in words: what the shop says, in the reader's language, when a service or a
rule refused (`shop.refusals.Refused`). This is the one module that words them; the services
and rules raise reasons and data, and the command line asks for English (`in_english`).

Each domain has a section: a mapping from its reasons to a function of the refusal's
parameters that returns the sentence. `tests/unit/test_wording.py` finds every `Reason`
enum and fails naming a reason that has no words here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from shop.clock import shop_timezone
from shop.refusals import Reason, Refused
from shop.rules.promotions import PromoNotApplicable, Refusal, Window, last_local_date
from shop.services.cart import CartRefusal
from shop.services.checkout import CheckoutRefusal
from shop.services.promotions import PromoTermsRefusal
from shop.web.formatting import format_local_date, format_money

Params = Mapping[str, Any]
Wording = Callable[[Params], str]

# --- catalogue: products, their pictures and safety information ------------------------------

CATALOGUE: dict[Reason, Wording] = {}

# --- knowledge-base articles ------------------------------------------------------------------

ARTICLES: dict[Reason, Wording] = {}

# --- staff accounts, sign-in and two-factor sign-in -------------------------------------------

STAFF: dict[Reason, Wording] = {}

# --- promo codes, the cart and checkout --------------------------------------------------------

# Promo code dates as the shop announces its campaigns: "21 October 2025", "21 oktober 2025".
# A code's last day is the one before its (exclusive) end: printing the end's own date
# would announce one day too many.
PROMO_DAY = "d MMMM y"


def _code_starts(params: Params) -> str:
    starts_at = params.get("starts_at")
    if starts_at is None:
        return _("This code is not valid yet.")
    day = starts_at.astimezone(shop_timezone()).date()
    return _("This code starts on %(date)s.", date=format_local_date(day, PROMO_DAY))


def _code_ended(params: Params) -> str:
    last_day = _last_day(params)
    if last_day is None:
        return _("This code has ended.")
    return _("This code ended on %(date)s.", date=format_local_date(last_day, PROMO_DAY))


def _last_day(params: Params) -> date | None:
    ends_at = params.get("ends_at")
    return None if ends_at is None else last_local_date(Window(None, ends_at), shop_timezone())


def _too_young(params: Params) -> str:
    if not params.get("products"):
        return _("You must be %(age)s or older to order from this shop.", age=params["age"])
    return _(
        "You must be %(age)s or older to buy %(products)s.",
        age=params["age"],
        products=", ".join(params["products"]),
    )


SHOPPING: dict[Reason, Wording] = {
    # A customer's promo code. Every unknown code gets the same words, so they never tell
    # someone guessing codes how close they came.
    Refusal.UNKNOWN_CODE: lambda p: _("We don't know that code. Please check it."),
    Refusal.INACTIVE: lambda p: _("This code is not active."),
    Refusal.NOT_STARTED: _code_starts,
    Refusal.ENDED: _code_ended,
    Refusal.USED_UP: lambda p: _("This code has been used up."),
    Refusal.ALREADY_USED: lambda p: _("You have already used this code."),
    Refusal.BELOW_MINIMUM: lambda p: _(
        "This code needs a subtotal of %(amount)s.", amount=format_money(p["minimum_cents"])
    ),
    Refusal.NOT_APPLICABLE: lambda p: _("This code does not apply to the products in your cart."),
    # The cart
    CartRefusal.NOT_A_NUMBER: lambda p: _("Please enter the quantity as a whole number."),
    CartRefusal.UNAVAILABLE: lambda p: _("Sorry, that product is not available."),
    CartRefusal.SOLD_OUT: lambda p: _("Sorry, %(name)s is sold out.", name=p["product_name"]),
    CartRefusal.OVER_LINE_MAXIMUM: lambda p: _(
        "You can order at most %(n)s of %(name)s.", n=p["available"], name=p["product_name"]
    ),
    CartRefusal.NOT_ENOUGH_STOCK: lambda p: (
        _("Sorry, only %(n)s left of %(name)s.", n=p["available"], name=p["product_name"])
        if p["available"] > 0
        else _("Sorry, %(name)s is sold out.", name=p["product_name"])
    ),
    CartRefusal.TOO_MANY_LINES: lambda p: _(
        "Your cart is full. Please check out or remove a product first."
    ),
    # Checkout (the age is told next to the date of birth)
    CheckoutRefusal.EMPTY_CART: lambda p: _(
        "Your cart is empty. Add a product before checking out."
    ),
    CheckoutRefusal.UNAVAILABLE: lambda p: _(
        "Sorry, a product in your order is no longer available. Please check your order."
    ),
    CheckoutRefusal.SOLD_OUT: lambda p: (
        _(
            "Sorry, only %(n)s left of %(name)s. Please change the quantity in your cart.",
            n=p["available"],
            name=p["product_name"],
        )
        if p["available"] > 0
        else _(
            "Sorry, %(name)s has just sold out. Please remove it from your cart.",
            name=p["product_name"],
        )
    ),
    CheckoutRefusal.TOO_YOUNG: _too_young,
    CheckoutRefusal.NOT_ACKNOWLEDGED: lambda p: _(
        "Please confirm that you have read the warnings and allergy information."
    ),
    CheckoutRefusal.WARNINGS_CHANGED: lambda p: _(
        "The warnings of a product in your order changed while you were checking out. "
        "Please read them again below and confirm."
    ),
    # Staff's terms of a code (the back office and `flask --app shop promo create`); the
    # back office begins them with a capital.
    PromoTermsRefusal.CODE_LENGTH: lambda p: _(
        "a code of 1 to %(count)s characters is required", count=p["max_length"]
    ),
    PromoTermsRefusal.KIND_UNKNOWN: lambda p: _("percent or amount"),
    PromoTermsRefusal.PERCENT_OUT_OF_RANGE: lambda p: _("a percentage from 1 to 100 is required"),
    PromoTermsRefusal.AMOUNT_NOT_POSITIVE: lambda p: _("an amount above zero is required"),
    PromoTermsRefusal.LIMIT_BELOW_ONE: lambda p: _(
        "a limit is 1 or more (leave it empty for no limit)"
    ),
    PromoTermsRefusal.MINIMUM_NEGATIVE: lambda p: _("a minimum cannot be negative"),
    PromoTermsRefusal.BANNER_TITLE_MISSING: lambda p: _("a public code needs a banner title"),
    PromoTermsRefusal.UNKNOWN_SCOPE: lambda p: _(
        "unknown product or category: %(names)s", names=", ".join(p["names"])
    ),
    PromoTermsRefusal.DUPLICATE_CODE: lambda p: _("a code with that name exists already"),
    PromoTermsRefusal.USED_CODE_TERMS: lambda p: _(
        "this code has been used, so what it gives can no longer change; "
        "to offer a different discount, create a new code"
    ),
}

# Staff's "is this code valid at that moment?" names the instant to the second, in the back
# office (in the staff member's language) and from `flask --app shop promo check` (English,
# money in the customers' notation: the command passes its own `money`).
PROMO_CHECK_PATTERN = "d MMM y HH:mm:ss"


def promo_check_answer(
    display_code: str,
    at: datetime,
    tz: ZoneInfo,
    refused: PromoNotApplicable | None,
    *,
    money: Callable[[int], str] = format_money,
) -> str:
    """The answer to "is this code valid at `at`?": valid, or not valid and why."""
    when = format_datetime(at.astimezone(tz), PROMO_CHECK_PATTERN, locale=str(get_locale()))
    if refused is None:
        return _(
            "%(code)s at %(when)s (%(zone)s): valid", code=display_code, when=when, zone=tz.key
        )
    return _(
        "%(code)s at %(when)s (%(zone)s): not valid: %(reason)s",
        code=display_code,
        when=when,
        zone=tz.key,
        reason=_check_reason(refused, tz, money),
    )


def _check_reason(refused: PromoNotApplicable, tz: ZoneInfo, money: Callable[[int], str]) -> str:
    match refused.reason:
        case Refusal.INACTIVE:
            return _("is not active")
        case Refusal.NOT_STARTED if refused.starts_at is not None:
            starts = refused.starts_at.astimezone(tz).date()
            return _("starts on %(date)s", date=format_local_date(starts, PROMO_DAY))
        case Refusal.ENDED if refused.ends_at is not None:
            last_day = last_local_date(Window(None, refused.ends_at), tz)
            assert last_day is not None
            return _("ended on %(date)s", date=format_local_date(last_day, PROMO_DAY))
        case Refusal.USED_UP:
            return _("has been used up")
        case Refusal.ALREADY_USED:
            return _("you have already used this code")
        case Refusal.BELOW_MINIMUM if refused.minimum_cents is not None:
            return _("needs a subtotal of %(amount)s", amount=money(refused.minimum_cents))
        case Refusal.NOT_APPLICABLE:
            return _("does not apply to the products in your cart")
    return _("is not valid at the moment")


# --- orders, payments and refunds ---------------------------------------------------------------

ORDERS: dict[Reason, Wording] = {}

# -------------------------------------------------------------------------------------------------

WORDING: dict[Reason, Wording] = {**CATALOGUE, **ARTICLES, **STAFF, **SHOPPING, **ORDERS}


def refusal_text(refused: Refused) -> str:
    """The refusal in words, in the current request's language."""
    return WORDING[refused.reason](refused.params)


def in_english(refused: Refused) -> str:
    """The refusal in words for the command line, which speaks English."""
    with force_locale("en"):
        return refusal_text(refused)
