"""Display names for fixed vocabularies (allergens, their presence, product kinds, staff
roles, order statuses), through gettext."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Protocol

from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l

from shop.models import OrderStatus
from shop.rules.product_kind import ProductKind


def N_(message: str) -> str:
    """Mark a message that is stored as data (an order's payment failure or attention note)
    for extraction; pages translate it when they show it (`stored_text` in templates)."""
    return message


ALLERGEN_LABELS = {
    "gluten": _l("Cereals containing gluten"),
    "crustaceans": _l("Crustaceans"),
    "eggs": _l("Eggs"),
    "fish": _l("Fish"),
    "peanuts": _l("Peanuts"),
    "soybeans": _l("Soybeans"),
    "milk": _l("Milk"),
    "nuts": _l("Nuts"),
    "celery": _l("Celery"),
    "mustard": _l("Mustard"),
    "sesame": _l("Sesame seeds"),
    "sulphites": _l("Sulphur dioxide and sulphites"),
    "lupin": _l("Lupin"),
    "molluscs": _l("Molluscs"),
    "fungi": _l("Fungi (mushrooms)"),
}


KIND_LABELS = {
    ProductKind.TRUFFLES: _l("Magic truffles"),
    ProductKind.MICRODOSING_KIT: _l("Microdosing kits"),
    ProductKind.GROW_KIT: _l("Grow kits"),
    ProductKind.CAPSULES: _l("Capsules"),
    ProductKind.POWDER: _l("Powders and extracts"),
    ProductKind.TEA: _l("Tea"),
    ProductKind.ACCESSORY: _l("Accessories"),
    ProductKind.OTHER: _l("Other"),
}


def kind_name(kind: str) -> str:
    """The product kind's name in the current language (the code itself if unknown)."""
    label = KIND_LABELS.get(kind)  # type: ignore[call-overload]
    return str(label) if label is not None else kind


def allergen_name(code: str, locale: str | None = None) -> str:
    """The allergen's name in the current language (the code itself if unknown)."""
    label = ALLERGEN_LABELS.get(code)
    return str(label) if label is not None else code


def allergen_sentence(code: str, presence: object) -> str:
    """One allergen as a sentence in the current language: "Contains fungi (mushrooms)." or
    "May contain traces of celery." (the name is lower-cased: it sits mid-sentence)."""
    name = allergen_name(code)
    name = name[:1].lower() + name[1:]
    if str(presence) == "contains":
        return str(_l("Contains %(allergen)s.", allergen=name))
    return str(_l("May contain traces of %(allergen)s.", allergen=name))


class AllergenFacts(Protocol):
    @property
    def allergen(self) -> str: ...

    @property
    def presence(self) -> object: ...


class AllergyFacts(Protocol):
    """An allergy statement: an `AllergyStatement`, or the cart's plain
    `services.cart.CartAllergyStatement`."""

    @property
    def has_no_known_allergens(self) -> bool: ...

    @property
    def entries(self) -> Sequence[AllergenFacts]: ...

    def warning(self, locale: str) -> str: ...


def allergy_summary(statement: AllergyFacts, locale: str) -> str:
    """The allergy statement as sentences in `locale`, exactly as checkout shows and orders
    keep it (an order placed in Dutch keeps the Dutch, whoever's request places it)."""
    from shop.models.catalog import ALLERGENS

    # Switching the language costs more than the sentences: only when it is another one.
    switch = force_locale(locale) if str(get_locale()) != locale else nullcontext()
    with switch:
        if statement.has_no_known_allergens:
            return str(_l("No known allergens."))
        entries = sorted(statement.entries, key=lambda entry: ALLERGENS.index(entry.allergen))
        listed = " ".join(allergen_sentence(entry.allergen, entry.presence) for entry in entries)
    return f"{statement.warning(locale)} {listed}"


ROLE_LABELS = {
    "owner": _l("owner"),
    "manager": _l("manager"),
    "viewer": _l("viewer"),
}


def role_name(role: object) -> str:
    """A staff role's name in the current language (the stored value if unknown)."""
    label = ROLE_LABELS.get(str(role))
    return str(label) if label is not None else str(role)


# What a customer reads about an order's status (order page, My orders, the back office).
ORDER_STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.EXPIRED: _l("Expired: not paid in time"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REFUNDED: _l("Refunded"),
    OrderStatus.PARTIALLY_REFUNDED: _l("Partly refunded"),
}
