"""Invoices and credit notes, and the counters that number them without gaps.

An invoice is issued once, in the transaction that marks its order paid; a credit note once
per refund, in the transaction that sees the refund succeed. Each takes the next number of
its series from a counter row (`document_counters`), bumped by an UPDATE inside that same
transaction: the row lock (PostgreSQL) or the write lock (SQLite) makes concurrent payments
wait their turn, and a transaction that fails takes its number back with it.

What is frozen on the row at issue: the number, the date and the seller's details (name,
address, KvK, VAT id) as the settings named them then, so an old invoice never changes when
the seller moves. The lines, the customer and the VAT are the order's own snapshot, which
never changes after placing; a credit note keeps its amount and VAT per rate itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, UTCDateTime
from shop.models.orders import Order
from shop.models.payments import Refund


class DocumentCounter(Base):
    """The last number given in one series: a kind of document in one calendar year."""

    __tablename__ = "document_counters"
    __table_args__ = (CheckConstraint("last_number >= 0", name="last_number_not_negative"),)

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(Base):
    """The invoice of one paid order."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The seller as the settings named them at issue (shop.web.invoices fills it in).
    seller: Mapped[dict[str, Any]] = mapped_column(JSON)

    order: Mapped[Order] = relationship()
    credit_notes: Mapped[list[CreditNote]] = relationship(
        back_populates="invoice", order_by="CreditNote.id"
    )


class CreditNote(Base):
    """The credit note of one succeeded refund of an invoiced order: the refunded amount and
    the VAT it reverses per rate, as ``[{"percent", "gross_cents", "vat_cents"}, …]``."""

    __tablename__ = "credit_notes"
    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT"), index=True
    )
    refund_id: Mapped[int] = mapped_column(
        ForeignKey("refunds.id", ondelete="RESTRICT"), unique=True
    )
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount_cents: Mapped[int] = mapped_column(Integer)
    vat_parts: Mapped[list[dict[str, int]]] = mapped_column(JSON)

    invoice: Mapped[Invoice] = relationship(back_populates="credit_notes")
    refund: Mapped[Refund] = relationship()
