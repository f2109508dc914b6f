"""Shipping methods: what the cart and checkout offer to a zone, and staff keeping them.

Reading: `shipping_options` lists the active methods that ship to a zone with what each
costs for these goods (shop.rules.shipping decides the price and the free threshold), in
one query; `choose_shipping` is the method an order ships with, or the refusal saying why
not. Writing: `save_shipping_method` creates or edits a method and its zone prices in one
transaction with its audit entry.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, true
from sqlalchemy.orm import Session, selectinload

from shop.db import save_in_write_transaction
from shop.models import ShippingMethod, ShippingRate, StaffMember
from shop.models.catalog import localized
from shop.refusals import Reason, Refused
from shop.rules.shipping import Zone, amount_short_of_free, shipping_cost, zone_for_country
from shop.services.audit import diff, record_change


class ShippingRefusal(Reason):
    """Why an order cannot ship as asked."""

    NOT_SHIPPED_TO_COUNTRY = "not_shipped_to_country"  # country
    METHOD_NOT_FOR_COUNTRY = "method_not_for_country"  # country
    NEEDS_AGE_CHECK = "needs_age_check"  # country


class ShippingRefused(Refused):
    """The order cannot ship as asked; `reason` and the data say why, for the customer."""

    reason: ShippingRefusal


@dataclass(frozen=True)
class ShippingOption:
    """A method that ships to the zone, its price there and what it costs these goods."""

    method: ShippingMethod
    zone: Zone
    price_cents: int
    cost_cents: int

    @property
    def is_free(self) -> bool:
        return self.cost_cents == 0


def shipping_options(
    session: Session, zone: Zone, *, goods_cents: int, free_from_cents: int | None
) -> list[ShippingOption]:
    """The active methods that ship to `zone`, in the shop's order, with their cost."""
    rows = session.execute(
        select(ShippingMethod, ShippingRate.price_cents)
        .join(ShippingRate, ShippingRate.method_id == ShippingMethod.id)
        .where(ShippingMethod.is_active.is_(True), ShippingRate.zone == zone)
        .order_by(ShippingMethod.position, ShippingMethod.id)
    ).all()
    return [
        ShippingOption(
            method=method,
            zone=zone,
            price_cents=price,
            cost_cents=shipping_cost(price, goods_cents, free_from_cents),
        )
        for method, price in rows
    ]


def cheapest(options: list[ShippingOption]) -> ShippingOption | None:
    """The option that costs least (the first in the shop's order on a tie)."""
    return min(options, key=lambda option: option.cost_cents, default=None)


def choose_shipping(
    session: Session,
    country: str,
    method_id: int | None,
    *,
    goods_cents: int,
    free_from_cents: int | None,
    needs_age_check: bool = False,
) -> ShippingOption:
    """The option the order ships with: the method asked for, or the cheapest when none was.
    An order holding a product that needs an ID check at delivery ships only with a method
    that includes the carrier's age check.

    Raises ShippingRefused when nothing ships to the country or the method does not.
    """
    zone = zone_for_country(country)
    options = (
        shipping_options(session, zone, goods_cents=goods_cents, free_from_cents=free_from_cents)
        if zone is not None
        else []
    )
    if not options:
        raise ShippingRefused(ShippingRefusal.NOT_SHIPPED_TO_COUNTRY, country=country)
    if needs_age_check:
        checked = [option for option in options if option.method.includes_age_check]
        asked_unchecked = method_id is not None and any(
            option.method.id == method_id and not option.method.includes_age_check
            for option in options
        )
        if not checked or asked_unchecked:
            raise ShippingRefused(ShippingRefusal.NEEDS_AGE_CHECK, country=country)
        options = checked
    if method_id is None:
        chosen = cheapest(options)
        assert chosen is not None
        return chosen
    for option in options:
        if option.method.id == method_id:
            return option
    raise ShippingRefused(ShippingRefusal.METHOD_NOT_FOR_COUNTRY, country=country)


@dataclass(frozen=True)
class ZonePrice:
    zone: Zone
    price_cents: int


@dataclass(frozen=True)
class MethodFacts:
    """An active method as the checkout lists it, read as a row (no ORM objects)."""

    id: int
    name_en: str
    name_nl: str
    carrier: str
    includes_age_check: bool
    rates: tuple[ZonePrice, ...]

    def name(self, locale: str) -> str:
        return localized(self, "name", locale)


@functools.cache
def _active_methods_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            ShippingMethod.id,
            ShippingMethod.name_en,
            ShippingMethod.name_nl,
            ShippingMethod.carrier,
            ShippingMethod.includes_age_check,
            ShippingRate.zone,
            ShippingRate.price_cents,
        )
        .outerjoin(ShippingRate, ShippingRate.method_id == ShippingMethod.id)
        .where(ShippingMethod.is_active == true())
        .order_by(ShippingMethod.position, ShippingMethod.id, ShippingRate.zone)
    )


def active_methods(session: Session) -> list[MethodFacts]:
    """Every active method with its zone prices, in the shop's order (one query)."""
    methods: list[MethodFacts] = []
    rates: dict[int, list[ZonePrice]] = {}
    for method_id, name_en, name_nl, carrier, age_check, zone, price in session.execute(
        _active_methods_query()
    ):
        if method_id not in rates:
            rates[method_id] = []
            methods.append(MethodFacts(method_id, name_en, name_nl, carrier, age_check, ()))
        if zone is not None:
            rates[method_id].append(ZonePrice(zone, price))
    return [replace(method, rates=tuple(rates[method.id])) for method in methods]


@dataclass(frozen=True)
class OfferedMethod:
    """A method as the checkout lists it for one destination: its price per zone, and what
    it costs these goods there (None when it does not ship there)."""

    method: MethodFacts
    prices_cents: dict[Zone, int]
    cost_cents: int | None


def offer(
    methods: list[MethodFacts],
    zone: Zone | None,
    *,
    goods_cents: int,
    free_from_cents: int | None,
    free_by_code: bool = False,
    needs_age_check: bool = False,
) -> list[OfferedMethod]:
    """The methods (with their rates, `active_methods`) as offered to `zone` for these goods;
    with a free-shipping code each costs 0 where it ships. When the goods need an ID check at
    delivery, a method without the carrier's age check is left out."""
    offered = []
    for method in methods:
        if needs_age_check and not method.includes_age_check:
            continue
        prices = {rate.zone: rate.price_cents for rate in method.rates}
        price = prices.get(zone) if zone is not None else None
        cost = None if price is None else shipping_cost(price, goods_cents, free_from_cents)
        if cost is not None and free_by_code:
            cost = 0
        offered.append(OfferedMethod(method=method, prices_cents=prices, cost_cents=cost))
    return offered


def preselected(offered: list[OfferedMethod], method_id: int | None) -> OfferedMethod | None:
    """The method asked for when it ships there, else the cheapest that does."""
    shipping = [item for item in offered if item.cost_cents is not None]
    for item in shipping:
        if item.method.id == method_id:
            return item
    return min(shipping, key=lambda item: item.cost_cents or 0, default=None)


@dataclass(frozen=True)
class ShippingEstimate:
    """What the cart says about shipping: the cheapest method's cost to the zone (None when
    nothing ships there) and how much more the goods must be worth for free shipping (0 when
    they are, None when shipping is never free by value)."""

    zone: Zone
    cost_cents: int | None
    short_of_free_cents: int | None


@functools.cache
def _zone_prices_query() -> Select[int]:
    """The active methods' prices to one zone (`zone`): all the cart's estimate needs."""
    return (
        select(ShippingRate.price_cents)
        .join(ShippingMethod, ShippingMethod.id == ShippingRate.method_id)
        .where(ShippingMethod.is_active == true(), ShippingRate.zone == bindparam("zone"))
    )


def estimate_shipping(
    session: Session,
    zone: Zone,
    *,
    goods_cents: int,
    free_from_cents: int | None,
    free_by_code: bool = False,
) -> ShippingEstimate:
    """The cart's estimate: the cheapest active method to `zone` for these goods (one query);
    with a free-shipping code, 0 wherever something ships."""
    prices = session.scalars(_zone_prices_query(), {"zone": zone}).all()
    if not prices:
        return ShippingEstimate(zone=zone, cost_cents=None, short_of_free_cents=None)
    best = min(shipping_cost(price, goods_cents, free_from_cents) for price in prices)
    return ShippingEstimate(
        zone=zone,
        cost_cents=0 if free_by_code else best,
        short_of_free_cents=0
        if free_by_code
        else amount_short_of_free(goods_cents, free_from_cents),
    )


def all_methods(session: Session) -> list[ShippingMethod]:
    """Every method, active or not, with its zone prices: the back office's list."""
    return list(
        session.scalars(
            select(ShippingMethod)
            .options(selectinload(ShippingMethod.rates))
            .order_by(ShippingMethod.position, ShippingMethod.id)
        )
    )


@dataclass(frozen=True)
class MethodFields:
    """What staff typed for a method; a zone missing from `prices_cents` is not shipped to."""

    name_en: str
    name_nl: str
    carrier: str
    includes_age_check: bool
    is_active: bool
    position: int
    prices_cents: Mapping[Zone, int]


def audit_fields(method: ShippingMethod | MethodFields) -> dict[str, object]:
    """What the audit log compares: the fields and the price per zone (None: not shipped)."""
    if isinstance(method, ShippingMethod):
        prices: Mapping[Zone, int] = {rate.zone: rate.price_cents for rate in method.rates}
    else:
        prices = method.prices_cents
    return {
        "name_en": method.name_en,
        "name_nl": method.name_nl,
        "carrier": method.carrier,
        "includes_age_check": method.includes_age_check,
        "is_active": method.is_active,
        "position": method.position,
        **{f"price_{zone.value}_cents": prices.get(zone) for zone in Zone},
    }


class ShippingMethodNotFound(LookupError):
    """No shipping method has this id."""


@dataclass(frozen=True)
class SavedMethod:
    method: ShippingMethod
    changed: bool


def save_shipping_method(
    session: Session,
    fields: MethodFields,
    *,
    actor: StaffMember | None,
    now: datetime,
    method_id: int | None = None,
) -> SavedMethod:
    """Create a method (no `method_id`) or change one with its zone prices, audited, in one
    transaction. Raises ShippingMethodNotFound; nothing is written then."""
    return save_in_write_transaction(session, lambda: _save(session, fields, actor, now, method_id))


def _save(
    session: Session,
    fields: MethodFields,
    actor: StaffMember | None,
    now: datetime,
    method_id: int | None,
) -> SavedMethod:
    if method_id is None:
        method = ShippingMethod(rates=[])
        before: dict[str, object] = {}
    else:
        found = session.scalar(
            select(ShippingMethod)
            .where(ShippingMethod.id == method_id)
            .options(selectinload(ShippingMethod.rates))
            .with_for_update()
        )
        if found is None:
            raise ShippingMethodNotFound(method_id)
        method = found
        before = audit_fields(method)
    changes = diff(before, audit_fields(fields))
    if not changes:
        return SavedMethod(method, changed=False)
    if method_id is None:
        session.add(method)
    method.name_en = fields.name_en
    method.name_nl = fields.name_nl
    method.carrier = fields.carrier
    method.includes_age_check = fields.includes_age_check
    method.is_active = fields.is_active
    method.position = fields.position
    existing = {rate.zone: rate for rate in method.rates}
    for zone in Zone:
        price = fields.prices_cents.get(zone)
        rate = existing.get(zone)
        if price is None:
            if rate is not None:
                method.rates.remove(rate)
        elif rate is None:
            method.rates.append(ShippingRate(zone=zone, price_cents=price))
        else:
            rate.price_cents = price
    record_change(
        session,
        actor,
        "create" if method_id is None else "update",
        method,
        changes,
        now=now,
        summary=f"shipping method {fields.name_en}; changed " + ", ".join(sorted(changes)),
    )
    return SavedMethod(method, changed=True)
