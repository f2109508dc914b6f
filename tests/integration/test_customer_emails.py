"""The e-mails a customer gets after the order (shipped, refunded, cancelled by staff,
expired unpaid, besides the confirmation): each once per event however often the button is
pressed or the webhook comes, in the order's language, with the link that opens the order;
and the order page's history, parcel and refunds. The test gateway plays Stripe; e-mails go
to the log mailer (no SMTP server), which fills in their words as a real send does.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shop import clock
from shop.mail import mailer_for
from shop.models import Order, OutboxEmail, Role
from shop.payments import gateway_for
from shop.payments import test_gateway as test_mode
from shop.services.emails import send_pending_emails
from shop.services.orders.holds import expire_due_orders
from shop.services.orders.refunds import refund_order
from shop.web.emails import write_email
from tests import stripe_objects as stripe_shapes
from tests.admin_support import admin_csrf, signed_in
from tests.helpers import make_product, pass_age_gate
from tests.integration.payment_support import (
    event_body,
    fresh_order,
    intent_object,
    place,
    post_event,
    record_intent,
    refunds_of,
)
from tests.integration.test_query_counts import counting_queries
from tests.pages import Page

ORDER_LINK = re.compile(r"https?://\S+?(/orders/[A-Za-z0-9_-]+)")


# --- givens --------------------------------------------------------------------------------


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(
        session, "Lion's Mane capsules", name_nl="Pruikzwam capsules", price_cents=1250, stock=10
    )


@pytest.fixture
def staff(app, session):  # type: ignore[no-untyped-def]
    """A manager signed in in a browser of their own."""
    browser = app.test_client()
    signed_in(browser, session, Role.MANAGER)
    return browser


@pytest.fixture
def customer(app):  # type: ignore[no-untyped-def]
    """The customer's own browser, past the age gate."""
    browser = app.test_client()
    pass_age_gate(browser)
    return browser


def webhook(app, client, event_type: str, obj: dict[str, Any]) -> str:  # type: ignore[no-untyped-def]
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    response = post_event(client, event_body(event_type, obj), secret=secret)
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["outcome"])


def paid_order(app, client, session, product, *, locale: str = "en", method: str = "card") -> Order:  # type: ignore[no-untyped-def]
    """Two of the product (€ 25,00), paid by `method` as the payment's event says."""
    order = place(session, product, 2, locale=locale)
    record_intent(session, order)
    paid = {**intent_object(order), "payment_method_types": [method]}
    assert webhook(app, client, "payment_intent.succeeded", paid) == "paid"
    return fresh_order(session, order.id)


def refund_event(order: Order, refund_id: str, amount: int, status: str) -> dict[str, Any]:
    intent_id = f"pi_order_{order.id}"
    return stripe_shapes.refund(
        id=refund_id,
        amount=amount,
        charge=f"ch_of_{intent_id}",
        payment_intent=intent_id,
        status=status,
    )


def ship(staff, order: Order, carrier: str = "PostNL", code: str = "3SABCD1234567"):  # type: ignore[no-untyped-def]
    return staff.post(
        f"/admin/orders/{order.id}/ship",
        data={
            "csrf_token": admin_csrf(staff),
            "carrier": carrier,
            "tracking_code": code,
            **{f"lot-{line.id}": "LOT-1" for line in order.lines},
        },
    )


def sent_emails(app, session, order: Order, kind: str | None = None) -> list[OutboxEmail]:  # type: ignore[no-untyped-def]
    """The order's e-mails (of one kind), after whatever waited in the outbox went out."""
    send_pending_emails(session, mailer_for(app.config), write=write_email, now=clock.now())
    session.rollback()
    query = select(OutboxEmail).where(OutboxEmail.order_id == order.id)
    if kind is not None:
        query = query.where(OutboxEmail.kind == kind)
    return list(session.scalars(query.order_by(OutboxEmail.id)))


def page_text(browser, path: str) -> str:  # type: ignore[no-untyped-def]
    response = browser.get(path)
    assert response.status_code == 200, response.status_code
    return Page.of(response).text


# --- shipped ---------------------------------------------------------------------------------


def test_shipping_twice_tells_the_customer_once_with_the_postnl_tracking_link(
    app, client, session, product, staff
):
    order = paid_order(app, client, session, product)

    first, second = ship(staff, order), ship(staff, order)

    assert (first.status_code, second.status_code) == (303, 422)
    [email] = sent_emails(app, session, order, "order_shipped")
    assert email.subject == f"Your order {order.number} is on its way"
    expected = "https://jouw.postnl.nl/track-and-trace/3SABCD1234567-NL-1016GV"
    assert expected in email.body_text
    assert f'href="{expected}"' in email.body_html
    assert "Tracking code: 3SABCD1234567" in email.body_text
    back_office = staff.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert f"Your order {order.number} is on its way" in back_office


def test_a_carrier_the_shop_does_not_know_gets_its_code_but_no_link(
    app, client, session, product, staff
):
    order = paid_order(app, client, session, product)

    ship(staff, order, carrier="Fietskoerier Jan", code="FK-0042")

    [email] = sent_emails(app, session, order, "order_shipped")
    assert "Carrier: Fietskoerier Jan" in email.body_text
    assert "FK-0042" in email.body_text
    assert "Follow your parcel" not in email.body_text
    links = re.findall(r'href="([^"]+)"', email.body_html)
    # Only the order's own page (and the seller's e-mail address): no carrier's page.
    assert all("/orders/" in link or link.startswith("mailto:") for link in links)


def test_the_shipped_email_is_in_dutch_for_a_dutch_order_and_english_for_an_english_one(
    app, client, session, product, staff
):
    dutch = paid_order(app, client, session, product, locale="nl")
    english = paid_order(app, client, session, product, locale="en")

    ship(staff, dutch)
    ship(staff, english)

    [to_dutch] = sent_emails(app, session, dutch, "order_shipped")
    [to_english] = sent_emails(app, session, english, "order_shipped")
    assert to_dutch.subject == f"Je bestelling {dutch.number} is onderweg"
    assert "Volg je pakket:" in to_dutch.body_text
    assert to_english.subject == f"Your order {english.number} is on its way"
    assert "Follow your parcel:" in to_english.body_text


@pytest.mark.parametrize("kind", ["order_confirmation", "order_shipped"])
def test_the_link_in_the_email_opens_that_order_and_no_other(
    app, client, session, product, staff, customer, kind
):
    mine = paid_order(app, client, session, product)
    someone_elses = paid_order(app, client, session, product)
    ship(staff, mine)

    [email] = sent_emails(app, session, mine, kind)

    [path] = set(ORDER_LINK.findall(email.body_text))
    assert path == f"/orders/{mine.token}"
    assert f'href="{app.config["SHOP_BASE_URL"].rstrip("/")}{path}"' in email.body_html
    text = page_text(customer, path)
    assert f"Order {mine.number}" in text
    assert someone_elses.number not in text


@pytest.mark.parametrize("kind", ["order_confirmation", "order_shipped"])
def test_every_email_names_the_seller(app, client, session, product, staff, kind):
    order = paid_order(app, client, session, product, locale="nl")
    ship(staff, order)

    [email] = sent_emails(app, session, order, kind)

    for body in (email.body_text, email.body_html):
        assert "Testpaddo B.V., Proefweg 7, 3511 AA Utrecht, Nederland" in body
        assert "KvK 12345678" in body
        assert "NL123456789B01" in body
        assert "hallo@testpaddo.example" in body


def test_the_confirmation_links_the_right_of_withdrawal_and_its_form(app, client, session, product):
    order = paid_order(app, client, session, product)

    [email] = sent_emails(app, session, order, "order_confirmation")

    returns = app.config["SHOP_BASE_URL"].rstrip("/") + "/returns"
    assert "Returns and your right of withdrawal, with the model withdrawal form:" in (
        email.body_text
    )
    assert returns in email.body_text
    assert f'href="{returns}"' in email.body_html


# --- refunded --------------------------------------------------------------------------------


def test_a_refund_is_told_once_it_succeeded_never_while_pending(app, client, session, product):
    order = paid_order(app, client, session, product, method="ideal")

    webhook(app, client, "refund.created", refund_event(order, "re_dash_1", 1000, "pending"))
    while_pending = sent_emails(app, session, order, "order_refunded")
    for _ in range(2):  # Stripe retries; the Dashboard also sends charge.refund.updated
        webhook(app, client, "refund.updated", refund_event(order, "re_dash_1", 1000, "succeeded"))
    webhook(
        app, client, "charge.refund.updated", refund_event(order, "re_dash_1", 1000, "succeeded")
    )

    assert while_pending == []
    [email] = sent_emails(app, session, order, "order_refunded")
    assert email.subject == f"We refunded money for your order {order.number}"
    assert "We refunded €10.00" in email.body_text
    assert "to the bank account you paid from with iDEAL" in email.body_text
    assert f"/orders/{order.token}" in email.body_text


def test_each_refund_by_staff_gets_its_own_email_even_when_its_events_come_after(
    app, client, session, product
):
    order = paid_order(app, client, session, product, locale="nl")
    gateway = gateway_for(app.config)

    first = refund_order(session, gateway, order.id, amount_cents=500, now=clock.now())
    second = refund_order(session, gateway, order.id, amount_cents=2000, now=clock.now())
    for made in (first, second):  # the provider's events about the same refunds
        webhook(
            app,
            client,
            "refund.updated",
            refund_event(order, made.provider_refund_id or "", made.amount_cents, "succeeded"),
        )

    emails = sent_emails(app, session, order, "order_refunded")
    assert [e.refund_id for e in emails] == [first.id, second.id]
    assert "We hebben €\xa05,00 terugbetaald voor je bestelling" in emails[0].body_text
    assert "op de kaart waarmee je betaalde" in emails[0].body_text
    assert "€\xa020,00" in emails[1].body_text


class EventBeforeAnswer(test_mode.TestGateway):
    """The test gateway, with Stripe's `refund.created` event (here without the shop's
    reference) reaching the shop before the answer to the refund request does."""

    def __init__(self, deliver: Any) -> None:
        super().__init__()
        self._deliver = deliver

    def refund(self, **request: Any) -> Any:
        result = super().refund(**request)
        self._deliver(result)
        return result


def test_a_refund_whose_event_beat_its_answer_is_told_once(app, client, session, product):
    order = paid_order(app, client, session, product)

    outcomes = []

    def deliver(result: Any) -> None:
        event = refund_event(order, result.id, result.amount_cents, "succeeded")
        outcomes.append(webhook(app, client, "refund.created", event))

    made = refund_order(
        session, EventBeforeAnswer(deliver), order.id, amount_cents=800, now=clock.now()
    )

    assert outcomes == ["refund succeeded: new"]  # a row of its own, then merged
    assert [r.id for r in refunds_of(session, order.id)] == [made.id]
    [email] = sent_emails(app, session, order, "order_refunded")
    assert email.refund_id == made.id
    assert "We refunded €8.00" in email.body_text


def test_a_failed_refund_sends_nothing(app, client, session, product):
    order = paid_order(app, client, session, product)

    webhook(app, client, "refund.created", refund_event(order, "re_dash_2", 700, "pending"))
    webhook(app, client, "refund.failed", refund_event(order, "re_dash_2", 700, "failed"))

    assert sent_emails(app, session, order, "order_refunded") == []


# --- cancelled, expired --------------------------------------------------------------------


def test_staff_cancelling_tells_the_customer_once(app, session, product, staff):
    order = place(session, product, 1, locale="nl")

    answers = [
        staff.post(
            f"/admin/orders/{order.id}/cancel",
            data={"csrf_token": admin_csrf(staff), "confirm": "yes"},
        ).status_code
        for _ in range(2)
    ]

    assert answers[0] == 303 and answers[1] >= 400
    [email] = sent_emails(app, session, order, "order_cancelled")
    assert email.subject == f"Je bestelling {order.number} is geannuleerd"
    assert f"/orders/{order.token}" in email.body_text


def test_an_order_that_expires_unpaid_is_told_once(app, session, product):
    order = place(session, product, 1)
    later = clock.now() + timedelta(hours=2)

    released = [expire_due_orders(session, now=later) for _ in range(2)]

    assert released == [1, 0]
    [email] = sent_emails(app, session, order, "order_expired")
    assert email.subject == f"Your order {order.number} has expired"
    assert "was not paid in time" in email.body_text


# --- the order page --------------------------------------------------------------------------


def test_the_order_page_shows_its_history_its_parcel_and_its_refunds(
    app, client, session, product, staff, customer
):
    order = paid_order(app, client, session, product, locale="en")
    ship(staff, order)
    refund_order(session, gateway_for(app.config), order.id, amount_cents=500, now=clock.now())

    text = page_text(customer, f"/orders/{order.token}")
    html = customer.get(f"/orders/{order.token}").get_data(as_text=True)

    steps = Page.of(customer.get(f"/orders/{order.token}")).texts(".order-steps .step-label")
    assert steps == ["Order placed", "Payment received", "Shipped", "Partly refunded"]
    assert "https://jouw.postnl.nl/track-and-trace/3SABCD1234567-NL-1016GV" in html
    assert "Tracking code 3SABCD1234567" in text
    assert re.search(r"Refunds Date Amount Status \d+ \w+ \d{4} €5\.00 Refunded", text)


def test_the_history_is_in_amsterdam_time(app, client, session, product, customer):
    order = paid_order(app, client, session, product, locale="nl")
    placed_at = fresh_order(session, order.id).created_at.astimezone(clock.shop_timezone())

    text = page_text(customer, f"/orders/{order.token}")

    assert f"{placed_at:%H:%M}" in text


def test_the_order_page_asks_the_same_number_of_queries_however_long_its_history(
    app, client, session, product, staff, customer
):
    short = paid_order(app, client, session, product)
    long = paid_order(app, client, session, product)
    ship(staff, long)
    gateway = gateway_for(app.config)
    for cents in (100, 200, 300):
        refund_order(session, gateway, long.id, amount_cents=cents, now=clock.now())

    counts = []
    for order in (short, long):
        with counting_queries() as statements:
            customer.get(f"/orders/{order.token}")
        counts.append(len(statements))

    assert counts[0] == counts[1]
