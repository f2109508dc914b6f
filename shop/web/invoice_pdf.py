"""An invoice or credit note as a PDF, drawn with fpdf2 from the same `Document` the page shows.

fpdf2 is pure Python (its dependencies are Pillow, which the shop already has, fontTools and
defusedxml), so it installs from PyPI with no system libraries. Its built-in Helvetica covers
Windows-1252, which holds the euro sign and the accents of Dutch and most Western names; a
character outside it (a name in another script) is printed without its accent, or as "?",
rather than failing the download.
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from fpdf import FPDF

from shop.web.formatting import format_money
from shop.web.invoices import Document

_ENCODING = "windows-1252"
_WIDTH = 182  # A4 less 14 mm margins each side


def _printable(text: str) -> str:
    text = text.replace("\u2212", "-")
    out = []
    for char in text:
        try:
            char.encode(_ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode(_ENCODING, "ignore").decode(_ENCODING)
            out.append(base or "?")
    return "".join(out)


class _Sheet(FPDF):
    def text_line(
        self,
        text: str,
        *,
        width: float = 0,
        align: str = "L",
        bold: bool = False,
        size: float = 10,
        height: float = 5.2,
    ) -> None:
        self.set_font("helvetica", "B" if bold else "", size)
        self.cell(
            width,
            height,
            _printable(text),
            align=align,
            new_x="RIGHT" if width else "LMARGIN",
            new_y="TOP" if width else "NEXT",
        )

    def row(
        self, cells: list[tuple[str, float, str]], *, bold: bool = False, rule: bool = True
    ) -> None:
        self.set_font("helvetica", "B" if bold else "", 9.5)
        for text, width, align in cells:
            self.cell(width, 6.5, _printable(text), align=align, border="B" if rule else 0)
        self.ln(6.5)


def render_pdf(document: Document) -> bytes:
    """The document as PDF bytes (A4, one column, amounts incl. VAT)."""
    order, seller, currency, sign = (
        document.order,
        document.seller,
        document.order.currency,
        document.sign,
    )

    def money(cents: int) -> str:
        return format_money(cents, currency)

    pdf = _Sheet(format="A4")
    pdf.core_fonts_encoding = _ENCODING
    pdf.set_margins(14, 16, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(_printable(f"{document.title} {document.number}"))
    pdf.set_author(_printable(seller.name))
    pdf.add_page()

    top = pdf.get_y()
    pdf.text_line(seller.name, bold=True, size=12, height=6)
    for text in (
        seller.street,
        f"{seller.postcode} {seller.town}",
        document.seller_country_name,
        _("KvK number: %(kvk)s", kvk=seller.kvk),
        _("VAT number: %(vat_id)s", vat_id=seller.vat_id),
        seller.email + (f" · {seller.phone}" if seller.phone else ""),
    ):
        pdf.text_line(text)
    bottom = pdf.get_y()
    pdf.set_y(top)
    for text in (
        order.customer_name,
        order.street,
        f"{order.postcode} {order.city}",
        document.country_name,
    ):
        pdf.set_x(120)
        pdf.text_line(text, width=76)
        pdf.ln(5.2)
    pdf.set_y(max(bottom, pdf.get_y()) + 8)

    pdf.text_line(f"{document.title} {document.number}", bold=True, size=16, height=9)
    is_credit = document.credit_note is not None
    facts = [
        (_("Credit note number") if is_credit else _("Invoice number"), document.number),
        (_("Credit note date") if is_credit else _("Invoice date"), document.date),
    ]
    if is_credit:
        facts.append((_("For invoice"), document.invoice.number))
    facts.append((_("Order number"), order.number or ""))
    for label, value in facts:
        pdf.text_line(label, width=45)
        pdf.text_line(value, bold=True)
    pdf.ln(4)

    if document.credit_note is not None:
        note = document.credit_note
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(
            0,
            5.2,
            _printable(
                _(
                    "We credit you for the refund of order %(order)s, invoiced with invoice "
                    "%(invoice)s.",
                    order=order.number,
                    invoice=document.invoice.number,
                )
            ),
        )
        pdf.ln(2)
        pdf.row([(_("Description"), 132, "L"), (_("Amount incl. VAT"), 50, "R")], bold=True)
        pdf.row([(_("Refund"), 132, "L"), (money(-note.amount_cents), 50, "R")])
        totals = [(_("Total credited incl. VAT"), money(-note.amount_cents), True)]
    else:
        widths = (78, 18, 34, 16, 36)
        heads = (_("Product"), _("Quantity"), _("Unit price incl. VAT"), _("VAT"), _("Total"))
        aligns = ("L", "R", "R", "R", "R")
        pdf.row(list(zip(heads, widths, aligns, strict=True)), bold=True)
        for line in order.lines:
            values = (
                line.product_name,
                str(line.quantity),
                money(line.unit_price_cents),
                f"{line.vat_percent}%" if line.vat_percent is not None else "-",
                money(line.line_total_cents),
            )
            pdf.row(list(zip(values, widths, aligns, strict=True)))
        totals = [(_("Subtotal"), money(order.subtotal_cents), False)]
        if order.discount_cents:
            label = (
                _("Discount (%(code)s)", code=order.promo_code_text)
                if order.promo_code_text
                else _("Discount")
            )
            totals.append((label, "-" + money(order.discount_cents), False))
        if document.shipping_cents:
            totals.append((_("Shipping"), money(document.shipping_cents), False))
        totals.append((_("Total incl. VAT"), money(order.total_cents), True))
    pdf.ln(2)
    for label, value, strong in totals:
        pdf.set_x(100)
        pdf.text_line(label, width=50, bold=strong)
        pdf.text_line(value, width=46, align="R", bold=strong)
        pdf.ln(5.6)
    pdf.ln(4)

    pdf.text_line(_("VAT summary"), bold=True, size=11, height=7)
    vat_widths = (40, 47, 47, 48)
    pdf.row(
        list(
            zip(
                (_("VAT rate"), _("Excl. VAT"), _("VAT"), _("Incl. VAT")),
                vat_widths,
                "LRRR",
                strict=True,
            )
        ),
        bold=True,
    )
    for rate in document.vat_rates:
        amounts = (
            f"{rate.percent}%",
            money(sign * rate.net_cents),
            money(sign * rate.vat_cents),
            money(sign * rate.gross_cents),
        )
        pdf.row(list(zip(amounts, vat_widths, "LRRR", strict=True)))
    if not document.vat_rates:
        pdf.text_line(_("VAT not recorded for this order."))
    if not is_credit:
        pdf.ln(6)
        pdf.text_line(_("Paid in full on %(date)s. Thank you for your order.", date=document.date))
    return bytes(pdf.output())
