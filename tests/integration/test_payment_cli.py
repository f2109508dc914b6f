"""The payment commands staff run by hand or from cron: refund, reconcile, send e-mails."""

from __future__ import annotations

from sqlalchemy import select

from shop import clock
from shop.models import EmailStatus, OrderStatus, OutboxEmail, Product
from shop.payments import gateway_for
from shop.payments.test_gateway import local_webhook_secret
from shop.services.payments import pay_in_test_mode
from tests.helpers import make_product
from tests.integration.payment_support import place


def paid_order(app, session, product):
    order = place(session, product, 2)
    pay_in_test_mode(
        session,
        gateway_for(app.config),
        order,
        succeed=True,
        secret=local_webhook_secret(app.config["SECRET_KEY"]),
        now=clock.now(),
    )
    session.rollback()
    return session.get(type(order), order.id)


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_orders_refund_refunds_part_then_the_rest(app, session):
    product = make_product(session, price_cents=1500, stock=5)
    order = paid_order(app, session, product)

    first = run(app, "orders", "refund", order.number, "--amount-cents", "1000")
    rest = run(app, "orders", "refund", order.number, "--restock")

    assert first.exit_code == 0, first.output
    assert "Refunded € 10,00" in first.output or "Refunded €10.00" in first.output
    assert rest.exit_code == 0, rest.output
    session.rollback()
    refunded = session.get(type(order), order.id)
    assert refunded.status == OrderStatus.REFUNDED
    assert refunded.refunded_cents == 3000
    assert session.get(Product, product.id).stock == 5


def test_orders_refund_of_an_unknown_or_unpaid_order_says_why(app, session):
    product = make_product(session)
    unpaid = place(session, product)

    unknown = run(app, "orders", "refund", "2099-999999")
    not_paid = run(app, "orders", "refund", unpaid.number)

    assert unknown.exit_code == 2 and "no order numbered" in unknown.output
    assert not_paid.exit_code == 2 and "cannot be refunded" in not_paid.output


def test_payments_reconcile_in_test_mode_finds_nothing_to_apply(app, session):
    place(session, make_product(session))

    result = run(app, "payments", "reconcile")

    assert result.exit_code == 0, result.output
    assert "Marked 0 order(s) paid" in result.output


def test_outbox_send_retries_a_failed_email_once(app, session):
    paid_order(app, session, make_product(session))
    email = session.scalars(select(OutboxEmail)).one()
    email.status = EmailStatus.FAILED
    session.commit()

    first = run(app, "outbox", "send")
    second = run(app, "outbox", "send")

    assert "Sent 1 e-mail(s) (1 retried)" in first.output
    assert "Sent 0 e-mail(s) (0 retried)" in second.output
    session.rollback()
    assert session.scalars(select(OutboxEmail.status)).one() == EmailStatus.LOGGED
