"""VAT (BTW) in prices that include it: the rates, the VAT in a line, in shipping, per rate.

What belongs here: the Dutch VAT rates a product can have and the arithmetic that finds the
VAT inside gross (VAT-inclusive) amounts in integer cents. No database, no Flask.

The rules applied, and why:

* Prices are gross. The VAT in a gross amount ``g`` at ``p`` % is ``g × p / (100 + p)``,
  rounded once to whole cents, half up (the rounding Dutch invoices use).
* VAT is rounded per line, on the line's taxable amount: its total after the share of the
  discount the promotions rules allocated to it (largest remainder). The Belastingdienst
  accepts rounding per line as long as it is done the same way throughout; it means a
  discount on a line changes that line's VAT and no other.
* The summary per rate is the sum of its lines (and of its share of shipping), never
  re-rounded: gross and VAT per rate are sums of line figures and net is gross minus VAT. So
  the VAT of the rates adds up to the order's VAT, net + VAT is gross for each rate, and the
  gross of the rates adds up to what the customer pays: no cent is made or lost by rounding.
* Shipping is an ancillary cost ("bijkomende kosten") and follows the VAT of the goods it
  ships: with one rate in the order it is taxed at that rate; with several, it is split over
  the rates in proportion to the goods' taxable value at each rate (largest remainder, so the
  parts add up to the shipping exactly), and each part is taxed at its rate. When the goods
  are worth nothing (a 100 % discount), there is no proportion to follow and the standard
  rate applies, which never declares too little VAT.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from shop.rules.money import allocate, require_cents

__all__ = [
    "TaxedAmount",
    "VatBreakdown",
    "VatRate",
    "shipping_vat",
    "tax_line",
    "vat_breakdown",
    "vat_in_gross",
]


class VatRate(StrEnum):
    """The rate a product is sold at, by its name in the law (Wet OB 1968, tabel I and II).

    Stored by name, so that a change of the percentage by law (9 % was 6 % until 2019)
    is one change here; an order keeps the percentage it was charged (``percent``).
    """

    ZERO = "zero"
    REDUCED = "reduced"
    STANDARD = "standard"

    @property
    def percent(self) -> int:
        return _PERCENTS[self]


_PERCENTS = {VatRate.ZERO: 0, VatRate.REDUCED: 9, VatRate.STANDARD: 21}


def _require_percent(percent: object) -> int:
    value = require_cents("percent", percent)
    if value > 100:
        raise ValueError(f"percent must be at most 100, got {value}")
    return value


def vat_in_gross(gross_cents: int, percent: int) -> int:
    """The VAT inside a gross amount at ``percent`` %, rounded half up to whole cents.

    € 10,90 at 9 % holds € 0,90; € 1,21 at 21 % holds € 0,21; 1 cent at 21 % holds 0 cents
    (0.17 rounds down) and 3 cents hold 1 (0.52 rounds up).
    """
    gross_cents = require_cents("gross_cents", gross_cents)
    percent = _require_percent(percent)
    # floor(x + 1/2) with x = gross * p / (100 + p), in integers so the one rounding is exact.
    divisor = 100 + percent
    return (2 * gross_cents * percent + divisor) // (2 * divisor)


@dataclass(frozen=True)
class TaxedAmount:
    """A gross amount at one rate and the VAT it holds: an order line, a part of shipping,
    or one rate of an order's summary ("of which VAT 9 %: € x")."""

    percent: int
    gross_cents: int
    vat_cents: int

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.vat_cents


def tax_line(taxable_cents: int, percent: int) -> TaxedAmount:
    """One line: its taxable amount (total after its discount share) and its VAT."""
    return TaxedAmount(percent, taxable_cents, vat_in_gross(taxable_cents, percent))


def shipping_vat(
    shipping_gross_cents: int, lines: Sequence[TaxedAmount]
) -> tuple[TaxedAmount, ...]:
    """Shipping split over the rates of the goods it ships, each part with its VAT.

    Parts come in ascending order of rate; shipping of 0 gives no parts. See the module's
    docstring for the rule (proportional to the goods' taxable value per rate, or the
    standard rate when the goods are worth nothing).
    """
    shipping_gross_cents = require_cents("shipping_gross_cents", shipping_gross_cents)
    if shipping_gross_cents == 0:
        return ()
    value_per_rate: dict[int, int] = {}
    for line in lines:
        value_per_rate[line.percent] = value_per_rate.get(line.percent, 0) + line.gross_cents
    percents = sorted(percent for percent, value in value_per_rate.items() if value > 0)
    if not percents:
        return (tax_line(shipping_gross_cents, VatRate.STANDARD.percent),)
    parts = allocate(shipping_gross_cents, [value_per_rate[percent] for percent in percents])
    return tuple(
        tax_line(part, percent) for percent, part in zip(percents, parts, strict=True) if part
    )


@dataclass(frozen=True)
class VatBreakdown:
    """An order's VAT: each line's, shipping's parts, and the summary per rate.

    ``lines[i]`` belongs to the order's line ``i``; ``rates`` are in ascending order of rate
    and list only rates that occur. The sums are checked when it is built.
    """

    lines: tuple[TaxedAmount, ...]
    shipping: tuple[TaxedAmount, ...]
    rates: tuple[TaxedAmount, ...]

    @property
    def vat_cents(self) -> int:
        return sum(rate.vat_cents for rate in self.rates)

    @property
    def gross_cents(self) -> int:
        return sum(rate.gross_cents for rate in self.rates)

    def __post_init__(self) -> None:
        # Cheap, and catches any later change that lets a cent go astray between the figures.
        parts = (*self.lines, *self.shipping)
        if self.vat_cents != sum(part.vat_cents for part in parts):
            raise ValueError("the VAT per rate does not add up to the VAT of the parts")
        if self.gross_cents != sum(part.gross_cents for part in parts):
            raise ValueError("the gross per rate does not add up to the gross of the parts")


def _summary(parts: Iterable[TaxedAmount]) -> tuple[TaxedAmount, ...]:
    gross: dict[int, int] = {}
    vat: dict[int, int] = {}
    for part in parts:
        gross[part.percent] = gross.get(part.percent, 0) + part.gross_cents
        vat[part.percent] = vat.get(part.percent, 0) + part.vat_cents
    return tuple(TaxedAmount(percent, gross[percent], vat[percent]) for percent in sorted(gross))


def vat_breakdown(
    lines: Sequence[tuple[int, int]], *, shipping_gross_cents: int = 0
) -> VatBreakdown:
    """The VAT of an order from its lines as (percent, taxable cents) and its shipping.

    A line's taxable amount is its total after its discount share; the summary per rate is the
    sum of its lines' and shipping parts' figures (see the module's docstring).
    """
    taxed = tuple(tax_line(taxable, percent) for percent, taxable in lines)
    shipping = shipping_vat(shipping_gross_cents, taxed)
    return VatBreakdown(lines=taxed, shipping=shipping, rates=_summary((*taxed, *shipping)))
