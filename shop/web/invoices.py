"""The invoice and credit notes of a paid order: printable pages and PDFs.

Reached with the order page's own link (`/orders/<token>/invoice`), so whoever may see the
order may see its invoice and nobody else; an order without an invoice (not paid) answers
404. Staff open the same documents from the back office (`shop.web.admin.orders`).

The seller's details are frozen on the invoice as it is written: a listener on the session
fills an invoice row's empty `seller` from the running app's `SHOP_SELLER_*` settings in the
flush that inserts it, whichever service issued it (the webhook, the test gateway, the
command line), so the paying transaction stays the one place an invoice is made.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    has_app_context,
    render_template,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.models import CreditNote, Invoice, Order
from shop.rules.vat import TaxedAmount
from shop.services.invoices import credit_note_parts, invoice_of
from shop.services.orders.holds import OrderNotFound, order_for_customer
from shop.web.formatting import format_local_date
from shop.web.seller import Seller, seller_from

bp = Blueprint("invoices", __name__)


@dataclass(frozen=True)
class Document:
    """What an invoice or credit note shows, whoever renders it (page or PDF)."""

    kind: str  # "invoice" or "credit_note"
    title: str
    number: str
    date: str
    invoice: Invoice
    order: Order
    seller: Seller
    country_name: str
    seller_country_name: str
    # The VAT summary per rate: the invoice's, or what the credit note reverses.
    vat_rates: list[TaxedAmount]
    credit_note: CreditNote | None = None
    shipping_cents: int | None = None

    @property
    def sign(self) -> int:
        return -1 if self.credit_note is not None else 1


def frozen_seller(invoice: Invoice) -> Seller:
    """The seller as the invoice was issued by. A detail added to `Seller` after the invoice
    was issued reads as empty on it, never as today's value."""
    frozen = invoice.seller
    return Seller(**{field.name: frozen.get(field.name) or "" for field in fields(Seller)})


def _freeze_seller(session: Session, _context: Any, _instances: Any) -> None:
    if not has_app_context():
        return
    for row in session.new:
        if isinstance(row, Invoice) and not row.seller:
            row.seller = asdict(seller_from(current_app.config))


def register(app: Flask) -> None:
    """Serve the documents and freeze the seller on every invoice written."""
    if not event.contains(Session, "before_flush", _freeze_seller):
        event.listen(Session, "before_flush", _freeze_seller)
    app.register_blueprint(bp)


def _order_and_invoice(token: str) -> tuple[Order, Invoice]:
    try:
        order = order_for_customer(db.session(), token, now=clock.now())
    except OrderNotFound:
        abort(404)
    invoice = invoice_of(db.session(), order.id)
    if invoice is None:
        abort(404)
    return order, invoice


def _locale() -> str:
    return str(get_locale())


def invoice_document(invoice: Invoice) -> Document:
    """The invoice as its page and PDF show it."""
    order = invoice.order
    seller = frozen_seller(invoice)
    return Document(
        kind="invoice",
        title=_("Invoice"),
        number=invoice.number,
        date=format_local_date(invoice.issued_at, "d MMMM y"),
        invoice=invoice,
        order=order,
        seller=seller,
        country_name=get_locale().territories.get(order.country, order.country),
        seller_country_name=seller.country(_locale()),
        vat_rates=[TaxedAmount(v.vat_percent, v.gross_cents, v.vat_cents) for v in order.vat_lines],
        # Shipping is another part's (issue 16); shown once the order records it.
        shipping_cents=getattr(order, "shipping_cents", None) or None,
    )


def credit_note_document(invoice: Invoice, position: int) -> Document:
    """The `position`-th credit note (from 1) of an invoice; 404 when there is none."""
    if not 1 <= position <= len(invoice.credit_notes):
        abort(404)
    note = invoice.credit_notes[position - 1]
    base = invoice_document(invoice)
    return Document(
        kind="credit_note",
        title=_("Credit note"),
        number=note.number,
        date=format_local_date(note.issued_at, "d MMMM y"),
        invoice=invoice,
        order=base.order,
        seller=base.seller,
        country_name=base.country_name,
        seller_country_name=base.seller_country_name,
        vat_rates=credit_note_parts(note),
        credit_note=note,
    )


def page_response(document: Document, *, back_url: str, pdf_url: str) -> Response:
    """The document's printable page, with a way back and a way to the PDF."""
    response = current_app.make_response(
        render_template(
            "invoices/document.html", document=document, back_url=back_url, pdf_url=pdf_url
        )
    )
    # The address is the key to the order: never hand it to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def pdf_response(document: Document) -> Response:
    """The document as a PDF, shown in the browser (or saved under its number)."""
    from shop.web.invoice_pdf import render_pdf

    response = current_app.response_class(render_pdf(document), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/orders/<token>/invoice")
def invoice_page(token: str) -> Response:
    """Show the order's invoice, ready to print."""
    _order, invoice = _order_and_invoice(token)
    return page_response(
        invoice_document(invoice),
        back_url=url_for("orders.show", token=token),
        pdf_url=url_for("invoices.invoice_pdf", token=token),
    )


@bp.get("/orders/<token>/invoice.pdf")
def invoice_pdf(token: str) -> Response:
    """Send the order's invoice as a PDF."""
    _order, invoice = _order_and_invoice(token)
    return pdf_response(invoice_document(invoice))


@bp.get("/orders/<token>/credit-notes/<int:position>")
def credit_note_page(token: str, position: int) -> Response:
    """Show one credit note of the order, ready to print."""
    _order, invoice = _order_and_invoice(token)
    return page_response(
        credit_note_document(invoice, position),
        back_url=url_for("orders.show", token=token),
        pdf_url=url_for("invoices.credit_note_pdf", token=token, position=position),
    )


@bp.get("/orders/<token>/credit-notes/<int:position>.pdf")
def credit_note_pdf(token: str, position: int) -> Response:
    """Send one credit note of the order as a PDF."""
    _order, invoice = _order_and_invoice(token)
    return pdf_response(credit_note_document(invoice, position))
