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

from shop.refusals import Reason, Refused

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
