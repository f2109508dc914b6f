"""What a product is, whatever its category: the fixed vocabulary customers filter by.

What belongs here: the kinds and their order on the storefront's filter. Categories are the
staff's shelves (and can hold several kinds: capsules and powders of medicinal mushrooms);
a kind is what the customer gets in the parcel. No database, no Flask: the labels are
translated in `shop.labels`, the column and its CHECK come from migration 0022.
"""

from __future__ import annotations

from enum import StrEnum


class ProductKind(StrEnum):
    # In the order the filter lists them; "other" last, for what fits nowhere yet.
    TRUFFLES = "truffles"  # fresh magic truffles (sclerotia)
    MICRODOSING_KIT = "microdosing_kit"
    GROW_KIT = "grow_kit"
    CAPSULES = "capsules"
    POWDER = "powder"  # dried, ground or extracted
    TEA = "tea"
    ACCESSORY = "accessory"
    OTHER = "other"


KIND_ORDER: dict[ProductKind, int] = {kind: index for index, kind in enumerate(ProductKind)}
