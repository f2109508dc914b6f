"""Issuing invoices and credit notes, and finding them for their pages.

`issue_invoice` runs inside the transaction that marks an order paid, `issue_credit_note`
inside the one that sees a refund succeed; neither commits (the caller does, once). The
number comes from the series' counter row, bumped by `UPDATE … SET last_number =
last_number + 1 … RETURNING`: the row stays locked until the paying transaction ends, so
numbers follow the order in which payments commit, and a transaction that fails gives its
number back with everything else (no gaps). See `shop.rules.invoices` for the format.

The series' year is the calendar year in Dutch time, whatever the shop's display timezone:
the numbering is a fiscal record of a Dutch seller.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.expression import Executable

from shop.db import built_once, dialect_upsert
from shop.models import (
    CreditNote,
    DocumentCounter,
    Invoice,
    Order,
    PaymentAttempt,
    Refund,
    RefundStatus,
)
from shop.rules.invoices import DocumentKind, credit_vat, document_number
from shop.rules.vat import TaxedAmount

log = logging.getLogger(__name__)

SERIES_TIMEZONE = ZoneInfo("Europe/Amsterdam")


@built_once
def _take_number(dialect: str) -> Executable:
    return (
        dialect_upsert(dialect, DocumentCounter)
        .on_conflict_do_update(
            index_elements=["kind", "year"],
            set_={"last_number": DocumentCounter.last_number + 1},
        )
        .returning(DocumentCounter.last_number)
    )


def next_number(session: Session, kind: DocumentKind, year: int) -> int:
    """Take the next number of a series, in the caller's (write) transaction: one upsert,
    which creates the year's counter at 1 or bumps it, locking its row either way."""
    number = session.execute(
        _take_number(session), {"kind": str(kind), "year": year, "last_number": 1}
    ).scalar_one()
    return int(number)


def issue_invoice(
    session: Session,
    order: Order,
    *,
    now: datetime,
    first_payment: bool = False,
    early_refunds: bool = True,
) -> Invoice:
    """Number the invoice of an order that has just been paid (once: a second call finds it),
    and the credit notes of refunds that succeeded before the payment was recorded.
    `first_payment`: the caller has just claimed the order's first payment, so there is no
    invoice to find; `early_refunds=False`: the caller knows no refund of it exists."""
    if not first_payment:
        invoice = session.scalars(select(Invoice).where(Invoice.order_id == order.id)).first()
        if invoice is not None:
            return invoice
    year = now.astimezone(SERIES_TIMEZONE).year
    sequence = next_number(session, DocumentKind.INVOICE, year)
    invoice = Invoice(
        order_id=order.id,
        number=document_number(DocumentKind.INVOICE, year, sequence),
        year=year,
        sequence=sequence,
        issued_at=now,
        seller={},  # frozen from the settings as the row is written (shop.web.invoices)
    )
    session.add(invoice)
    session.flush()
    if not early_refunds:
        return invoice
    early = session.scalars(
        select(Refund)
        .join(PaymentAttempt, PaymentAttempt.id == Refund.payment_attempt_id)
        .where(
            Refund.order_id == order.id,
            Refund.status == RefundStatus.SUCCEEDED,
            PaymentAttempt.intent_id == order.paid_intent_id,
        )
        .order_by(Refund.id)
    ).all()
    for refund in early:
        issue_credit_note(session, refund, order, now=now)
    return invoice


def _parts(note: CreditNote) -> list[TaxedAmount]:
    return [TaxedAmount(p["percent"], p["gross_cents"], p["vat_cents"]) for p in note.vat_parts]


def issue_credit_note(
    session: Session, refund: Refund, order: Order, *, now: datetime
) -> CreditNote | None:
    """Number the credit note of a refund that has succeeded, once. None when there is no
    invoice to credit: the order is not paid yet (its invoice catches up), or the refund
    returns an extra payment (an order paid twice), which no invoice ever charged."""
    if refund.status != RefundStatus.SUCCEEDED:
        return None
    session.flush()
    invoice = session.scalars(select(Invoice).where(Invoice.order_id == order.id)).first()
    if invoice is None:
        return None
    paid_by = session.scalar(
        select(PaymentAttempt.id).where(PaymentAttempt.intent_id == order.paid_intent_id)
    )
    if paid_by is None or refund.payment_attempt_id != paid_by:
        return None
    existing = session.scalars(select(CreditNote).where(CreditNote.refund_id == refund.id)).first()
    if existing is not None:
        return existing
    earlier = session.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice.id)).all()
    invoiced = [TaxedAmount(v.vat_percent, v.gross_cents, v.vat_cents) for v in order.vat_lines]
    try:
        parts = credit_vat(
            refund.amount_cents, invoiced, [p for note in earlier for p in _parts(note)]
        )
    except ValueError:
        # More back than the invoice charged (a refund made by hand at the provider): the
        # note still records the money; its VAT is for staff to correct.
        log.warning("refund %s exceeds what invoice %s has left", refund.id, invoice.number)
        parts = ()
    year = now.astimezone(SERIES_TIMEZONE).year
    sequence = next_number(session, DocumentKind.CREDIT_NOTE, year)
    note = CreditNote(
        invoice_id=invoice.id,
        refund_id=refund.id,
        number=document_number(DocumentKind.CREDIT_NOTE, year, sequence),
        year=year,
        sequence=sequence,
        issued_at=now,
        amount_cents=refund.amount_cents,
        vat_parts=[
            {"percent": p.percent, "gross_cents": p.gross_cents, "vat_cents": p.vat_cents}
            for p in parts
        ],
    )
    session.add(note)
    session.flush()
    return note


def invoice_of(session: Session, order_id: int) -> Invoice | None:
    """The invoice of an order with its lines, VAT and credit notes; None if not invoiced."""
    return session.scalars(
        select(Invoice)
        .where(Invoice.order_id == order_id)
        .options(
            selectinload(Invoice.order).selectinload(Order.lines),
            selectinload(Invoice.order).selectinload(Order.vat_lines),
            selectinload(Invoice.credit_notes),
        )
    ).first()


def credit_note_parts(note: CreditNote) -> list[TaxedAmount]:
    """The VAT a credit note reverses, per rate (positive amounts)."""
    return _parts(note)


def document_numbers(session: Session, order_id: int) -> tuple[str | None, list[str]]:
    """The order's invoice number (None if not invoiced) and its credit notes' numbers in
    the order they were issued: one query, however many refunds."""
    rows = session.execute(
        select(Invoice.number, CreditNote.number)
        .outerjoin(CreditNote, CreditNote.invoice_id == Invoice.id)
        .where(Invoice.order_id == order_id)
        .order_by(CreditNote.id)
    ).all()
    if not rows:
        return None, []
    return rows[0][0], [note for _invoice, note in rows if note is not None]
