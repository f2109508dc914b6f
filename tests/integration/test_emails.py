"""The order confirmation e-mail: exactly one per paid order, whatever the events do; kept
in the outbox when the SMTP server is down and sent once it is back; written in the
language the customer ordered in. Sent to a real SMTP server on loopback (aiosmtpd).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

import pytest
from PIL import Image

from shop import clock
from shop.images import prepare_image
from shop.mail import mailer_for
from shop.models import EmailStatus, OrderStatus
from shop.payments import gateway_for
from shop.payments import test_gateway as test_mode
from shop.services.emails import retry_failed_emails, send_pending_emails
from shop.services.payments import pay_in_test_mode, reconcile_pending_orders
from shop.services.products import add_product_image
from shop.web.emails import write_email
from tests.conftest import settings_for
from tests.helpers import csrf_token, make_product
from tests.integration.payment_support import (
    attempts_of,
    emails_of,
    event_body,
    fresh_order,
    intent_object,
    is_paid,
    pay_at_stripe,
    place,
    post_event,
    record_intent,
    stripe_settings,
)
from tests.peers import (
    SmtpInbox,
    eventually,
    free_port,
    register_webhook,
    serving,
    smtp_inbox,
)


@pytest.fixture
def stripe_url(stripe_peer) -> str:  # type: ignore[no-untyped-def]
    return stripe_peer.url


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpInbox, int]]:
    with smtp_inbox() as (inbox, port):
        yield inbox, port


@pytest.fixture
def dead_smtp_port() -> int:
    """A port where no SMTP server listens (yet)."""
    return free_port()


@pytest.fixture
def app_settings(request, database_url):  # type: ignore[no-untyped-def]
    """The test gateway and no SMTP server, unless the test asks for `stripe_url`,
    `smtp` or `dead_smtp_port`."""
    settings = settings_for(database_url)
    if "stripe_url" in request.fixturenames:
        settings.update(stripe_settings(request.getfixturevalue("stripe_peer")))
    if "smtp" in request.fixturenames:
        port = request.getfixturevalue("smtp")[1]
    elif "dead_smtp_port" in request.fixturenames:
        port = request.getfixturevalue("dead_smtp_port")
    else:
        return settings
    settings.update(SHOP_SMTP_HOST="127.0.0.1", SHOP_SMTP_PORT=port, SHOP_SMTP_STARTTLS="false")
    return settings


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(
        session, "Lion's Mane capsules", name_nl="Pruikzwam capsules", price_cents=1250
    )


@contextmanager
def smtp_server_on(port: int) -> Iterator[SmtpInbox]:
    """An SMTP server (aiosmtpd) that starts listening on `port`: the server is back up."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def press_pay(client, order):  # type: ignore[no-untyped-def]
    """The test gateway's "Pay (test mode)" button, pressed by the customer."""
    page = client.get(f"/orders/{order.token}/pay").get_data(as_text=True)
    return client.post(
        f"/orders/{order.token}/pay/test",
        data={"csrf_token": csrf_token(page), "action": "pay"},
    )


def test_one_email_per_paid_order_however_often_the_payment_is_reported(
    app, client, session, product, smtp
):
    inbox, _ = smtp
    order = place(session, product, 2)
    record_intent(session, order)
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    succeeded = event_body("payment_intent.succeeded", intent_object(order))
    reported_again = event_body("payment_intent.succeeded", intent_object(order))

    outcomes = [
        post_event(client, body, secret=secret).get_json()["outcome"]
        for body in (succeeded, succeeded, reported_again, succeeded)
    ]
    send_pending_emails(session, mailer_for(app.config), write=write_email, now=clock.now())

    assert outcomes == ["paid", "duplicate", "already paid", "duplicate"]
    [email] = emails_of(session, order.id)
    assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 1, "")
    [message] = inbox.messages
    assert message["Subject"] == f"Your order {order.number} is paid"


def test_reconcile_after_the_webhook_sends_no_second_email(
    app, verified_client, session, product, stripe_url, smtp
):
    inbox, _ = smtp
    order = place(session, product)
    with serving(app) as shop_url:
        register_webhook(stripe_url, shop_url + "/webhooks/stripe")
        verified_client.get(f"/orders/{order.token}/pay")
        [attempt] = attempts_of(session, order.id)
        pay_at_stripe(stripe_url, attempt.intent_id)
        eventually(lambda: is_paid(session, order.id))
        eventually(lambda: inbox.messages)

    applied = reconcile_pending_orders(session, gateway_for(app.config), now=clock.now())
    sent = send_pending_emails(session, mailer_for(app.config), write=write_email, now=clock.now())

    assert (applied, sent) == (0, 0)
    assert len(emails_of(session, order.id)) == 1
    assert len(inbox.messages) == 1


def test_while_the_smtp_server_is_down_the_email_waits_and_goes_out_once_it_is_back(
    app, verified_client, session, product, dead_smtp_port
):
    order = place(session, product)

    # when the customer pays while the SMTP server is down
    response = press_pay(verified_client, order)

    # then the payment stands, and the e-mail is kept with the error
    assert response.status_code == 303
    assert fresh_order(session, order.id).status == OrderStatus.PAID
    [email] = emails_of(session, order.id)
    assert email.status == EmailStatus.FAILED
    assert "refused" in email.last_error.lower()
    assert email.sent_at is None

    # and once the server is back, the retry (`flask --app shop outbox send`) sends it once
    with smtp_server_on(dead_smtp_port) as inbox:
        assert retry_failed_emails(session) == 1
        assert (
            send_pending_emails(session, mailer_for(app.config), write=write_email, now=clock.now())
            == 1
        )
        assert (
            send_pending_emails(session, mailer_for(app.config), write=write_email, now=clock.now())
            == 0
        )

    [email] = emails_of(session, order.id)
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)
    assert email.sent_at is not None
    [message] = inbox.messages
    assert message["To"] == order.email


def _paid_confirmation(app, session, order) -> Any:  # type: ignore[no-untyped-def]
    """The confirmation as sent (it is written when it is sent, not when it is queued)."""
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    pay_in_test_mode(
        session, test_mode.TestGateway(), order, succeed=True, secret=secret, now=clock.now()
    )
    [queued] = emails_of(session, order.id)
    # Not written in the payment's transaction: when it is sent.
    assert (queued.subject, queued.body_text) == ("", "")
    send_pending_emails(session, mailer_for(app.config), write=write_email, now=clock.now())
    [email] = emails_of(session, order.id)
    return email


def test_an_order_placed_in_dutch_gets_its_email_in_dutch(app, verified_client, session, product):
    # given a customer who ordered in Dutch; the payment arrives in an English request
    order = place(session, product, 2, locale="nl")
    press_pay(verified_client, order)

    [email] = emails_of(session, order.id)

    for body in (email.body_text, email.body_html):
        assert "€\u00a025,00" in body  # Dutch: the sign, a no-break space, a decimal comma
        assert "2 × Pruikzwam capsules" in body
        assert "Geen medisch advies. Geen bewezen effect bij mensen." in body
        assert "Niet gebruiken als je allergisch bent voor paddenstoelen." in body
    assert '<html lang="nl">' in email.body_html


def test_an_order_placed_in_english_gets_its_email_in_english(app, session, product):
    order = place(session, product, 2, locale="en")

    email = _paid_confirmation(app, session, order)

    assert "€25.00" in email.body_text
    assert "2 × Lion's Mane capsules" in email.body_text
    assert "Lion&#39;s Mane capsules" in email.body_html
    assert "Not medical advice. No proven effect in humans." in email.body_text
    assert '<html lang="en">' in email.body_html


def test_the_confirmation_carries_the_products_pictures_inside_it(app, session, product, smtp):
    """A mail client cannot pass the age gate: the thumbnails travel as inline parts, shown
    by the HTML through `cid:` links, and the text part stays as it was."""
    inbox, _ = smtp
    prepared = prepare_image(_a_jpeg(), max_bytes=10_000_000)
    image = add_product_image(
        session, product.id, prepared, alt_en="", alt_nl="", actor=None, now=clock.now()
    )
    order = place(session, product, 2)

    _paid_confirmation(app, session, order)

    [message] = inbox.messages
    html = message.get_body(("html",))
    assert f'src="cid:picture-{image.id}@shop"' in html.get_content()
    [picture] = [part for part in message.walk() if part.get_content_type() == "image/jpeg"]
    assert picture["Content-ID"] == f"<picture-{image.id}@shop>"
    assert Image.open(BytesIO(picture.get_content())).size == (320, 320)
    text = message.get_body(("plain",)).get_content()
    assert "2 × Lion's Mane capsules" in text and "cid:" not in text


def _a_jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (800, 800), (120, 80, 50)).save(out, "JPEG")
    return out.getvalue()
