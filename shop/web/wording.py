"""Every refusal in words: what the shop says, in the reader's language, when a service or a
rule refused (`shop.refusals.Refused`). This is the one module that words them; the services
and rules raise reasons and data, and the command line asks for English (`in_english`).

Each domain has a section: a mapping from its reasons to a function of the refusal's
parameters that returns the sentence. `tests/unit/test_wording.py` finds every `Reason`
enum and fails naming a reason that has no words here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from shop.refusals import Reason, Refused
from shop.services.articles import ArticleRefusal, PublishingNeed
from shop.services.staff import StaffRefusal
from shop.services.two_factor import TwoFactorRefusal

Params = Mapping[str, Any]
Wording = Callable[[Params], str]

# --- catalogue: products, their pictures and safety information ------------------------------

CATALOGUE: dict[Reason, Wording] = {}

# --- knowledge-base articles ------------------------------------------------------------------


def publishing_needs(missing: Sequence[Reason]) -> str:
    """What an article lacks for publishing (`PublishingNeed`s), as one list of words: "a
    title (in English or Dutch), the disclaimer in Dutch"."""
    return ", ".join(ARTICLES[need]({}) for need in missing)


ARTICLES: dict[Reason, Wording] = {
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

SHOPPING: dict[Reason, Wording] = {}

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
