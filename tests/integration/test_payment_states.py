"""Every state today's Stripe can report, posted as it posts them: real-shaped objects of the
pinned API version (`tests/stripe_objects.py`: `latest_charge` an id, refunds and disputes
with their own ids), in signed events, to the webhook endpoint. What a customer and staff
then see is read from the pages and the database.

The events go to the shop served on a loopback port, as Stripe's do. Stripe itself is not
reachable here (the shop's API base is a closed port): the intents are
those the shop recorded as made (`record_intent`); tests that need Stripe to answer are in
`test_payments_stripe.py`.
"""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from shop.extensions import db
from shop.models import (
    AuditEntry,
    DisputeKind,
    OrderStatus,
    PaymentDispute,
    RefundOrigin,
    RefundStatus,
)
from shop.services.installation import installation_key
from tests import stripe_objects as stripe_shapes
from tests.admin_support import signed_in
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.payment_support import (
    STRIPE_KEYS,
    attempts_of,
    attention_of,
    emails_of,
    events_of,
    fresh_order,
    place,
    record_intent,
    refunds_of,
    stock_of,
)
from tests.peers import WEBHOOK_SECRET, serving


@pytest.fixture
def app_settings(database_url):  # type: ignore[no-untyped-def]
    return settings_for(database_url, **STRIPE_KEYS)


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Golden Teacher 15 g", price_cents=1995, stock=5)


@pytest.fixture
def order(session, product):  # type: ignore[no-untyped-def]
    """Two of the product (€ 39,90), with the PaymentIntent the shop made for it."""
    placed = place(session, product, 2)
    record_intent(session, placed)
    return placed


def intent_of(order: Any, *, sequence: int = 1, **fields: Any) -> dict[str, Any]:
    """The order's own intent as Stripe describes it (succeeded unless told otherwise)."""
    intent_id = f"pi_order_{order.id}" + (f"_{sequence}" if sequence > 1 else "")
    fields.setdefault("status", "succeeded")
    if fields["status"] == "succeeded":
        fields.setdefault("latest_charge", f"ch_of_{intent_id}")
    return stripe_shapes.payment_intent(
        id=intent_id,
        amount=order.total_cents,
        currency="eur",
        metadata={"order_id": str(order.id), "order_number": order.number},
        **fields,
    )


@pytest.fixture
def live(app):  # type: ignore[no-untyped-def]
    """The shop served over HTTP on a loopback port, where these tests post Stripe's events."""
    with serving(app) as url:
        yield url


def send(
    shop_url: str, event_type: str, obj: dict[str, Any], *, event_id: str | None = None
) -> Any:
    """Post one event to the live shop the way Stripe does; answer its outcome."""
    body, header = stripe_shapes.signed(
        stripe_shapes.event(event_type, obj, id=event_id), WEBHOOK_SECRET
    )
    response = requests.post(
        f"{shop_url}/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    db.session.rollback()  # the test's own reads start after what the server wrote
    return response.json()["outcome"]


def page_text(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def charge_of(order: Any, *, refunded: int, sequence: int = 1) -> dict[str, Any]:
    intent_id = f"pi_order_{order.id}" + (f"_{sequence}" if sequence > 1 else "")
    return stripe_shapes.charge(
        id=f"ch_of_{intent_id}",
        payment_intent=intent_id,
        amount=order.total_cents,
        amount_refunded=refunded,
    )


def refund_of(order: Any, refund_id: str, amount: int, **fields: Any) -> dict[str, Any]:
    intent_id = f"pi_order_{order.id}"
    return stripe_shapes.refund(
        id=refund_id, amount=amount, charge=f"ch_of_{intent_id}", payment_intent=intent_id, **fields
    )


# --- processing, failed, canceled -------------------------------------------------------


def test_a_bank_payment_still_processing_is_shown_as_waiting_for_the_bank(
    verified_client, session, order, live
):
    outcome = send(live, "payment_intent.processing", intent_of(order, status="processing"))

    assert outcome == "processing"
    assert fresh_order(session, order.id).status == OrderStatus.PENDING_PAYMENT
    [attempt] = attempts_of(session, order.id)
    assert attempt.status == "processing"
    html = verified_client.get(f"/orders/{order.token}").get_data(as_text=True)
    assert "We are waiting for your bank to confirm the payment" in html
    # the page reloads itself, without script, and counts its reloads
    assert re.search(
        rf'<meta http-equiv="refresh" content="5; url=/orders/{order.token}\?check=1">', html
    )
    assert f"/orders/{order.token}/pay" not in html  # no second payment while the bank works


def test_the_waiting_page_stops_reloading_after_its_limit_and_says_an_email_follows(
    verified_client, session, order, live
):
    send(live, "payment_intent.processing", intent_of(order, status="processing"))

    html = verified_client.get(f"/orders/{order.token}?check=36").get_data(as_text=True)

    assert 'http-equiv="refresh"' not in html
    assert "You can close this page: you will get an e-mail" in html


def test_the_bank_confirming_later_pays_the_order_and_the_page_says_so(
    verified_client, session, order, live
):
    send(live, "payment_intent.processing", intent_of(order, status="processing"))

    outcome = send(live, "payment_intent.succeeded", intent_of(order))

    assert outcome == "paid"
    text = page_text(verified_client, f"/orders/{order.token}?check=3")
    assert "Payment received. Thank you!" in text
    assert 'http-equiv="refresh"' not in verified_client.get(
        f"/orders/{order.token}?check=3"
    ).get_data(as_text=True)
    [attempt] = attempts_of(session, order.id)
    assert (attempt.status, attempt.charge_id) == ("succeeded", f"ch_of_pi_order_{order.id}")
    assert len(emails_of(session, order.id)) == 1


def test_a_processing_event_after_the_success_changes_nothing(
    verified_client, session, order, live
):
    send(live, "payment_intent.succeeded", intent_of(order))

    outcome = send(live, "payment_intent.processing", intent_of(order, status="processing"))

    assert outcome.startswith("ignored")
    [attempt] = attempts_of(session, order.id)
    assert attempt.status == "succeeded"
    assert fresh_order(session, order.id).status == OrderStatus.PAID


def test_a_bank_refusing_after_processing_leaves_the_order_payable_with_its_reason(
    verified_client, session, order, live
):
    send(live, "payment_intent.processing", intent_of(order, status="processing"))
    failed = intent_of(
        order,
        status="requires_payment_method",
        last_payment_error={
            "type": "invalid_request_error",
            "code": "payment_method_provider_decline",
            "message": "The customer's bank declined the payment.",
        },
    )

    assert send(live, "payment_intent.payment_failed", failed) == "payment failed"

    text = page_text(verified_client, f"/orders/{order.token}")
    assert "Your payment did not go through: Your bank did not approve the payment." in text
    assert "Pay €39.90" in text


def test_a_canceled_intent_leaves_the_order_payable_and_the_page_offers_to_pay_again(
    verified_client, session, order, live
):
    outcome = send(
        live,
        "payment_intent.canceled",
        intent_of(
            order, status="canceled", canceled_at=1_800_000_000, cancellation_reason="abandoned"
        ),
    )

    assert outcome == "canceled: the next payment gets a new intent"
    [attempt] = attempts_of(session, order.id)
    assert (attempt.status, attempt.canceled_at is not None) == ("canceled", True)
    text = page_text(verified_client, f"/orders/{order.token}")
    assert "Your payment was cancelled. You can pay again." in text
    assert "Pay €39.90" in text


def test_a_cancel_reported_after_the_success_changes_nothing(verified_client, session, order, live):
    send(live, "payment_intent.succeeded", intent_of(order))

    outcome = send(live, "payment_intent.canceled", intent_of(order, status="canceled"))

    assert outcome == "ignored: the payment succeeded"
    assert fresh_order(session, order.id).status == OrderStatus.PAID


# --- payments the shop did not make -----------------------------------------------------


def test_an_intent_the_shop_did_not_make_never_pays_the_order_its_metadata_names(
    app, verified_client, client, session, product, live
):
    # given an order awaiting payment, whose own intent exists
    order = place(session, product, 1)
    record_intent(session, order)

    # when Stripe reports an intent made elsewhere (the Dashboard, another program) whose
    # metadata names that order, for exactly its amount
    stranger = stripe_shapes.payment_intent(
        amount=order.total_cents,
        status="succeeded",
        latest_charge="ch_someone_else",
        metadata={"order_id": str(order.id), "order_number": order.number},
    )
    outcome = send(live, "payment_intent.succeeded", stranger)

    # then the order is not paid, no e-mail goes out, and the event waits for staff
    assert outcome == "unknown payment: not made by this shop"
    after = fresh_order(session, order.id)
    assert (after.status, after.paid_at) == (OrderStatus.PENDING_PAYMENT, None)
    assert emails_of(session, order.id) == []
    [event] = events_of(session)
    assert (event.order_id, event.needs_attention) == (None, True)

    signed_in(client, session, "manager")
    dashboard = page_text(client, "/admin/")
    assert "Payments this shop did not make" in dashboard
    assert "1 event to review" in dashboard
    listing = page_text(client, "/admin/payments/unmatched")
    assert event.event_id in listing
    raw = page_text(client, f"/admin/payments/unmatched/{event.id}")
    assert stranger["id"] in raw


def test_staff_mark_a_strangers_payment_reviewed_and_the_audit_says_who(
    client, session, product, live
):
    stranger = stripe_shapes.payment_intent(amount=500, status="succeeded")
    member = signed_in(client, session, "manager")
    send(live, "payment_intent.succeeded", stranger)
    [event] = events_of(session)
    page = client.get("/admin/payments/unmatched").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    response = client.post(
        f"/admin/payments/unmatched/{event.id}/reviewed", data={"csrf_token": token}
    )

    assert response.status_code == 303
    [reviewed] = events_of(session)
    assert (reviewed.reviewed_by, reviewed.reviewed_at is not None) == (member.email, True)
    assert "Nothing to review." in page_text(client, "/admin/payments/unmatched")
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "review_payment_event")
    ).one()
    assert entry.staff_email == member.email


def test_a_payment_of_another_installation_on_the_same_account_is_kept_but_not_flagged(
    client, session, product, live
):
    installation_key(session)  # this database's own key exists
    theirs = stripe_shapes.payment_intent(
        amount=500, status="succeeded", metadata={"order_id": "1", "shop_installation": "staging"}
    )

    assert send(live, "payment_intent.succeeded", theirs) == "another installation's payment"
    [event] = events_of(session)
    assert not event.needs_attention


# --- paid twice -------------------------------------------------------------------------


def test_a_second_successful_intent_for_a_paid_order_is_flagged_paid_twice_with_a_refund_button(
    verified_client, client, session, order, live
):
    # given the order was paid by its first intent, and a second intent was made (the first
    # had been reported canceled, but the customer's bank paid it after all)
    record_intent(session, order, sequence=2)
    send(live, "payment_intent.succeeded", intent_of(order))

    # when the second one succeeds too
    outcome = send(live, "payment_intent.succeeded", intent_of(order, sequence=2))

    # then the order stays paid once, with one e-mail, and staff are asked to refund the extra
    assert outcome == "needs attention: paid twice"
    after = fresh_order(session, order.id)
    assert (after.status, after.paid_intent_id) == (OrderStatus.PAID, f"pi_order_{order.id}")
    assert after.needs_attention
    assert f"Paid twice: payment pi_order_{order.id}_2 (€39.90)" in attention_of(after)
    assert len(emails_of(session, order.id)) == 1
    signed_in(client, session, "manager")
    html = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "Extra payment pi_order_" in html
    assert f"/admin/orders/{order.id}/payments/" in html and "Refund the extra payment" in html


def test_two_successes_for_one_order_at_the_same_moment_pay_it_once_and_flag_the_other(
    app, session, order
):
    record_intent(session, order, sequence=2)
    bodies = [
        stripe_shapes.signed(
            stripe_shapes.event("payment_intent.succeeded", intent_of(order, sequence=n)),
            WEBHOOK_SECRET,
        )
        for n in (1, 2)
    ]
    meeting = threading.Barrier(2)
    outcomes: list[str] = []

    with serving(app) as url:

        def deliver(body: bytes, header: str) -> None:
            meeting.wait(timeout=10)
            answer = requests.post(
                f"{url}/webhooks/stripe",
                data=body,
                headers={"Stripe-Signature": header, "Content-Type": "application/json"},
                timeout=30,
            )
            outcomes.append(answer.json()["outcome"])

        threads = [threading.Thread(target=deliver, args=pair) for pair in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert sorted(outcomes) == ["needs attention: paid twice", "paid"]
    after = fresh_order(session, order.id)
    assert after.status == OrderStatus.PAID and after.needs_attention
    assert len(emails_of(session, order.id)) == 1
    assert [a.status for a in attempts_of(session, order.id)] == ["succeeded", "succeeded"]


# --- refunds reported by Stripe -----------------------------------------------------------


@pytest.fixture
def paid(verified_client, session, order, live):  # type: ignore[no-untyped-def]
    assert send(live, "payment_intent.succeeded", intent_of(order)) == "paid"
    return fresh_order(session, order.id)


def test_a_dashboard_refund_is_recorded_once_whichever_of_its_two_events_comes_first(
    verified_client, session, paid, live
):
    # Stripe sends refund.created and charge.refunded for a refund made in its Dashboard;
    # here charge.refunded (which names no refund) comes first.
    first = send(live, "charge.refunded", charge_of(paid, refunded=1000))
    second = send(live, "refund.created", refund_of(paid, "re_dash_1", 1000))

    assert (first, second) == ("refunded 1000: 1000 new", "refund succeeded: no change")
    [refund] = refunds_of(session, paid.id)
    assert (refund.provider_refund_id, refund.amount_cents, refund.origin) == (
        "re_dash_1",
        1000,
        RefundOrigin.PROVIDER,
    )
    after = fresh_order(session, paid.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.PARTIALLY_REFUNDED, 1000)


def test_a_dashboard_refund_whose_own_event_comes_first_is_not_counted_again(
    verified_client, session, paid, live
):
    send(live, "refund.created", refund_of(paid, "re_dash_2", 3990))
    outcome = send(live, "charge.refunded", charge_of(paid, refunded=3990))

    assert outcome == "refunded 3990: known"
    assert [r.amount_cents for r in refunds_of(session, paid.id)] == [3990]
    after = fresh_order(session, paid.id)
    assert (after.status, after.refunded_cents) == (OrderStatus.REFUNDED, 3990)


def test_a_refund_that_fails_gives_its_amount_back_to_refundable_and_tells_staff(
    verified_client, client, session, paid, live
):
    send(live, "refund.created", refund_of(paid, "re_dash_3", 3990, status="pending"))
    assert fresh_order(session, paid.id).status == OrderStatus.REFUNDED

    outcome = send(
        live,
        "refund.failed",
        refund_of(
            paid, "re_dash_3", 3990, status="failed", failure_reason="expired_or_canceled_card"
        ),
    )

    assert outcome == "refund failed"
    [refund] = refunds_of(session, paid.id)
    assert (refund.status, refund.failure_reason) == (
        RefundStatus.FAILED,
        "expired_or_canceled_card",
    )
    after = fresh_order(session, paid.id)
    assert (after.status, after.refunded_cents, after.needs_attention) == (
        OrderStatus.PAID,
        0,
        True,
    )
    assert "Refund of €39.90 failed (expired_or_canceled_card)" in attention_of(after)
    signed_in(client, session, "manager")
    detail = page_text(client, f"/admin/orders/{paid.id}")
    assert "failed (expired_or_canceled_card)" in detail
    assert "Amount in euros (at most €39.90)" in detail  # refundable again


def test_a_late_pending_never_undoes_a_succeeded_refund(verified_client, session, paid, live):
    send(live, "refund.updated", refund_of(paid, "re_dash_4", 500, status="succeeded"))
    outcome = send(live, "refund.created", refund_of(paid, "re_dash_4", 500, status="pending"))

    assert outcome == "refund succeeded: no change"
    [refund] = refunds_of(session, paid.id)
    assert refund.status == RefundStatus.SUCCEEDED


def test_a_refund_reported_before_the_payment_ends_paid_then_refunded_each_told_once(
    verified_client, session, product, order, live
):
    """Out of order: Stripe delivers charge.refunded before payment_intent.succeeded."""
    assert stock_of(session, product.id) == 3

    send(live, "charge.refunded", charge_of(order, refunded=order.total_cents))
    assert fresh_order(session, order.id).status == OrderStatus.PENDING_PAYMENT
    outcome = send(live, "payment_intent.succeeded", intent_of(order))

    assert outcome == "paid"
    after = fresh_order(session, order.id)
    assert (after.status, after.refunded_cents, after.paid_at is not None) == (
        OrderStatus.REFUNDED,
        order.total_cents,
        True,
    )
    # the refund (told when Stripe reported it) and the purchase record, each once
    assert [e.kind for e in emails_of(session, order.id)] == [
        "order_refunded",
        "order_confirmation",
    ]
    assert stock_of(session, product.id) == 3  # reserved once, not taken or given twice
    assert "Status: Refunded" in page_text(verified_client, f"/orders/{order.token}")


# --- disputes and fraud warnings ----------------------------------------------------------


def test_a_dispute_flags_the_order_with_amount_reason_and_deadline_and_is_audited(
    verified_client, client, session, paid, live
):
    dispute = stripe_shapes.dispute(
        id="dp_test_1",
        amount=3990,
        charge=f"ch_of_pi_order_{paid.id}",
        payment_intent=f"pi_order_{paid.id}",
        reason="product_not_received",
        due_by=1_893_456_000,  # 2030-01-01 00:00 UTC
    )

    outcome = send(live, "charge.dispute.created", dispute)

    assert outcome == "dispute needs_response"
    after = fresh_order(session, paid.id)
    assert after.needs_attention
    assert (
        "Dispute dp_test_1 (€39.90, product_not_received), evidence due by "
        "2030-01-01 01:00: answer it in Stripe." in attention_of(after)
    )
    row = session.scalars(select(PaymentDispute)).one()
    assert (row.kind, row.order_id, row.amount_cents, row.status, row.outcome) == (
        DisputeKind.DISPUTE,
        paid.id,
        3990,
        "needs_response",
        "",
    )
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "dispute_opened")).one()
    assert (entry.staff_email, entry.object_id) == ("Stripe", str(paid.id))

    signed_in(client, session, "manager")
    dashboard = page_text(client, "/admin/")
    assert "Dispute €39.90, product_not_received — evidence due by 2030-01-01 01:00" in dashboard
    detail = page_text(client, f"/admin/orders/{paid.id}")
    assert "dp_test_1" in detail and "open: answer it in Stripe" in detail


@pytest.mark.parametrize("result", ["won", "lost"])
def test_a_closed_dispute_records_whether_it_was_won_or_lost(
    verified_client, session, paid, result, live
):
    fields = {
        "id": "dp_test_2",
        "charge": f"ch_of_pi_order_{paid.id}",
        "payment_intent": f"pi_order_{paid.id}",
    }
    send(live, "charge.dispute.created", stripe_shapes.dispute(**fields))
    send(
        live,
        "charge.dispute.updated",
        stripe_shapes.dispute(status="under_review", **fields),
    )

    outcome = send(live, "charge.dispute.closed", stripe_shapes.dispute(status=result, **fields))

    assert outcome == f"dispute {result}"
    row = session.scalars(select(PaymentDispute)).one()
    assert (row.outcome, row.closed_at is not None) == (result, True)
    assert f"Dispute dp_test_2 (€10.00, fraudulent) closed: {result}." in attention_of(
        fresh_order(session, paid.id)
    )
    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_id == str(paid.id))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["dispute_opened", "dispute_updated", "dispute_closed"]


def test_a_dispute_found_by_its_charge_when_it_names_no_intent(
    verified_client, session, paid, live
):
    dispute = stripe_shapes.dispute(charge=f"ch_of_pi_order_{paid.id}", payment_intent=None)

    send(live, "charge.dispute.created", dispute)

    assert session.scalars(select(PaymentDispute)).one().order_id == paid.id


def test_an_early_fraud_warning_flags_the_order_and_suggests_a_refund(
    verified_client, session, paid, live
):
    warning = stripe_shapes.early_fraud_warning(
        charge=f"ch_of_pi_order_{paid.id}", payment_intent=f"pi_order_{paid.id}"
    )

    outcome = send(live, "radar.early_fraud_warning.created", warning)

    assert outcome == "early_fraud_warning actionable"
    reason = attention_of(fresh_order(session, paid.id))
    assert "Early fraud warning" in reason and "made_with_stolen_card" in reason
    assert "Consider refunding it before it becomes a dispute." in reason


def test_a_dispute_about_a_payment_the_shop_does_not_know_is_kept_for_staff(
    verified_client, session, live
):
    outcome = send(live, "charge.dispute.created", stripe_shapes.dispute(id="dp_ghost"))

    assert outcome == "dispute for a payment the shop does not know"
    [event] = events_of(session)
    assert event.needs_attention
    assert session.scalars(select(PaymentDispute)).one().order_id is None


def test_every_event_type_the_shop_handles_is_one_of_the_pinned_version():
    from shop.services.webhooks import HANDLED_EVENT_TYPES
    from tests.stripe_contract import EVENT_TYPES

    assert set(HANDLED_EVENT_TYPES) <= set(EVENT_TYPES)
    # the README lists exactly these for the webhook endpoint
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("Events to enable") :]
    listed = re.findall(r"`([a-z_.]+)`", section[: section.index("\n\n", 40)])
    assert sorted(listed) == sorted(HANDLED_EVENT_TYPES)


@pytest.mark.parametrize("event_type", ["refund.updated", "charge.refund.updated"])
def test_a_refund_update_under_either_name_moves_the_refund_on(
    verified_client, session, paid, live, event_type
):
    send(live, "refund.created", refund_of(paid, "re_dash_5", 700, status="pending"))

    outcome = send(live, event_type, refund_of(paid, "re_dash_5", 700, status="succeeded"))

    assert outcome == "refund succeeded"
    [refund] = refunds_of(session, paid.id)
    assert (refund.status, refund.amount_cents) == (RefundStatus.SUCCEEDED, 700)


def test_an_updated_fraud_warning_updates_its_row_without_a_second_one(
    verified_client, session, paid, live
):
    fields = {
        "id": "issfr_test_1",
        "charge": f"ch_of_pi_order_{paid.id}",
        "payment_intent": f"pi_order_{paid.id}",
    }
    send(live, "radar.early_fraud_warning.created", stripe_shapes.early_fraud_warning(**fields))

    outcome = send(
        live,
        "radar.early_fraud_warning.updated",
        stripe_shapes.early_fraud_warning(actionable=False, **fields),
    )

    assert outcome == "early_fraud_warning not actionable"
    row = session.scalars(select(PaymentDispute)).one()
    assert (row.kind, row.status, row.amount_cents) == (
        DisputeKind.EARLY_FRAUD_WARNING,
        "not actionable",
        paid.total_cents,
    )


def test_a_bank_still_confirming_holds_the_order_past_its_time(
    verified_client, session, product, order, live
):
    from datetime import timedelta

    from shop.services.orders.holds import expire_due_orders

    send(live, "payment_intent.processing", intent_of(order, status="processing"))
    late = order.expires_at + timedelta(hours=2)

    assert expire_due_orders(session, now=late) == 0
    assert (fresh_order(session, order.id).status, stock_of(session, product.id)) == (
        OrderStatus.PENDING_PAYMENT,
        3,
    )
    text = page_text(verified_client, f"/orders/{order.token}")
    assert "We hold the products for you until the payment is confirmed." in text
    assert "Please pay before" not in text

    # the bank refuses after all: the order can expire again, and does
    refused = intent_of(
        order,
        status="requires_payment_method",
        last_payment_error={"code": "payment_method_provider_decline", "message": "declined"},
    )
    send(live, "payment_intent.payment_failed", refused)
    assert expire_due_orders(session, now=late) == 1
    assert stock_of(session, product.id) == 5


@pytest.mark.parametrize(
    ("error", "dutch"),
    [
        (
            {"code": "card_declined", "decline_code": "insufficient_funds", "message": "x"},
            "Je betaling is niet gelukt: Er staat niet genoeg saldo op je kaart.",
        ),
        (
            {"code": "payment_method_provider_decline", "message": "The bank said no."},
            "Je betaling is niet gelukt: Je bank heeft de betaling niet goedgekeurd.",
        ),
        (
            {"code": "some_new_code", "message": "Stripe's own words."},
            "Je betaling is niet gelukt: Stripe's own words.",
        ),
    ],
    ids=["insufficient-funds", "bank-refused", "unknown-code"],
)
def test_a_failed_payment_is_explained_in_the_customers_language(
    verified_client, session, order, live, error, dutch
):
    failed = intent_of(order, status="requires_payment_method", last_payment_error=error)

    send(live, "payment_intent.payment_failed", failed)

    page = verified_client.get(f"/orders/{order.token}", headers={"Accept-Language": "nl"})
    assert dutch in " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))).split()
    )
