"""Every refusal in words: what the shop says, in the reader's language, when a service or a
rule refused (`shop.refusals.Refused`). This is the one module that words them; the services
and rules raise reasons and data, and the command line asks for English (`in_english`).

Each domain has a section: a mapping from its reasons to a function of the refusal's
parameters that returns the sentence. `tests/unit/test_wording.py` finds every `Reason`
enum and fails naming a reason that has no words here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from shop.refusals import Reason, Refused
from shop.services.admin_orders import OrderRefusal
from shop.services.refunds import RefundRefusal

Params = Mapping[str, Any]
Wording = Callable[[Params], str]

# --- catalogue: products, their pictures and safety information ------------------------------

CATALOGUE: dict[Reason, Wording] = {}

# --- knowledge-base articles ------------------------------------------------------------------

ARTICLES: dict[Reason, Wording] = {}

# --- staff accounts, sign-in and two-factor sign-in -------------------------------------------

STAFF: dict[Reason, Wording] = {}

# --- promo codes, the cart and checkout --------------------------------------------------------

SHOPPING: dict[Reason, Wording] = {}

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

# -------------------------------------------------------------------------------------------------

WORDING: dict[Reason, Wording] = {**CATALOGUE, **ARTICLES, **STAFF, **SHOPPING, **ORDERS}


def refusal_text(refused: Refused) -> str:
    """The refusal in words, in the current request's language."""
    return WORDING[refused.reason](refused.params)


def in_english(refused: Refused) -> str:
    """The refusal in words for the command line, which speaks English."""
    with force_locale("en"):
        return refusal_text(refused)
