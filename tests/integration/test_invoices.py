"""Invoices and credit notes: numbered without gaps when an order is paid and when a refund
succeeds, shown as a printable page and a PDF behind the order's own link, with the seller's
details as they were at issue, the lines and the VAT per rate; linked from the order page and
the e-mails. The test gateway plays Stripe; e-mails go to the log mailer.
"""

from __future__ import annotations

import io
import re
import threading
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from shop import clock
from shop.db import begin_write
from shop.extensions import db
from shop.mail import mailer_for
from shop.models import CreditNote, Invoice, Order, OutboxEmail, Role
from shop.payments import gateway_for
from shop.payments import test_gateway as test_mode
from shop.rules.age import local_today
from shop.rules.invoices import DocumentKind
from shop.services.emails import ORDER_CONFIRMATION, ORDER_REFUNDED, send_pending_emails
from shop.services.invoices import next_number
from shop.services.orders.holds import expire_due_orders
from shop.services.orders.placing import place_order
from shop.services.orders.refunds import refund_order
from shop.services.payments import pay_in_test_mode
from shop.web.emails import write_email
from tests.admin_support import signed_in
from tests.helpers import AMSTERDAM, checkout_request, make_product, pass_age_gate
from tests.integration.payment_support import (
    POLICY,
    event_body,
    fresh_order,
    intent_object,
    place,
    post_event,
    record_intent,
)
from tests.pages import Page


@pytest.fixture
def app_settings(app_settings):  # type: ignore[no-untyped-def]
    # Threads of the concurrency test each hold a connection while they wait their turn.
    app_settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 12, "max_overflow": 8}
    return app_settings


@pytest.fixture
def truffles(session):  # type: ignore[no-untyped-def]
    """Food: the reduced rate (9 %)."""
    return make_product(
        session,
        "Truffels Mexicana",
        name_nl="Truffels Mexicana",
        price_cents=1090,
        stock=50,
        vat_rate="reduced",
    )


@pytest.fixture
def kit(session):  # type: ignore[no-untyped-def]
    """A grow kit: the standard rate (21 %)."""
    return make_product(session, "Grow kit", name_nl="Kweekset", price_cents=1210, stock=50)


@pytest.fixture
def customer(app):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    pass_age_gate(browser)
    return browser


def pay(app, session, order: Order) -> Order:  # type: ignore[no-untyped-def]
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    outcome = pay_in_test_mode(
        session, test_mode.TestGateway(), order, succeed=True, secret=secret, now=clock.now()
    )
    assert outcome.text == "paid"
    return fresh_order(session, order.id)


def mixed_order(app, session, truffles, kit, *, locale: str = "en") -> Order:  # type: ignore[no-untyped-def]
    """2 × truffles at 9 % (€ 21,80, VAT € 1,80) and 1 grow kit at 21 % (€ 12,10, VAT € 2,10)."""
    now = clock.now()
    request = checkout_request({truffles.id: 2, kit.id: 1}, locale=locale)
    order = place_order(session, request, POLICY, today=local_today(now, AMSTERDAM), now=now)
    return pay(app, session, order)


def invoice_of(session, order: Order) -> Invoice | None:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalars(select(Invoice).where(Invoice.order_id == order.id)).first()


def text_of(browser, path: str) -> str:  # type: ignore[no-untyped-def]
    response = browser.get(path)
    assert response.status_code == 200, response.status_code
    return Page.of(response).text


def pdf_text(browser, path: str, **options) -> str:  # type: ignore[no-untyped-def]
    response = browser.get(path, **options)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def this_year() -> int:
    return clock.now().astimezone(AMSTERDAM).year


# --- numbering -----------------------------------------------------------------------------


def test_paid_orders_take_the_next_number_and_unpaid_or_expired_ones_take_none(
    app, session, truffles
):
    first = pay(app, session, place(session, truffles, 1))
    unpaid = place(session, truffles, 1)
    expired = place(session, truffles, 1, now=clock.now() - timedelta(hours=2))
    expire_due_orders(session, now=clock.now())
    second = pay(app, session, place(session, truffles, 1))

    year = this_year()
    assert invoice_of(session, first).number == f"{year}-000001"
    assert invoice_of(session, second).number == f"{year}-000002"
    assert invoice_of(session, unpaid) is None
    assert invoice_of(session, expired) is None


def test_a_payment_reported_twice_is_invoiced_once(app, client, session, truffles):
    order = place(session, truffles, 1)
    record_intent(session, order)
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])

    for _ in range(2):
        body = event_body("payment_intent.succeeded", intent_object(order))
        assert post_event(client, body, secret=secret).status_code == 200

    session.rollback()
    assert [i.sequence for i in session.scalars(select(Invoice))] == [1]


def test_a_number_taken_in_a_transaction_that_fails_is_given_back(app, session):
    begin_write(session)
    assert next_number(session, DocumentKind.INVOICE, 2026) == 1
    session.rollback()

    begin_write(session)
    assert next_number(session, DocumentKind.INVOICE, 2026) == 1
    assert next_number(session, DocumentKind.INVOICE, 2026) == 2
    assert next_number(session, DocumentKind.CREDIT_NOTE, 2026) == 1
    assert next_number(session, DocumentKind.INVOICE, 2027) == 1
    session.commit()


def test_a_payment_that_lands_after_expiry_is_invoiced_too(app, client, session, truffles):
    order = place(session, truffles, 1, now=clock.now() - timedelta(hours=2))
    record_intent(session, order)
    expire_due_orders(session, now=clock.now())
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])

    body = event_body("payment_intent.succeeded", intent_object(order))
    assert post_event(client, body, secret=secret).status_code == 200

    assert invoice_of(session, order).number == f"{this_year()}-000001"


@pytest.mark.postgres_only
def test_payments_at_the_same_moment_get_consecutive_numbers_without_gaps(app, session, truffles):
    order_ids = [place(session, truffles, 1).id for _ in range(8)]
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    session.rollback()
    barrier = threading.Barrier(len(order_ids))
    outcomes: dict[int, object] = {}

    def pay_one(order_id: int) -> None:
        with app.app_context():
            try:
                order = db.session.get(Order, order_id)
                db.session.rollback()
                barrier.wait(timeout=30)
                outcomes[order_id] = pay_in_test_mode(
                    db.session,
                    test_mode.TestGateway(),
                    order,
                    succeed=True,
                    secret=secret,
                    now=clock.now(),
                ).text
            except Exception as error:
                outcomes[order_id] = error

    threads = [threading.Thread(target=pay_one, args=(i,), daemon=True) for i in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert set(outcomes.values()) == {"paid"}, outcomes
    session.rollback()
    sequences = sorted(session.scalars(select(Invoice.sequence)))
    assert sequences == list(range(1, len(order_ids) + 1))


# --- the invoice ---------------------------------------------------------------------------


def test_the_invoice_shows_seller_customer_lines_and_vat_per_rate(
    app, session, customer, truffles, kit
):
    order = mixed_order(app, session, truffles, kit)

    text = text_of(customer, f"/orders/{order.token}/invoice")

    number = f"{this_year()}-000001"
    assert f"Invoice {number}" in text
    assert f"Order number {order.number}" in text
    assert "Testpaddo B.V." in text
    assert "Proefweg 7 3511 AA Utrecht" in text
    assert "KvK number: 12345678" in text
    assert "VAT number: NL123456789B01" in text
    assert "Ann de Vries Prinsengracht 263 1016 GV Amsterdam" in text
    assert "Truffels Mexicana 2 €10.90 9% €21.80" in text
    assert "Grow kit 1 €12.10 21% €12.10" in text
    assert "Total incl. VAT €33.90" in text
    assert "9% €20.00 €1.80 €21.80" in text
    assert "21% €10.00 €2.10 €12.10" in text


def test_the_invoice_pdf_shows_the_same(app, session, customer, truffles, kit):
    order = mixed_order(app, session, truffles, kit)

    text = pdf_text(customer, f"/orders/{order.token}/invoice.pdf")

    assert f"Invoice {this_year()}-000001" in text
    assert "Testpaddo B.V." in text
    assert "KvK number: 12345678" in text
    assert "VAT number: NL123456789B01" in text
    assert "Ann de Vries" in text
    assert "Truffels Mexicana" in text
    assert "9% €20.00 €1.80 €21.80" in text
    assert "21% €10.00 €2.10 €12.10" in text
    assert "€33.90" in text


def test_the_invoice_speaks_dutch_to_a_dutch_reader(app, session, customer, truffles, kit):
    order = mixed_order(app, session, truffles, kit, locale="nl")
    path = f"/orders/{order.token}/invoice"

    page = Page.of(customer.get(path, headers={"Accept-Language": "nl"})).text
    pdf = pdf_text(customer, path + ".pdf", headers={"Accept-Language": "nl"})

    number = f"{this_year()}-000001"
    for text in (page, pdf):
        assert f"Factuur {number}" in text
        assert "KvK-nummer: 12345678" in text
        assert "Btw-nummer: NL123456789B01" in text
        assert "9% € 20,00 € 1,80 € 21,80" in text


def test_an_invoice_keeps_the_seller_it_was_issued_by(app, session, customer, truffles):
    order = pay(app, session, place(session, truffles, 1))
    app.config["SHOP_SELLER_STREET"] = "Nieuwe Weg 99"

    text = text_of(customer, f"/orders/{order.token}/invoice")

    assert "Proefweg 7" in text
    assert "Nieuwe Weg 99" not in text


def test_an_unpaid_order_has_no_invoice(session, customer, truffles):
    order = place(session, truffles, 1)

    for path in ("invoice", "invoice.pdf", "credit-notes/1", "credit-notes/1.pdf"):
        assert customer.get(f"/orders/{order.token}/{path}").status_code == 404


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 65, "abc$"])
def test_no_invoice_without_the_orders_own_link(app, session, customer, truffles, token):
    pay(app, session, place(session, truffles, 1))

    assert customer.get(f"/orders/{token}/invoice").status_code == 404
    assert customer.get(f"/orders/{token}/invoice.pdf").status_code == 404


def test_one_customers_link_opens_only_their_own_invoice(app, session, customer, truffles, kit):
    ann = pay(app, session, place(session, truffles, 1))
    other = pay(app, session, place(session, kit, 1))

    text = text_of(customer, f"/orders/{ann.token}/invoice")

    assert ann.number in text and other.number not in text
    assert "Grow kit" not in text


# --- credit notes --------------------------------------------------------------------------


def test_each_succeeded_refund_gets_a_credit_note_reversing_its_share_of_vat(
    app, session, customer, truffles, kit
):
    order = mixed_order(app, session, truffles, kit)
    gateway = gateway_for(app.config)

    refund_order(session, gateway, order.id, amount_cents=1000, now=clock.now())
    refund_order(session, gateway, order.id, now=clock.now())

    session.rollback()
    notes = list(session.scalars(select(CreditNote).order_by(CreditNote.id)))
    year = this_year()
    assert [n.number for n in notes] == [f"C{year}-000001", f"C{year}-000002"]
    assert [n.amount_cents for n in notes] == [1000, 2390]
    for note in notes:
        assert sum(p["gross_cents"] for p in note.vat_parts) == note.amount_cents
    # Refunded in full: together they reverse exactly the VAT the invoice charged.
    for percent, vat in ((9, 180), (21, 210)):
        assert (
            sum(p["vat_cents"] for n in notes for p in n.vat_parts if p["percent"] == percent)
            == vat
        )
    text = text_of(customer, f"/orders/{order.token}/credit-notes/1")
    assert f"Credit note C{year}-000001" in text
    assert f"For invoice {year}-000001" in text
    assert "Total credited incl. VAT -€10.00" in text
    assert "9% -€5.90 -€0.53 -€6.43" in text
    assert "21% -€2.95 -€0.62 -€3.57" in text
    assert "KvK number: 12345678" in text
    pdf = pdf_text(customer, f"/orders/{order.token}/credit-notes/2.pdf")
    assert f"C{year}-000002" in pdf and f"{year}-000001" in pdf and "-€23.90" in pdf
    assert customer.get(f"/orders/{order.token}/credit-notes/3").status_code == 404
    assert customer.get(f"/orders/{order.token}/credit-notes/0").status_code == 404


# --- links ---------------------------------------------------------------------------------


def test_the_order_page_links_the_invoice_and_each_credit_note(app, session, customer, truffles):
    order = pay(app, session, place(session, truffles, 2))
    refund_order(session, gateway_for(app.config), order.id, amount_cents=500, now=clock.now())

    response = customer.get(f"/orders/{order.token}")
    page = Page.of(response)

    year = this_year()
    assert f"Invoice {year}-000001" in page.text
    assert f"Credit note C{year}-000001" in page.text
    html = response.get_data(as_text=True)
    for path in ("invoice", "invoice.pdf", "credit-notes/1", "credit-notes/1.pdf"):
        assert f'href="/orders/{order.token}/{path}"' in html


def test_an_unpaid_order_page_links_no_invoice(session, customer, truffles):
    order = place(session, truffles, 1)

    html = customer.get(f"/orders/{order.token}").get_data(as_text=True)

    assert "/invoice" not in html


def sent(app, session, order: Order, kind: str) -> list[OutboxEmail]:  # type: ignore[no-untyped-def]
    send_pending_emails(session, mailer_for(app.config), write=write_email, now=clock.now())
    session.rollback()
    return list(
        session.scalars(
            select(OutboxEmail).where(OutboxEmail.order_id == order.id, OutboxEmail.kind == kind)
        )
    )


def test_the_emails_link_the_invoice_and_the_credit_note(app, session, customer, truffles):
    order = pay(app, session, place(session, truffles, 2))
    refund_order(session, gateway_for(app.config), order.id, amount_cents=500, now=clock.now())

    [confirmation] = sent(app, session, order, ORDER_CONFIRMATION)
    [refunded] = sent(app, session, order, ORDER_REFUNDED)

    year = this_year()
    invoice_link = re.search(r"https?://\S+?(/orders/\S+/invoice)\b", confirmation.body_text)
    assert invoice_link and f"{year}-000001" in confirmation.body_text
    assert f'href="{invoice_link.group(0)}"' in confirmation.body_html
    assert f"Invoice {year}-000001" in text_of(customer, invoice_link.group(1))
    note_link = re.search(r"https?://\S+?(/orders/\S+/credit-notes/1)\b", refunded.body_text)
    assert note_link and f"C{year}-000001" in refunded.body_text
    assert f"Credit note C{year}-000001" in text_of(customer, note_link.group(1))


# --- staff ---------------------------------------------------------------------------------


def test_staff_open_the_invoice_and_credit_notes_from_the_order(app, session, truffles):
    order = pay(app, session, place(session, truffles, 2))
    refund_order(session, gateway_for(app.config), order.id, amount_cents=500, now=clock.now())
    staff = app.test_client()
    signed_in(staff, session, Role.MANAGER)

    response = staff.get(f"/admin/orders/{order.id}")

    year = this_year()
    assert f"Invoice {year}-000001" in Page.of(response).text
    html = response.get_data(as_text=True)
    for path in ("invoice", "invoice.pdf", "credit-notes/1", "credit-notes/1.pdf"):
        assert f'href="/admin/orders/{order.id}/{path}"' in html
    assert f"Credit note C{year}-000001" in text_of(
        staff, f"/admin/orders/{order.id}/credit-notes/1"
    )
    assert f"Invoice {year}-000001" in pdf_text(staff, f"/admin/orders/{order.id}/invoice.pdf")


def test_the_back_office_documents_are_closed_to_customers(app, session, customer, truffles):
    order = pay(app, session, place(session, truffles, 1))

    response = customer.get(f"/admin/orders/{order.id}/invoice")

    assert response.status_code in (302, 303, 401, 403, 404)
    assert b"Invoice" not in response.data
