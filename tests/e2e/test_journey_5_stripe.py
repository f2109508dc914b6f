"""Journey 5: paying by card through Stripe.js against today's Stripe (the strict peer in
front of localstripe). The payment page is the production one (static/js/payment.js, written
for Stripe's Payment Element); only Stripe.js itself is the test's stand-in
(shims/stripe-v3-stand-in.js).

The order paid here is the one the manager refunds in journey 7 (`paid_by_card`)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.browsing import (
    order_status,
    pay_by_card,
    place_order,
    reload_until,
    snap,
    use_stripe_js_stand_in,
)

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0341"
PAY = re.compile(r"^Pay €")


def test_a_card_payment_makes_the_order_paid_once_stripes_webhook_lands(
    page, context, stripe_shop, stripe_peer, paid_by_card
):
    use_stripe_js_stand_in(context, stripe_peer.url)
    order_url = place_order(page, stripe_shop.url)
    page.get_by_role("link", name=PAY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Pay order "))
    expect(page.get_by_label("Card number")).to_be_visible()
    snap(page, "5-stripe-payment")

    pay_by_card(page, GOOD_CARD)

    expect(page).to_have_url(re.compile(rf"^{re.escape(order_url)}\?payment_intent=pi_"))
    expect(page).to_have_url(re.compile(r"redirect_status=succeeded"))
    # Coming back from Stripe proves nothing: until the webhook lands the page says so.
    if "Awaiting payment" in order_status(page).inner_text():
        expect(page.get_by_role("status")).to_contain_text("Your payment is being processed")
        snap(page, "5-stripe-processing")
    reload_until(page, order_status(page), "Paid")
    expect(order_status(page)).to_have_text("Status: Paid")
    expect(page.get_by_role("status")).to_have_text("Payment received. Thank you!")
    snap(page, "5-stripe-paid")
    paid_by_card["order_url"] = order_url
    heading = page.get_by_role("heading", level=1).inner_text()
    paid_by_card["number"] = heading.removeprefix("Order ")
    # The page talked to Stripe as Stripe.js does: the publishable key, never a secret one.
    from_page = [r for r in stripe_peer.requests if not r.from_shop]
    assert from_page and all(r.publishable for r in from_page), from_page


def test_a_declined_card_is_shown_and_the_order_stays_payable(
    page, context, stripe_shop, stripe_peer
):
    use_stripe_js_stand_in(context, stripe_peer.url)
    order_url = place_order(page, stripe_shop.url)
    page.get_by_role("link", name=PAY).click()

    pay_by_card(page, DECLINED_CARD)

    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    expect(page.get_by_role("button", name=PAY)).to_be_enabled()
    snap(page, "5-stripe-declined")
    page.goto(order_url)
    # Stripe's payment_failed event lands about a second later; the order page then says why.
    reload_until(page, page.locator(".order-status"), "did not go through")
    expect(page.get_by_role("alert")).to_have_text(
        "Your payment did not go through: Your card was declined."
    )
    expect(order_status(page)).to_have_text("Status: Awaiting payment")
    expect(page.get_by_role("link", name=PAY)).to_be_visible()
    snap(page, "5-stripe-declined-order")
