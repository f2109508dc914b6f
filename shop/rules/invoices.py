"""Invoice and credit-note numbers, and the VAT a credit note reverses.

What belongs here: the numbering format and the arithmetic of a credit note; no database.

Numbering: each kind of document has its own series per calendar year in the shop's
timezone ("2026-000001" for invoices, "C2026-000001" for credit notes). Dutch law asks for
one unique, consecutive series and allows several; a separate series for credit notes keeps
each one without gaps. The sequence itself is counted in the database (one counter row per
series, bumped inside the transaction that issues the document).

A credit note reverses the refunded amount over the order's VAT rates in proportion to what
is still uncredited at each rate (largest remainder, so the parts add up to the refund
exactly); each part's VAT is found in it like a line's (`vat_in_gross`), except that a part
which credits all that is left at its rate takes all the VAT left at that rate. So a full
refund, in one go or in several, reverses exactly the VAT the invoice charged.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from shop.rules.money import allocate
from shop.rules.vat import TaxedAmount, vat_in_gross

__all__ = ["DocumentKind", "credit_vat", "document_number"]


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


_PREFIXES = {DocumentKind.INVOICE: "", DocumentKind.CREDIT_NOTE: "C"}


def document_number(kind: DocumentKind, year: int, sequence: int) -> str:
    """The printed number: the series' prefix, the year and the sequence in six digits."""
    if sequence < 1:
        raise ValueError(f"sequence must be at least 1, got {sequence}")
    return f"{_PREFIXES[kind]}{year}-{sequence:06d}"


def credit_vat(
    amount_cents: int,
    invoiced: Sequence[TaxedAmount],
    credited: Sequence[TaxedAmount] = (),
) -> tuple[TaxedAmount, ...]:
    """The refund of `amount_cents` split over the invoice's rates, each part with its VAT.

    `invoiced` is the invoice's summary per rate, `credited` the parts of earlier credit
    notes of the same invoice. Parts come in ascending order of rate, positive amounts (the
    credit note prints them negative); rates that get nothing are left out.
    """
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < 0:
        raise ValueError(f"amount_cents must be a non-negative int, got {amount_cents!r}")
    gross_left: dict[int, int] = {}
    vat_left: dict[int, int] = {}
    for rate in invoiced:
        gross_left[rate.percent] = gross_left.get(rate.percent, 0) + rate.gross_cents
        vat_left[rate.percent] = vat_left.get(rate.percent, 0) + rate.vat_cents
    for part in credited:
        gross_left[part.percent] = gross_left.get(part.percent, 0) - part.gross_cents
        vat_left[part.percent] = vat_left.get(part.percent, 0) - part.vat_cents
    percents = sorted(percent for percent, left in gross_left.items() if left > 0)
    if amount_cents == 0 or not percents:
        return ()
    if amount_cents > sum(gross_left[percent] for percent in percents):
        raise ValueError("the refund is more than is left to credit")
    shares = allocate(amount_cents, [gross_left[percent] for percent in percents])
    parts = []
    for percent, share in zip(percents, shares, strict=True):
        if not share:
            continue
        if share == gross_left[percent]:
            vat = vat_left[percent]
        else:
            vat = min(vat_in_gross(share, percent), vat_left[percent])
        parts.append(TaxedAmount(percent, share, vat))
    return tuple(parts)
