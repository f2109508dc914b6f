"""The numbering of invoices and credit notes, and the VAT a credit note reverses."""

import pytest

from shop.rules.invoices import DocumentKind, credit_vat, document_number
from shop.rules.vat import TaxedAmount

TRUFFLES_9 = TaxedAmount(percent=9, gross_cents=2180, vat_cents=180)
KIT_21 = TaxedAmount(percent=21, gross_cents=1210, vat_cents=210)


def test_invoice_numbers_are_the_year_and_six_digits():
    assert document_number(DocumentKind.INVOICE, 2026, 1) == "2026-000001"
    assert document_number(DocumentKind.CREDIT_NOTE, 2027, 42) == "C2027-000042"


def test_a_series_starts_at_one():
    with pytest.raises(ValueError):
        document_number(DocumentKind.INVOICE, 2026, 0)


def test_a_full_refund_reverses_exactly_the_vat_invoiced():
    assert credit_vat(3390, [TRUFFLES_9, KIT_21]) == (TRUFFLES_9, KIT_21)


def test_a_partial_refund_is_split_over_the_rates_in_proportion_and_adds_up():
    parts = credit_vat(1000, [TRUFFLES_9, KIT_21])

    assert sum(part.gross_cents for part in parts) == 1000
    assert [part.percent for part in parts] == [9, 21]
    # 1000 × 2180 / 3390 = 643.07 and 356.93: the cent left goes to the larger remainder.
    assert [part.gross_cents for part in parts] == [643, 357]
    assert [part.vat_cents for part in parts] == [53, 62]


def test_refunds_in_several_goes_reverse_exactly_the_vat_invoiced():
    first = credit_vat(1000, [TRUFFLES_9, KIT_21])
    second = credit_vat(1390, [TRUFFLES_9, KIT_21], first)
    last = credit_vat(1000, [TRUFFLES_9, KIT_21], first + second)

    for percent, invoiced in ((9, TRUFFLES_9), (21, KIT_21)):
        parts = [p for p in first + second + last if p.percent == percent]
        assert sum(p.gross_cents for p in parts) == invoiced.gross_cents
        assert sum(p.vat_cents for p in parts) == invoiced.vat_cents


def test_a_refund_beyond_what_is_left_is_refused():
    with pytest.raises(ValueError):
        credit_vat(3391, [TRUFFLES_9, KIT_21])


def test_nothing_to_split_gives_no_parts():
    assert credit_vat(0, [KIT_21]) == ()
    assert credit_vat(500, []) == ()
