"""The words of the shop's e-mails: rendered from `templates/email/` in the language the
order was placed in, when the e-mail is sent (`shop.services.emails` asks for them)."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from shop.models import Order, OrderLine, OrderVatLine, OutboxEmail
from shop.services.emails import WrittenEmail


def write_email(session: Session, email: OutboxEmail) -> WrittenEmail:
    """The words of an outbox e-mail (today: the order confirmation), in the language its
    order was placed in."""
    order = session.get(Order, email.order_id)
    assert order is not None  # the outbox row is deleted with its order
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
    with force_locale(order.locale):
        return WrittenEmail(
            subject=_("Your order %(number)s is paid", number=order.number),
            text=render_template("email/order_confirmation.txt", order=order, locale=order.locale),
            html=render_template("email/order_confirmation.html", order=order, locale=order.locale),
        )
