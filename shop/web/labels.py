"""Display names for fixed vocabularies (allergens), translated through gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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


def allergen_name(code: str, locale: str | None = None) -> str:
    """The allergen's name in the current language (the code itself if unknown)."""
    label = ALLERGEN_LABELS.get(code)
    return str(label) if label is not None else code
