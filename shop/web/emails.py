"""The words of the shop's e-mails: rendered from `templates/email/` in the language the
order was placed in, when the e-mail is sent (`shop.services.emails` asks for them). Each
e-mail links to the customer's order page by its unguessable token, the same link
checkout led to, at the shop's public address (`SHOP_BASE_URL`)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from shop.models import (
    CreditNote,
    Invoice,
    Order,
    OrderLine,
    OrderVatLine,
    OutboxEmail,
    PaymentAttempt,
    Refund,
)
from shop.rules.tracking import tracking_url
from shop.services import emails
from shop.services.catalog import first_picture_ids
from shop.services.emails import WrittenEmail


def _public_url(endpoint: str, values: dict[str, Any] | None = None) -> str:
    # Built from the URL map, not `url_for`: `flask outbox send` has no request to build in.
    path = current_app.url_map.bind("localhost").build(endpoint, values or {})
    return current_app.config["SHOP_BASE_URL"].rstrip("/") + path


def order_page_url(order: Order) -> str:
    """The absolute address of the customer's order page: the token is the key to it."""
    return _public_url("orders.show", {"token": order.token})


def document_url(endpoint: str, **values: Any) -> str:
    """The absolute address of an invoice or credit note (behind the order's token)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["SHOP_BASE_URL"].rstrip("/") + path


def _invoice_link(session: Session, order: Order) -> dict[str, Any]:
    number = session.scalar(select(Invoice.number).where(Invoice.order_id == order.id))
    if number is None:
        return {}
    return {
        "invoice_number": number,
        "invoice_url": document_url("invoices.invoice_page", token=order.token),
    }


def _credit_note_link(session: Session, order: Order, refund: Refund) -> dict[str, Any]:
    note = session.scalars(select(CreditNote).where(CreditNote.refund_id == refund.id)).first()
    if note is None:
        return {}
    position = session.scalar(
        select(func.count(CreditNote.id)).where(
            CreditNote.invoice_id == note.invoice_id, CreditNote.id <= note.id
        )
    )
    return {
        "credit_note_number": note.number,
        "credit_note_url": document_url(
            "invoices.credit_note_page", token=order.token, position=position
        ),
    }


def order_tracking_url(order: Order) -> str | None:
    """The carrier's page for the order's parcel, if the carrier is one the shop knows."""
    return tracking_url(
        order.carrier, order.tracking_code, country=order.country, postcode=order.postcode
    )


def refund_destination(payment_method: str) -> str:
    """Where refunded money goes, in words: to the card or bank account the customer paid
    with, as far as the payment said how."""
    if payment_method == "card":
        return _("to the card you paid with")
    if payment_method == "ideal":
        return _("to the bank account you paid from with iDEAL")
    if payment_method == "bancontact":
        return _("to the account you paid from with Bancontact")
    return _("to the account you paid with")


def _subject(kind: str, order: Order) -> str:
    number = order.number
    if kind == emails.ORDER_SHIPPED:
        return _("Your order %(number)s is on its way", number=number)
    if kind == emails.ORDER_REFUNDED:
        return _("We refunded money for your order %(number)s", number=number)
    if kind == emails.ORDER_CANCELLED:
        return _("Your order %(number)s was cancelled", number=number)
    if kind == emails.ORDER_EXPIRED:
        return _("Your order %(number)s has expired", number=number)
    return _("Your order %(number)s is paid", number=number)


def _with_lines(session: Session, order: Order) -> None:
    # The lines and the warnings acknowledged, two queries whatever the order's size.
    lines = session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.position)
        .options(selectinload(OrderLine.warnings))
    ).all()
    set_committed_value(order, "lines", list(lines))
    # The VAT per rate: one query more, whatever the order's size.
    vat_lines = session.scalars(
        select(OrderVatLine)
        .where(OrderVatLine.order_id == order.id)
        .order_by(OrderVatLine.vat_percent)
    ).all()
    set_committed_value(order, "vat_lines", list(vat_lines))


def write_email(session: Session, email: OutboxEmail) -> WrittenEmail:
    """The words of an outbox e-mail, in the language its order was placed in."""
    order = session.get(Order, email.order_id)
    assert order is not None  # the outbox row is deleted with its order
    context: dict[str, Any] = {
        "order": order,
        "locale": order.locale,
        "order_url": order_page_url(order),
        # The right of withdrawal and its model form, as the law wants them confirmed.
        "returns_url": _public_url("pages.returns"),
    }
    if email.kind == emails.ORDER_CONFIRMATION:
        _with_lines(session, order)
        context.update(_invoice_link(session, order))
        ordered = {line.product_id for line in order.lines if line.product_id is not None}
        context["pictures"] = first_picture_ids(session, ordered) if ordered else {}
    elif email.kind == emails.ORDER_SHIPPED:
        context["tracking_url"] = order_tracking_url(order)
    elif email.kind == emails.ORDER_REFUNDED:
        refund = session.get(Refund, email.refund_id) if email.refund_id else None
        assert refund is not None  # refund rows are kept (a twin hands its e-mails on)
        attempt = (
            session.get(PaymentAttempt, refund.payment_attempt_id)
            if refund.payment_attempt_id
            else None
        )
        context["refund"] = refund
        context.update(_credit_note_link(session, order, refund))
        context["payment_method"] = attempt.payment_method if attempt else ""
    template = email.kind if email.kind in _TEMPLATES else emails.ORDER_CONFIRMATION
    with force_locale(order.locale):
        if "payment_method" in context:
            context["refund_destination"] = refund_destination(context["payment_method"])
        return WrittenEmail(
            subject=_subject(email.kind, order),
            text=render_template(f"email/{template}.txt", **context),
            html=render_template(f"email/{template}.html", **context),
        )


_TEMPLATES = frozenset(
    {
        emails.ORDER_CONFIRMATION,
        emails.ORDER_SHIPPED,
        emails.ORDER_REFUNDED,
        emails.ORDER_CANCELLED,
        emails.ORDER_EXPIRED,
    }
)
