"""The back office's orders: the filtered list and its CSV export, one order in full, and
what staff do to an order (ship, refund, cancel, clear the attention flag), each with its
audit entry. Payments go through the test gateway (no Stripe keys in these tests).
"""

from __future__ import annotations

import contextvars
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from shop import clock
from shop.mail import mailer_for
from shop.models import AuditEntry, Order, OrderStatus, PromoCode, Refund, Role
from shop.payments import test_gateway as test_mode
from shop.rules.age import local_today
from shop.services.emails import send_pending_emails
from shop.services.orders.export import OrderFilters, order_csv, spreadsheet_safe
from shop.services.payments import pay_in_test_mode
from shop.web.emails import write_email
from tests import helpers
from tests.admin_support import admin_csrf, signed_in
from tests.helpers import make_product, running_window
from tests.integration.payment_support import (
    AMSTERDAM,
    ANN,
    event_body,
    events_of,
    fresh_order,
    intent_object,
    place,
    post_event,
    record_intent,
    refunds_of,
    stock_of,
)
from tests.integration.test_query_counts import counting_queries

BOB = ANN.__class__(
    email="Bob.Jansen@Example.nl",
    name="Bob Jansen",
    street="Damrak 1",
    postcode="1012 LG",
    city="Amsterdam",
    country="NL",
)

# 29 March 2026: the clocks in Amsterdam go from 02:00 to 03:00, so the local day runs
# from 28 March 23:00 UTC to 29 March 22:00 UTC (23 hours).
LAST_MINUTE_BEFORE_THE_DAY = datetime(2026, 3, 28, 22, 59, tzinfo=UTC)
FIRST_MINUTE_OF_THE_DAY = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
LAST_MINUTE_OF_THE_DAY = datetime(2026, 3, 29, 21, 59, tzinfo=UTC)
FIRST_MINUTE_AFTER_THE_DAY = datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


# --- givens --------------------------------------------------------------------------------


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Lion's Mane capsules", price_cents=1250, stock=10)


@pytest.fixture
def manager(client, session):  # type: ignore[no-untyped-def]
    signed_in(client, session, Role.MANAGER)
    return client


@pytest.fixture
def viewer(client, session):  # type: ignore[no-untyped-def]
    signed_in(client, session, Role.VIEWER)
    return client


def pay(app, session, order: Order) -> Order:  # type: ignore[no-untyped-def]
    """Pay the order with the test gateway's Pay button."""
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    outcome = pay_in_test_mode(
        session, test_mode.TestGateway(), order, succeed=True, secret=secret, now=clock.now()
    )
    assert outcome.text == "paid"
    return fresh_order(session, order.id)


@pytest.fixture
def paid_order(app, session, product) -> Order:  # type: ignore[no-untyped-def]
    """Two × € 12.50, paid."""
    return pay(app, session, place(session, product, 2))


def make_code(session, text: str = "WELCOME15") -> PromoCode:  # type: ignore[no-untyped-def]
    """A code running today (the shared builder's, with a window around the real clock)."""
    today = local_today(clock.now(), AMSTERDAM)
    return helpers.make_code(session, text, window=running_window(today), now=clock.now())


def flag(session, order: Order, **values) -> None:  # type: ignore[no-untyped-def]
    """What the webhook code sets on an order that went wrong."""
    session.execute(update(Order).where(Order.id == order.id).values(**values))
    session.commit()


def post(client, url: str, **form):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": admin_csrf(client), **form})


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def numbers_listed(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/admin/orders{query}")
    assert response.status_code == 200, text_of(response)[:500]
    html = text_of(response)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [
        row.split('">', 1)[1].split("<", 1)[0] for row in body.split('href="/admin/orders/')[1:]
    ]


def audit_of(session, order: Order) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "Order", AuditEntry.object_id == str(order.id))
            .order_by(AuditEntry.id)
        )
    )


def times_used(session, code: PromoCode) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(PromoCode.times_used).where(PromoCode.id == code.id))


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_the_newest_orders_first(manager, session, product):
    first = place(session, product, now=clock.now() - timedelta(minutes=2))
    second = place(session, product, now=clock.now() - timedelta(minutes=1))

    assert numbers_listed(manager) == [second.number, first.number]


def test_the_list_filters_by_status(app, manager, session, product, paid_order):
    unpaid = place(session, product)

    assert numbers_listed(manager, "?status=paid") == [paid_order.number]
    assert numbers_listed(manager, "?status=pending_payment") == [unpaid.number]
    assert numbers_listed(manager, "?status=refunded") == []


def test_an_unknown_status_is_named_and_left_out(manager, session, product):
    order = place(session, product)

    response = manager.get("/admin/orders?status=lost")

    assert "Unknown status." in text_of(response)
    assert numbers_listed(manager, "?status=lost") == [order.number]


def test_dates_are_local_days_including_the_last_one_across_the_clock_change(
    manager, session, product
):
    before, first, last, after = (
        place(session, product, now=instant)
        for instant in (
            LAST_MINUTE_BEFORE_THE_DAY,
            FIRST_MINUTE_OF_THE_DAY,
            LAST_MINUTE_OF_THE_DAY,
            FIRST_MINUTE_AFTER_THE_DAY,
        )
    )

    assert numbers_listed(manager, "?from=2026-03-29&to=2026-03-29") == [last.number, first.number]
    assert numbers_listed(manager, "?from=2026-03-29") == [
        after.number,
        last.number,
        first.number,
    ]
    assert numbers_listed(manager, "?to=2026-03-28") == [before.number]


def test_a_date_that_is_not_one_is_named(manager):
    response = manager.get("/admin/orders?from=29-03-2026")

    assert "is not a date" in text_of(response)


def test_the_list_filters_by_promo_code_whatever_its_case(manager, session, product):
    make_code(session, "WELCOME15")
    with_code = place(session, product, code="WELCOME15")
    place(session, product)

    assert numbers_listed(manager, "?code=welcome15") == [with_code.number]
    assert numbers_listed(manager, "?code=OTHER") == []


def test_the_list_filters_on_needs_attention_and_needs_refund(manager, session, product):
    plain = place(session, product)
    odd = place(session, product)
    unrefunded = place(session, product)
    flag(
        session,
        odd,
        needs_attention=True,
        attention_notes=[{"code": "note", "params": {"text": "Amount does not match."}}],
    )
    flag(session, unrefunded, needs_attention=True, needs_refund=True)

    assert numbers_listed(manager, "?attention=1") == [unrefunded.number, odd.number]
    assert numbers_listed(manager, "?refund=1") == [unrefunded.number]
    assert plain.number in numbers_listed(manager)


def test_the_list_searches_numbers_and_email_addresses(manager, session, product):
    ann = place(session, product)
    bob = place(session, product, customer=BOB)

    assert numbers_listed(manager, "?q=bob.jansen@example") == [bob.number]
    assert numbers_listed(manager, f"?q={ann.number}") == [ann.number]
    assert numbers_listed(manager, "?q=%25") == []  # a LIKE wildcard is just a character


def test_the_list_has_pages_of_fifty_and_the_same_queries_for_any_number_of_orders(
    manager, session, product
):
    product.stock = 100
    session.commit()
    place(session, product, now=clock.now() - timedelta(hours=1))
    with counting_queries() as few:
        assert len(numbers_listed(manager)) == 1
    for minutes in range(50):
        place(session, product, now=clock.now() - timedelta(minutes=minutes))

    with counting_queries() as many:
        first_page = numbers_listed(manager)
    second_page = numbers_listed(manager, "?page=2")

    assert (len(first_page), len(second_page)) == (50, 1)
    assert len(many) == len(few)
    assert 'rel="next"' in text_of(manager.get("/admin/orders"))


# --- the CSV export ------------------------------------------------------------------------


def download(client, url: str):  # type: ignore[no-untyped-def]
    """GET a streamed response and read its body in the request's own context, as a server
    does (IsolatedClient reads it outside, where the streamed context cannot be ended).

    Returns the response, whether it was streamed, and the rows of the CSV body.
    """

    def fetch():  # type: ignore[no-untyped-def]
        response = FlaskClient.open(client, url)
        streamed = response.is_streamed
        body = response.get_data()
        return response, streamed, body

    response, streamed, body = contextvars.Context().run(fetch)
    return response, streamed, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def csv_rows(client, url: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    response, streamed, rows = download(client, url)
    assert (response.status_code, streamed) == (200, True)
    return rows


def test_the_csv_export_streams_the_filtered_list(app, manager, session, product, paid_order):
    make_code(session, "WELCOME15")
    unpaid = place(session, product, code="WELCOME15")

    response, streamed, (header, *rows) = download(
        manager, "/admin/orders.csv?status=pending_payment"
    )

    assert response.status_code == 200
    assert streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="orders-')
    assert header == [
        "number",
        "created",
        "status",
        "email",
        "name",
        "country",
        "subtotal",
        "discount",
        "total",
        "refunded",
        "code",
        "paid at",
    ]
    created = unpaid.created_at.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M")
    assert rows == [
        [
            unpaid.number,
            created,
            "pending_payment",
            "ann@example.nl",
            "Ann de Vries",
            "NL",
            "12.50",
            "1.88",
            "10.62",
            "0.00",
            "WELCOME15",
            "",
        ]
    ]


def test_the_csv_export_has_every_order_without_filters(manager, session, paid_order, product):
    unpaid = place(session, product)

    rows = csv_rows(manager, "/admin/orders.csv")[1:]

    assert [row[0] for row in rows] == [unpaid.number, paid_order.number]
    assert rows[1][9:] == [
        "0.00",
        "",
        paid_order.paid_at.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M"),
    ]


def test_the_csv_export_refuses_a_filter_it_cannot_read(manager):
    response = manager.get("/admin/orders.csv?to=tomorrow")

    assert response.status_code == 400


def test_the_csv_export_defuses_cells_a_spreadsheet_would_run(manager, session, product):
    sneaky = ANN.__class__(
        email="=HYPERLINK(evil)@example.nl",
        name="+SUM(A1:A9)",
        street="@Damrak 1",
        postcode="1012 LG",
        city="Amsterdam",
        country="NL",
    )
    place(session, product, customer=sneaky)

    [row] = csv_rows(manager, "/admin/orders.csv")[1:]

    assert row[3] == "'=hyperlink(evil)@example.nl"  # checkout lowercases addresses
    assert row[4] == "'+SUM(A1:A9)"


def test_the_csv_rows_are_read_and_written_a_batch_at_a_time(session, product):
    for _ in range(5):
        place(session, product)

    chunks = list(order_csv(session, OrderFilters(), zone=AMSTERDAM, batch_size=2))

    # the header, then batches of 2, 2 and 1 rows
    assert [chunk.count("\r\n") for chunk in chunks] == [1, 2, 2, 1]


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ann", "Ann"),
        ("12.50", "12.50"),
        ("", ""),
    ],
)
def test_a_cell_starting_like_a_formula_gets_a_leading_quote(cell, safe):
    assert spreadsheet_safe(cell) == safe


# --- one order -----------------------------------------------------------------------------


def test_the_order_page_shows_the_warnings_with_their_hashes_and_the_age_check(
    manager, session, paid_order
):
    order = fresh_order(session, paid_order.id)
    [line] = order.lines
    warnings = line.warnings

    html = text_of(manager.get(f"/admin/orders/{order.id}"))

    assert order.number in html
    assert "Lion&#39;s Mane capsules" in html
    assert len(warnings) >= 2
    for warning in warnings:
        assert warning.text.replace("'", "&#39;") in html
        assert warning.text_hash in html
        assert warning.content_hash in html
    assert "Age check" in html
    assert order.age_check_outcome == "passed"
    for fact in ("passed", f"{order.age_required}+", "Policy version"):
        assert fact in html
    assert order.age_checked_at.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M") in html
    assert "1990" not in html  # no date of birth anywhere


def test_the_order_page_lists_the_events_and_emails_and_shows_a_raw_body(
    manager, session, paid_order
):
    [event] = events_of(session, paid_order.id)

    html = text_of(manager.get(f"/admin/orders/{paid_order.id}"))
    raw = manager.get(f"/admin/orders/{paid_order.id}/events/{event.id}")

    assert "payment_intent.succeeded" in html
    assert f"/admin/orders/{paid_order.id}/events/{event.id}" in html
    assert "Order confirmation: written when it is sent" in html  # queued, not sent yet
    send_pending_emails(
        session, mailer_for(manager.application.config), write=write_email, now=clock.now()
    )
    sent = text_of(manager.get(f"/admin/orders/{paid_order.id}"))
    assert f"Your order {paid_order.number} is paid" in sent  # the confirmation e-mail
    assert raw.status_code == 200
    assert json.loads(event.raw_body)["data"]["object"]["id"] in text_of(raw)
    assert "  &#34;type&#34;: &#34;payment_intent.succeeded&#34;" in text_of(raw)


def test_a_raw_body_with_markup_is_shown_as_text(app, client, manager, session, product):
    order = place(session, product)
    record_intent(session, order)
    body = event_body(
        "payment_intent.payment_failed",
        intent_object(order, failure="<script>alert('owned')</script>"),
    )
    post_event(client, body, secret=test_mode.local_webhook_secret(app.config["SECRET_KEY"]))
    [event] = events_of(session, order.id)

    html = text_of(manager.get(f"/admin/orders/{order.id}/events/{event.id}"))

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html


def test_an_event_is_only_shown_under_its_own_order(manager, session, product, paid_order):
    other = place(session, product)
    [event] = events_of(session, paid_order.id)

    assert manager.get(f"/admin/orders/{other.id}/events/{event.id}").status_code == 404
    assert manager.get("/admin/orders/999999").status_code == 404


# --- shipping ------------------------------------------------------------------------------


def test_marking_a_paid_order_shipped_records_carrier_tracking_and_who(
    manager, session, paid_order
):
    response = post(
        manager,
        f"/admin/orders/{paid_order.id}/ship",
        carrier="PostNL",
        tracking_code="3SABCD1234567",
        **{f"lot-{line.id}": "lm-2026.03" for line in paid_order.lines},
    )

    assert response.status_code == 303
    order = fresh_order(session, paid_order.id)
    assert (order.status, order.carrier, order.tracking_code) == (
        OrderStatus.SHIPPED,
        "PostNL",
        "3SABCD1234567",
    )
    assert order.shipped_at is not None
    [entry] = audit_of(session, order)
    assert entry.action == "ship"
    assert entry.staff_email.startswith("staff")
    changes = json.loads(entry.changes)
    assert changes["status"] == ["paid", "shipped"]
    assert changes["carrier"] == ["", "PostNL"]
    assert [line.lot_number for line in order.lines] == ["LM-2026.03"]
    assert "3SABCD1234567" in text_of(manager.get(f"/admin/orders/{order.id}"))


def test_an_unpaid_order_cannot_be_marked_shipped(manager, session, product):
    order = place(session, product)

    response = post(manager, f"/admin/orders/{order.id}/ship", carrier="PostNL")

    assert response.status_code == 422
    assert "Only a paid order can be marked shipped." in text_of(response)
    assert fresh_order(session, order.id).status == OrderStatus.PENDING_PAYMENT
    assert audit_of(session, order) == []


def test_shipping_needs_a_carrier(manager, session, paid_order):
    response = post(manager, f"/admin/orders/{paid_order.id}/ship", carrier=" ")

    assert response.status_code == 422
    assert fresh_order(session, paid_order.id).status == OrderStatus.PAID


# --- cancelling ----------------------------------------------------------------------------


def test_cancelling_asks_first_and_changes_nothing_until_confirmed(manager, session, product):
    order = place(session, product, 3)

    response = post(manager, f"/admin/orders/{order.id}/cancel")

    assert response.status_code == 200
    assert f"Cancel order {order.number}?" in text_of(response)
    assert 'name="confirm" value="yes"' in text_of(response)
    assert fresh_order(session, order.id).status == OrderStatus.PENDING_PAYMENT
    assert stock_of(session, product.id) == 7


def test_cancelling_an_unpaid_order_gives_stock_and_code_use_back_once(manager, session, product):
    code = make_code(session)
    order = place(session, product, 3, code=code.display_code)
    assert (stock_of(session, product.id), times_used(session, code)) == (7, 1)

    first = post(manager, f"/admin/orders/{order.id}/cancel", confirm="yes")
    again = post(manager, f"/admin/orders/{order.id}/cancel", confirm="yes")

    assert (first.status_code, again.status_code) == (303, 409)
    assert fresh_order(session, order.id).status == OrderStatus.CANCELLED
    assert (stock_of(session, product.id), times_used(session, code)) == (10, 0)
    [entry] = audit_of(session, order)
    assert entry.action == "cancel"
    assert json.loads(entry.changes)["status"] == ["pending_payment", "cancelled"]


def test_a_paid_order_cannot_be_cancelled(manager, session, paid_order, product):
    response = post(manager, f"/admin/orders/{paid_order.id}/cancel", confirm="yes")

    assert response.status_code == 409
    assert "Only an order awaiting payment can be cancelled." in text_of(response)
    assert fresh_order(session, paid_order.id).status == OrderStatus.PAID
    assert stock_of(session, product.id) == 8
    assert audit_of(session, paid_order) == []


# --- refunds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [{"amount": "12,50"}, {"amount": "12,50", "confirm": "yes"}],
    ids=["from-the-order-page", "confirm-without-the-confirmation-page"],
)
def test_a_refund_asks_first_and_changes_nothing_until_confirmed(
    manager, session, paid_order, form
):
    response = post(manager, f"/admin/orders/{paid_order.id}/refund", **form)

    assert response.status_code == 200
    assert f"Refund €12.50 of order {paid_order.number}?" in text_of(response)
    assert refunds_of(session, paid_order.id) == []
    assert fresh_order(session, paid_order.id).status == OrderStatus.PAID
    assert audit_of(session, paid_order) == []


def test_a_full_refund_through_the_test_gateway_is_recorded_and_audited(
    manager, session, paid_order, product
):
    form = {"amount": "25,00", "restock": "yes", "reason": "Changed her mind"}
    confirmation = post(manager, f"/admin/orders/{paid_order.id}/refund", **form)
    assert "Refund €25.00 of order" in text_of(confirmation)

    response = post(
        manager,
        f"/admin/orders/{paid_order.id}/refund",
        **form,
        seen_state="0-0",
        confirm="yes",
    )

    assert response.status_code == 303
    order = fresh_order(session, paid_order.id)
    assert (order.status, order.refunded_cents) == (OrderStatus.REFUNDED, 2500)
    [refund] = refunds_of(session, order.id)
    assert (refund.amount_cents, refund.restocked, refund.reason) == (
        2500,
        True,
        "Changed her mind",
    )
    assert stock_of(session, product.id) == 10
    [entry] = audit_of(session, order)
    assert entry.action == "refund"
    changes = json.loads(entry.changes)
    assert changes["refund_amount_cents"] == [None, 2500]
    assert changes["refunded_cents"] == [0, 2500]
    assert changes["status"] == ["paid", "refunded"]
    assert "Refunded €25.00." in text_of(manager.get(f"/admin/orders/{order.id}"))


def test_a_partial_refund_leaves_the_order_partly_refunded(manager, session, paid_order, product):
    response = post(
        manager,
        f"/admin/orders/{paid_order.id}/refund",
        amount="12,50",
        seen_state="0-0",
        confirm="yes",
    )

    assert response.status_code == 303
    order = fresh_order(session, paid_order.id)
    assert (order.status, order.refunded_cents) == (OrderStatus.PARTIALLY_REFUNDED, 1250)
    [refund] = refunds_of(session, order.id)
    assert (refund.amount_cents, refund.restocked) == (1250, False)
    assert stock_of(session, product.id) == 8
    [entry] = audit_of(session, order)
    assert json.loads(entry.changes)["refund_amount_cents"] == [None, 1250]


def test_a_confirmation_sent_twice_is_one_refund(manager, session, paid_order):
    form = {"amount": "5,00", "seen_state": "0-0", "confirm": "yes"}

    first = post(manager, f"/admin/orders/{paid_order.id}/refund", **form)
    resent = post(manager, f"/admin/orders/{paid_order.id}/refund", **form)

    assert (first.status_code, resent.status_code) == (303, 303)
    assert [r.amount_cents for r in refunds_of(session, paid_order.id)] == [500]
    assert fresh_order(session, paid_order.id).refunded_cents == 500


def test_a_confirmation_made_before_another_refund_is_refused(manager, session, paid_order):
    post(
        manager,
        f"/admin/orders/{paid_order.id}/refund",
        amount="5,00",
        seen_state="0-0",
        confirm="yes",
    )

    stale = post(
        manager,
        f"/admin/orders/{paid_order.id}/refund",
        amount="3,00",
        seen_state="0-0",
        confirm="yes",
    )

    assert stale.status_code == 409
    assert "Refunds were made since you confirmed" in text_of(stale)
    assert [r.amount_cents for r in refunds_of(session, paid_order.id)] == [500]


@pytest.mark.parametrize("amount", ["", "12,505", "-5", "1.250,00", "12e1", "abc", "30,00"])
def test_an_amount_that_is_not_a_refundable_one_is_refused(manager, session, paid_order, amount):
    response = post(
        manager,
        f"/admin/orders/{paid_order.id}/refund",
        amount=amount,
        seen_state="0-0",
        confirm="yes",
    )

    assert response.status_code == 422
    assert 'role="alert"' in text_of(response)
    assert refunds_of(session, paid_order.id) == []


def test_an_unpaid_order_cannot_be_refunded(manager, session, product):
    order = place(session, product)

    response = post(
        manager, f"/admin/orders/{order.id}/refund", amount="1,00", seen_state="0-0", confirm="yes"
    )

    assert response.status_code == 409
    assert refunds_of(session, order.id) == []


def test_refunding_an_order_paid_after_its_stock_was_gone_clears_the_flag_not_the_stock(
    manager, session, product, paid_order
):
    """Its goods were never reserved, so "put back in stock" must not invent any."""
    flag(
        session,
        paid_order,
        needs_refund=True,
        needs_attention=True,
        released_at=paid_order.created_at,
    )
    stock_before = stock_of(session, product.id)

    post(
        manager,
        f"/admin/orders/{paid_order.id}/refund",
        amount="25,00",
        restock="yes",
        seen_state="0-0",
        confirm="yes",
    )

    order = fresh_order(session, paid_order.id)
    assert (order.status, order.needs_refund) == (OrderStatus.REFUNDED, False)
    assert stock_of(session, product.id) == stock_before
    [refund] = refunds_of(session, order.id)
    assert refund.restocked is False


# --- the attention flag --------------------------------------------------------------------


def test_clearing_the_attention_flag_needs_a_note_and_is_audited(manager, session, paid_order):
    flag(
        session,
        paid_order,
        needs_attention=True,
        attention_notes=[{"code": "note", "params": {"text": "Amount does not match."}}],
    )

    without_note = post(manager, f"/admin/orders/{paid_order.id}/clear-attention", note=" ")
    cleared = post(
        manager,
        f"/admin/orders/{paid_order.id}/clear-attention",
        note="Checked with Stripe: paid in full.",
    )

    assert (without_note.status_code, cleared.status_code) == (422, 303)
    assert fresh_order(session, paid_order.id).needs_attention is False
    [entry] = audit_of(session, paid_order)
    changes = json.loads(entry.changes)
    assert changes["needs_attention"] == [True, False]
    assert changes["note"] == [None, "Checked with Stripe: paid in full."]


# --- who may ---------------------------------------------------------------------------------


def test_a_viewer_sees_orders_but_no_action_forms(viewer, session, paid_order):
    html = text_of(viewer.get(f"/admin/orders/{paid_order.id}"))

    assert paid_order.number in html
    # The order's own action forms (the menu's "/admin/shipping" is the shipping methods).
    assert f"/orders/{paid_order.id}/ship" not in html
    assert "/refund" not in html
    assert csv_rows(viewer, "/admin/orders.csv")[1][0] == paid_order.number


@pytest.mark.parametrize("action", ["ship", "refund", "cancel", "clear-attention"])
def test_a_viewer_gets_403_on_every_action(viewer, session, paid_order, action):
    flag(session, paid_order, needs_attention=True)

    response = post(
        viewer,
        f"/admin/orders/{paid_order.id}/{action}",
        carrier="PostNL",
        amount="25,00",
        note="done",
        seen_state="0-0",
        confirm="yes",
    )

    assert response.status_code == 403
    order = fresh_order(session, paid_order.id)
    assert (order.status, order.needs_attention) == (OrderStatus.PAID, True)
    assert session.scalars(select(Refund)).all() == []
    assert audit_of(session, paid_order) == []


def test_the_orders_section_is_in_the_navigation(viewer):
    assert 'href="/admin/orders"' in text_of(viewer.get("/admin/"))
