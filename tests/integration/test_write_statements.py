"""The one-statement writes of a checkout and a payment event (issue 18) keep their
guarantees: an e-mail's event is told once, a series' numbers start at 1 and follow on
without gaps per year, and an order's lines, warnings and VAT lines are all written."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from shop.db import begin_write
from shop.models import AcknowledgedWarning, OrderLine, OrderVatLine, OutboxEmail
from shop.rules.invoices import DocumentKind
from shop.services.emails import ORDER_CONFIRMATION, queue_email
from shop.services.invoices import next_number
from tests.helpers import make_product
from tests.integration.test_checkout_service import checkout

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_an_orders_lines_warnings_and_vat_lines_are_written_by_the_multi_row_inserts(
    session,
):
    first = make_product(session, slug="first-kit", price_cents=1500)
    second = make_product(session, slug="second-kit", price_cents=2500)
    order = checkout(session, {first.id: 2, second.id: 1})
    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position)
    ).all()
    assert [(line.product_id, line.quantity) for line in lines] == [(first.id, 2), (second.id, 1)]
    for line in lines:
        assert line.warnings, "every line keeps the warnings the customer acknowledged"
        assert [w.position for w in line.warnings] == list(range(len(line.warnings)))
    warnings = session.scalar(
        select(func.count())
        .select_from(AcknowledgedWarning)
        .join(OrderLine, OrderLine.id == AcknowledgedWarning.order_line_id)
        .where(OrderLine.order_id == order.id)
    )
    assert warnings == sum(len(line.warnings) for line in lines)
    vat = session.scalars(select(OrderVatLine).where(OrderVatLine.order_id == order.id)).all()
    assert sum(v.gross_cents for v in vat) == order.total_cents
    assert order.number is not None and order.number.endswith(f"-{order.id:06d}")


def test_an_emails_event_is_queued_once_however_often_it_is_told(session):
    product = make_product(session, slug="told-once")
    order = checkout(session, {product.id: 1})
    begin_write(session)
    assert queue_email(session, order, ORDER_CONFIRMATION, now=NOW) is True
    assert queue_email(session, order, ORDER_CONFIRMATION, now=NOW) is False
    session.commit()
    begin_write(session)
    assert queue_email(session, order, ORDER_CONFIRMATION, now=NOW) is False
    session.commit()
    queued = session.scalar(
        select(func.count()).select_from(OutboxEmail).where(OutboxEmail.order_id == order.id)
    )
    assert queued == 1


def test_a_series_starts_at_one_each_year_and_counts_on_without_gaps(session):
    begin_write(session)
    numbers = [next_number(session, DocumentKind.INVOICE, 2031) for _ in range(3)]
    numbers.append(next_number(session, DocumentKind.INVOICE, 2032))
    numbers.append(next_number(session, DocumentKind.CREDIT_NOTE, 2031))
    session.rollback()  # a transaction that fails gives its numbers back
    begin_write(session)
    again = next_number(session, DocumentKind.INVOICE, 2031)
    session.commit()
    assert numbers == [1, 2, 3, 1, 1]
    assert again == 1
