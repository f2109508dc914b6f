"""Every refusal in words: what the shop says, in the reader's language, when a service or a
rule refused (`shop.refusals.Refused`). This is the one module that words them; the services
and rules raise reasons and data, and the command line asks for English (`in_english`).

Each domain has a section: a mapping from its reasons to a function of the refusal's
parameters that returns the sentence. `tests/unit/test_wording.py` finds every `Reason`
enum and fails naming a reason that has no words here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from shop.clock import shop_timezone
from shop.config import MEGABYTE
from shop.images import ImageProblem
from shop.models import AttentionReason, Order
from shop.refusals import Reason, Refused
from shop.rules.age import BirthDateProblem
from shop.rules.lots import MAX_LOT_LENGTH, LotProblem
from shop.rules.promotions import PromoNotApplicable, Refusal, Window, last_local_date
from shop.rules.shipping import Zone
from shop.services.age_verification import VerificationProblem
from shop.services.articles import ArticleRefusal, PublishingNeed
from shop.services.cart import CartRefusal
from shop.services.catalog import CatalogRefusal
from shop.services.orders.fulfilment import OrderRefusal
from shop.services.orders.placing import CheckoutRefusal
from shop.services.orders.refunds import RefundRefusal
from shop.services.pages import PageRefusal
from shop.services.products import MissingWarning, ProductRefusal
from shop.services.promotions import PromoTermsRefusal
from shop.services.related import RelatedRefusal
from shop.services.shipping import ShippingRefusal
from shop.services.staff import StaffRefusal
from shop.services.two_factor import TwoFactorRefusal
from shop.web.formatting import format_local_date, format_money, local_time

Params = Mapping[str, Any]
Wording = Callable[[Params], str]

# --- catalogue: products, their pictures and safety information ------------------------------


def _country(code: str) -> str:
    """A country's name in the reader's language (the code when Babel has none)."""
    return str(get_locale().territories.get(code, code))


def zone_labels() -> list[tuple[Zone, str]]:
    """The shipping zones by name in the reader's language, in the order prices are listed."""
    return [
        (Zone.NL, _country("NL")),
        (Zone.BE, _country("BE")),
        (Zone.DE, _country("DE")),
        (Zone.EU, _("rest of the EU")),
    ]


def missing_in_words(missing: Iterable[MissingWarning]) -> str:
    """What a product lacks to be published, as a list for staff: "a disclaimer (…); …"."""
    return "; ".join(CATALOGUE[item]({}) for item in missing)


CATALOGUE: dict[Reason, Wording] = {
    CatalogRefusal.NO_SUCH_PRODUCT: lambda p: _("There is no such product."),
    CatalogRefusal.NO_SUCH_PICTURE: lambda p: _("There is no such picture."),
    ProductRefusal.SLUG_LENGTH: lambda p: _("a slug of 1 to 160 characters is required"),
    ProductRefusal.NAME_MISSING: lambda p: _("a name is required"),
    ProductRefusal.WITHDRAWAL_REASON_MISSING: lambda p: _(
        "Please say why the product cannot be returned, in English and in Dutch."
    ),
    ProductRefusal.NEGATIVE_PRICE: lambda p: _("a price cannot be negative"),
    ProductRefusal.NEGATIVE_STOCK: lambda p: _("stock cannot be negative"),
    ProductRefusal.MIN_AGE_OUT_OF_RANGE: lambda p: _("a minimum age between 0 and 120 is required"),
    ProductRefusal.UNKNOWN_VAT_RATE: lambda p: _("choose one of the VAT rates 0%, 9%, 21%"),
    ProductRefusal.UNKNOWN_KIND: lambda p: _("choose one of the product kinds"),
    ProductRefusal.UNKNOWN_DISCLAIMER_KIND: lambda p: _(
        "unknown disclaimer kind %(kind)r", kind=p["kind"]
    ),
    ProductRefusal.UNKNOWN_ALLERGEN: lambda p: _("unknown allergen %(code)r", code=p["code"]),
    ProductRefusal.UNKNOWN_PRESENCE: lambda p: _(
        "unknown presence %(presence)r", presence=p["presence"]
    ),
    ProductRefusal.ALLERGEN_TWICE: lambda p: _("allergen %(code)r listed twice", code=p["code"]),
    ProductRefusal.ALLERGENS_BUT_NONE_KNOWN: lambda p: _(
        "'no known allergens' cannot list allergens"
    ),
    ProductRefusal.DISCLAIMER_HALF_WRITTEN: lambda p: _(
        "each disclaimer needs a text in English and Dutch"
    ),
    ProductRefusal.ALLERGY_WARNING_MISSING: lambda p: _(
        "a warning in English and Dutch is required unless none are known"
    ),
    ProductRefusal.UNKNOWN_CATEGORY: lambda p: _("Choose a category from the list."),
    ProductRefusal.SLUG_TAKEN: lambda p: _("Another product has this slug already."),
    ProductRefusal.ALT_TEXT_TOO_LONG: lambda p: _(
        "Use at most %(count)s characters.", count=p["most"]
    ),
    ProductRefusal.NOT_PUBLISHABLE: lambda p: _(
        "This product cannot be published yet. Missing: %(missing)s.",
        missing=missing_in_words(p["missing"]),
    ),
    ProductRefusal.MUST_KEEP_WARNINGS: lambda p: _(
        "This product is in the shop, so it must keep its warnings. Missing: %(missing)s. "
        "Nothing was saved. To take the product out of the shop, untick “In the shop”.",
        missing=missing_in_words(p["missing"]),
    ),
    ProductRefusal.STALE: lambda p: _(
        "Someone else saved this product after you opened it. Your changes are below, "
        "not saved yet: compare them with the product as it is now and save again."
    ),
    MissingWarning.DISCLAIMER: lambda p: _("a disclaimer (in English and Dutch)"),
    MissingWarning.ALLERGY_STATEMENT: lambda p: _("an allergy statement"),
    MissingWarning.ALLERGY_WARNING: lambda p: _(
        "an allergy warning naming the allergens (in English and Dutch)"
    ),
    ImageProblem.EMPTY: lambda p: _("That file is empty. Please choose a picture."),
    ImageProblem.TOO_LARGE: lambda p: _(
        "That file is larger than %(mb)s MB. Please upload a smaller picture.",
        mb=p["max_bytes"] // MEGABYTE,
    ),
    ImageProblem.NOT_AN_IMAGE: lambda p: _("That file is not a JPEG, PNG or WebP picture."),
    ImageProblem.BROKEN: lambda p: _("That picture is damaged or incomplete and cannot be read."),
    ImageProblem.TOO_MANY_PIXELS: lambda p: _(
        "That picture has too many pixels to process safely. Please scale it down first."
    ),
}

# --- knowledge-base articles ------------------------------------------------------------------


def publishing_needs(missing: Sequence[Reason]) -> str:
    """What an article lacks for publishing (`PublishingNeed`s), as one list of words: "a
    title (in English or Dutch), the disclaimer in Dutch"."""
    return ", ".join(ARTICLES[need]({}) for need in missing)


ARTICLES: dict[Reason, Wording] = {
    PageRefusal.TITLE_MISSING: lambda p: _("Please give the page a title."),
    PageRefusal.BODY_MISSING: lambda p: _("Please write the page's text."),
    PageRefusal.TOO_LONG: lambda p: _("Please use at most %(n)s characters.", n=p["limit"]),
    ArticleRefusal.SLUG_MISSING: lambda p: _(
        "Please give a slug: lower-case letters, digits and hyphens."
    ),
    ArticleRefusal.SLUG_MALFORMED: lambda p: _(
        "Use only lower-case letters, digits and single hyphens, like lions-mane-explained."
    ),
    ArticleRefusal.SLUG_TAKEN: lambda p: _("Another article has this slug already."),
    ArticleRefusal.TOO_LONG: lambda p: _("Please use at most %(n)s characters.", n=p["limit"]),
    ArticleRefusal.TITLE_MISSING: lambda p: _(
        "Please give the article a title, in English or in Dutch."
    ),
    ArticleRefusal.TOO_MANY_RELATED: lambda p: _("At most %(n)s related products.", n=p["limit"]),
    ArticleRefusal.RELATED_TWICE: lambda p: _("Each related product can be listed once."),
    ArticleRefusal.NOT_IN_SHOP: lambda p: _(
        "Not a product in the shop: %(slugs)s. Choose products that are in the shop.",
        slugs=", ".join(p["slugs"]),
    ),
    RelatedRefusal.TOO_MANY: lambda p: _("At most %(n)s related products.", n=p["limit"]),
    RelatedRefusal.TWICE: lambda p: _(
        "Each related product can be listed once: %(slugs)s.", slugs=", ".join(p["slugs"])
    ),
    RelatedRefusal.ITSELF: lambda p: _(
        "A product cannot be related to itself: %(slugs)s.", slugs=", ".join(p["slugs"])
    ),
    RelatedRefusal.NOT_IN_SHOP: lambda p: _(
        "Not a product in the shop: %(slugs)s. Choose products that are in the shop.",
        slugs=", ".join(p["slugs"]),
    ),
    ArticleRefusal.SAVED_UNPUBLISHABLE: lambda p: _(
        "An article cannot be published without %(missing)s. Nothing was saved. Write "
        "what is missing, or untick “Published” to save it as a draft.",
        missing=publishing_needs(p["missing"]),
    ),
    ArticleRefusal.UNPUBLISHABLE: lambda p: _(
        "An article cannot be published without %(missing)s. Nothing was changed.",
        missing=publishing_needs(p["missing"]),
    ),
    # Parts of the two sentences above, and of the draft's "Missing: …" note.
    PublishingNeed.TITLE: lambda p: _("a title (in English or Dutch)"),
    PublishingNeed.DISCLAIMER_EN: lambda p: _("the disclaimer in English"),
    PublishingNeed.DISCLAIMER_NL: lambda p: _("the disclaimer in Dutch"),
}

# --- the age gate's and checkout's date of birth ------------------------------------------------

BIRTH_DATE: dict[Reason, Wording] = {
    BirthDateProblem.MISSING: lambda p: _("Please enter your full date of birth."),
    BirthDateProblem.NOT_A_NUMBER: lambda p: _("Day, month and year must be numbers."),
    BirthDateProblem.IMPOSSIBLE_DATE: lambda p: _(
        "That date does not exist. Please check the day and month."
    ),
    BirthDateProblem.IN_THE_FUTURE: lambda p: _("A date of birth cannot be in the future."),
    BirthDateProblem.IMPLAUSIBLE: lambda p: _("Please enter a year of birth from 1900 on."),
}

# --- age verification by an OpenID provider (shop.services.age_verification) -----------------

AGE_VERIFICATION: dict[Reason, Wording] = {
    VerificationProblem.UNANSWERED: lambda p: _("Please answer yes or no."),
    VerificationProblem.DENIED: lambda p: _(
        "The verification was cancelled or refused, so we could not confirm your age."
    ),
    VerificationProblem.UNREACHABLE: lambda p: _(
        "We could not reach the age verification service. Please try again in a few minutes."
    ),
    VerificationProblem.INVALID_TOKEN: lambda p: _(
        "The answer of the age verification service could not be checked, so we could not "
        "confirm your age. Please try again."
    ),
    VerificationProblem.UNKNOWN_STATE: lambda p: _(
        "This verification link was already used or has expired. Please start again."
    ),
    VerificationProblem.CANNOT_PROVE_AGE: lambda p: _(
        "The age verification service did not confirm that you are %(age)s or older.",
        age=p.get("age", 18),
    ),
}

# --- staff accounts, sign-in and two-factor sign-in -------------------------------------------

STAFF: dict[Reason, Wording] = {
    StaffRefusal.PASSWORD_TOO_SHORT: lambda p: _(
        "A password needs at least %(count)s characters.", count=p["count"]
    ),
    StaffRefusal.PASSWORD_TOO_LONG: lambda p: _(
        "A password may have at most %(count)s characters.", count=p["count"]
    ),
    StaffRefusal.PASSWORD_TOO_COMMON: lambda p: _(
        "That password is too common; choose another (a few unrelated words work well)."
    ),
    StaffRefusal.EMAIL_REQUIRED: lambda p: _("An e-mail address is required."),
    StaffRefusal.NAME_TOO_LONG: lambda p: _(
        "A name may have at most %(count)s characters.", count=p["count"]
    ),
    StaffRefusal.UNKNOWN_ROLE: lambda p: _("The role is owner, manager or viewer."),
    StaffRefusal.EMAIL_TAKEN: lambda p: _(
        "A staff account with that e-mail address exists already."
    ),
    StaffRefusal.NO_SUCH_ACCOUNT: lambda p: _("No such staff account."),
    StaffRefusal.LAST_OWNER: lambda p: _(
        "This is the last active owner: it cannot be demoted or switched off, because "
        "the shop needs at least one active owner. Make another account an owner first."
    ),
    StaffRefusal.WRONG_CURRENT_PASSWORD: lambda p: _("That is not your current password."),
    StaffRefusal.SIGN_IN_REFUSED: lambda p: _(
        "That e-mail address and password do not match an account."
    ),
    StaffRefusal.NOT_YOUR_PASSWORD: lambda p: _("That is not your password."),
    TwoFactorRefusal.NOT_STARTED: lambda p: _(
        "Two-factor sign-in has not been started for this account."
    ),
    TwoFactorRefusal.ALREADY_ON: lambda p: _("Two-factor sign-in is already on for this account."),
    TwoFactorRefusal.ALREADY_OFF: lambda p: _("Two-factor sign-in is off for this account."),
    TwoFactorRefusal.NOTHING_TO_CHECK: lambda p: _(
        "Start the set-up again: there is no code to check yet."
    ),
    TwoFactorRefusal.REQUIRED_FOR_ROLE: lambda p: _(
        "The shop requires two-factor sign-in for owners and managers: it stays on."
    ),
    TwoFactorRefusal.WRONG_SET_UP_CODE: lambda p: _(
        "That code is not right. Type the six digits your app shows now for this account."
    ),
    TwoFactorRefusal.WRONG_CODE: lambda p: _("That code is not right."),
    TwoFactorRefusal.WRONG_OR_USED_CODE: lambda p: _(
        "That code is not right, or it has been used already: wait for the next one."
    ),
}

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


def _age_not_verified(params: Params) -> str:
    if not params.get("products"):
        return _(
            "Before you order, please have your age (%(age)s or older) verified.",
            age=params["age"],
        )
    return _(
        "%(products)s can only be ordered after your age (%(age)s or older) has been verified.",
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
    CheckoutRefusal.AGE_NOT_VERIFIED: _age_not_verified,
    CheckoutRefusal.NOT_ACKNOWLEDGED: lambda p: _(
        "Please confirm that you have read the warnings and allergy information."
    ),
    CheckoutRefusal.WARNINGS_CHANGED: lambda p: _(
        "The warnings of a product in your order changed while you were checking out. "
        "Please read them again below and confirm."
    ),
    ShippingRefusal.NOT_SHIPPED_TO_COUNTRY: lambda p: _(
        "Sorry, we cannot ship to %(country)s at the moment.", country=_country(p["country"])
    ),
    ShippingRefusal.METHOD_NOT_FOR_COUNTRY: lambda p: _(
        "This shipping method does not deliver to %(country)s. Please choose another one.",
        country=_country(p["country"]),
    ),
    ShippingRefusal.NEEDS_AGE_CHECK: lambda p: _(
        "A product in your order is delivered only with an age check at the door. Please "
        "choose a shipping method with an age check; if none is listed for %(country)s, we "
        "cannot deliver this product there.",
        country=_country(p["country"]),
    ),
    # Staff's terms of a code (the back office and `flask --app shop promo create`); the
    # back office begins them with a capital.
    PromoTermsRefusal.CODE_LENGTH: lambda p: _(
        "a code of 1 to %(count)s characters is required", count=p["max_length"]
    ),
    PromoTermsRefusal.KIND_UNKNOWN: lambda p: _("percent, amount or free_shipping"),
    PromoTermsRefusal.FREE_SHIPPING_HAS_NO_VALUE: lambda p: _(
        "a free-shipping code has no value (0)"
    ),
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


def _refund_refused(reason: str) -> str:
    return _("The refund was refused: %(reason)s.", reason=reason)


ORDERS: dict[Reason, Wording] = {
    OrderRefusal.NO_SUCH_ORDER: lambda p: _("There is no such order."),
    OrderRefusal.CARRIER_MISSING: lambda p: _("Name the carrier."),
    OrderRefusal.CARRIER_TOO_LONG: lambda p: _("The carrier or the tracking code is too long."),
    OrderRefusal.NOT_PAID: lambda p: _("Only a paid order can be marked shipped."),
    OrderRefusal.WAITS_FOR_REFUND: lambda p: _(
        "This order waits for a refund: its goods were never reserved."
    ),
    OrderRefusal.NOT_PAYABLE: lambda p: _("Only an order awaiting payment can be cancelled."),
    OrderRefusal.NOTE_MISSING: lambda p: _("Write a note saying what was done."),
    OrderRefusal.NOTE_TOO_LONG: lambda p: _(
        "The note is longer than %(count)s characters.", count=p["most"]
    ),
    OrderRefusal.NO_ATTENTION_NEEDED: lambda p: _("This order does not need attention."),
    OrderRefusal.LOTS_INVALID: lambda p: _(
        "Check the lot numbers: every line needs the lot it was packed from."
    ),
    OrderRefusal.NEEDS_AGE_CHECK_METHOD: lambda p: _(
        "This order needs a shipping method with an age check: a product in it may only be "
        "handed over after the carrier has seen the recipient's ID. Nothing was changed."
    ),
    LotProblem.MISSING: lambda p: _("Type the lot number (on the product's label)."),
    LotProblem.TOO_LONG: lambda p: _(
        "A lot number has at most %(count)s characters.", count=MAX_LOT_LENGTH
    ),
    LotProblem.BAD_CHARACTERS: lambda p: _(
        "Use only letters, digits, hyphens and dots, like TR-2026.11."
    ),
    RefundRefusal.NO_SUCH_ORDER: lambda p: _refund_refused(_("no such order")),
    RefundRefusal.NOT_REFUNDABLE: lambda p: _refund_refused(
        _("an order in status %(status)s cannot be refunded", status=p["status"])
    ),
    RefundRefusal.STALE_FORM: lambda p: _(
        "Refunds were made since you confirmed: check and confirm again."
    ),
    RefundRefusal.AMOUNT_OUT_OF_RANGE: lambda p: _refund_refused(
        _("the amount must be between 1 and %(cents)s cents", cents=p["most_cents"])
    ),
    RefundRefusal.NO_PAYMENT: lambda p: _refund_refused(_("no payment is known for this order")),
    RefundRefusal.PROVIDER_REFUSED: lambda p: _refund_refused(
        _("the payment provider refused: %(error)s", error=p["code"] or p["message"])
    ),
    RefundRefusal.NO_SUCH_PAYMENT: lambda p: _refund_refused(_("no such payment")),
    RefundRefusal.NOT_AN_EXTRA_PAYMENT: lambda p: _refund_refused(
        _("this is not an extra payment")
    ),
    RefundRefusal.ALREADY_BEING_REFUNDED: lambda p: _refund_refused(
        _("this payment is already being refunded")
    ),
}

# Why an order needs a staff member (`Order.attention_notes`), in the reader's language.


def _money(p: Params) -> str:
    return format_money(p["amount_cents"], p["currency"])


def _due(p: Params) -> str:
    due = p.get("due_at")
    return local_time(datetime.fromisoformat(due)) if due else ""


ATTENTION: dict[AttentionReason, Wording] = {
    AttentionReason.PAID_TWICE: lambda p: _(
        "Paid twice: payment %(intent)s (%(amount)s) arrived after the order was paid by "
        "%(paid_by)s. Refund the extra payment.",
        intent=p["intent"],
        amount=_money(p),
        paid_by=p["paid_by"],
    ),
    AttentionReason.PAYMENT_NAMES_OTHER_ORDER: lambda p: _(
        "Payment %(intent)s does not match: the payment names another order.", intent=p["intent"]
    ),
    AttentionReason.PAYMENT_AMOUNT_DIFFERS: lambda p: _(
        "Payment %(intent)s does not match: paid %(paid)s, the order is %(total)s.",
        intent=p["intent"],
        paid=format_money(p["paid_cents"]) if isinstance(p["paid_cents"], int) else p["paid_cents"],
        total=format_money(p["total_cents"]),
    ),
    AttentionReason.PAYMENT_CURRENCY_DIFFERS: lambda p: _(
        "Payment %(intent)s does not match: paid in %(paid)s, the order is in %(currency)s.",
        intent=p["intent"],
        paid=str(p["paid_currency"]).upper(),
        currency=p["currency"],
    ),
    AttentionReason.PAID_AFTER_EXPIRY_NO_STOCK: lambda p: _(
        "Paid after the order expired, and the stock is gone: refund the customer."
    ),
    AttentionReason.PAYMENT_FOR_STATUS: lambda p: _(
        "A payment arrived for an order in status %(status)s.", status=p["status"]
    ),
    AttentionReason.REFUND_FAILED: lambda p: (
        _(
            "Refund of %(amount)s %(status)s (%(failure)s): the money did not go back; the "
            "amount can be refunded again.",
            amount=_money(p),
            status=p["status"],
            failure=p["failure"],
        )
        if p.get("failure")
        else _(
            "Refund of %(amount)s %(status)s: the money did not go back; the amount can be "
            "refunded again.",
            amount=_money(p),
            status=p["status"],
        )
    ),
    AttentionReason.DISPUTE_OPEN: lambda p: (
        _(
            "Dispute %(dispute)s (%(amount)s, %(reason)s), evidence due by %(due)s: answer it "
            "in Stripe.",
            dispute=p["dispute"],
            amount=_money(p),
            reason=p["reason"],
            due=_due(p),
        )
        if p.get("due_at")
        else _(
            "Dispute %(dispute)s (%(amount)s, %(reason)s): answer it in Stripe.",
            dispute=p["dispute"],
            amount=_money(p),
            reason=p["reason"],
        )
    ),
    AttentionReason.DISPUTE_CLOSED: lambda p: _(
        "Dispute %(dispute)s (%(amount)s, %(reason)s) closed: %(outcome)s.",
        dispute=p["dispute"],
        amount=_money(p),
        reason=p["reason"],
        outcome=p["outcome"],
    ),
    AttentionReason.FRAUD_WARNING: lambda p: _(
        "Early fraud warning %(warning)s (%(fraud_type)s, %(amount)s): the card issuer reports "
        "this payment as fraud. Consider refunding it before it becomes a dispute.",
        warning=p["warning"],
        fraud_type=p["fraud_type"] or "fraud",
        amount=_money(p),
    ),
    # Written before reasons were codes (migration 0011): shown as written.
    AttentionReason.NOTE: lambda p: str(p.get("text", "")),
}


def attention_text(note: Mapping[str, Any]) -> str:
    """One of an order's attention notes in words; an unknown code as it is stored."""
    params = note.get("params") or {}
    try:
        wording = ATTENTION[AttentionReason(str(note.get("code")))]
        return wording(params)
    except (ValueError, KeyError, TypeError):
        return f"{note.get('code')}: {params}"


def attention_texts(order: Order) -> list[str]:
    """All of an order's attention notes in words, oldest first."""
    return [attention_text(note) for note in order.attention_notes or []]


# -------------------------------------------------------------------------------------------------

WORDING: dict[Reason, Wording] = {
    **CATALOGUE,
    **ARTICLES,
    **BIRTH_DATE,
    **AGE_VERIFICATION,
    **STAFF,
    **SHOPPING,
    **ORDERS,
}


def refusal_text(refused: Refused) -> str:
    """The refusal in words, in the current request's language."""
    return WORDING[refused.reason](refused.params)


def in_english(refused: Refused) -> str:
    """The refusal in words for the command line, which speaks English."""
    with force_locale("en"):
        return refusal_text(refused)
