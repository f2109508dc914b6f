"""Shipping: which zone a country ships in, what a method costs there, and when it is free.

What belongs here: the zones the shop prices shipping by and the arithmetic of one shipping
charge in integer cents. No database, no Flask.

The rules applied, and why:

* A country ships in one zone: the Netherlands, Belgium and Germany each have their own
  (the carriers price them apart), every other EU member state is "rest of the EU". A
  country outside the EU has no zone: the shop does not ship there.
* A method's price is per zone; a method without a price for a zone does not ship there.
* Shipping is free when the goods, after the promo code's discount, are worth at least the
  threshold: the customer must reach it with what they pay for the goods, not with a price
  the code took away. Exactly at the threshold is free.
* A threshold of ``None`` means shipping is never free by value.
"""

from __future__ import annotations

from enum import StrEnum

from shop.rules.money import require_cents

__all__ = [
    "EU_COUNTRIES",
    "Zone",
    "amount_short_of_free",
    "shipping_cost",
    "zone_for_country",
]


class Zone(StrEnum):
    """Where a parcel goes, as the shop's shipping prices tell destinations apart."""

    NL = "nl"
    BE = "be"
    DE = "de"
    EU = "eu"  # every other EU member state


# The EU member states by ISO 3166-1 alpha-2, the Netherlands (the shop's home) first.
EU_COUNTRIES = (
    "NL",
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)

_OWN_ZONES = {"NL": Zone.NL, "BE": Zone.BE, "DE": Zone.DE}


def zone_for_country(country: str) -> Zone | None:
    """The zone a country ships in, or None when the shop does not ship there."""
    code = country.strip().upper()
    if code not in EU_COUNTRIES:
        return None
    return _OWN_ZONES.get(code, Zone.EU)


def shipping_cost(price_cents: int, goods_cents: int, free_from_cents: int | None) -> int:
    """What shipping costs: the zone's price, or 0 when the goods reach the threshold.

    ``goods_cents`` is the goods' total after the discount; ``free_from_cents`` the
    threshold (``None``: never free by value).
    """
    price_cents = require_cents("price_cents", price_cents)
    goods_cents = require_cents("goods_cents", goods_cents)
    if free_from_cents is not None:
        free_from_cents = require_cents("free_from_cents", free_from_cents)
        if goods_cents >= free_from_cents:
            return 0
    return price_cents


def amount_short_of_free(goods_cents: int, free_from_cents: int | None) -> int | None:
    """How much more the goods must be worth for free shipping: 0 when they already are,
    None when shipping is never free by value."""
    goods_cents = require_cents("goods_cents", goods_cents)
    if free_from_cents is None:
        return None
    free_from_cents = require_cents("free_from_cents", free_from_cents)
    return max(0, free_from_cents - goods_cents)
