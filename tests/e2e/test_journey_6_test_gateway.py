"""Journey 6: with no Stripe keys the shop's built-in test gateway takes the payment, or
declines it, through the same signed-webhook code as Stripe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.browsing import order_status, place_order, snap

PAY = re.compile(r"^Pay €")


def test_paying_through_the_test_gateway_marks_the_order_paid(page, shop):
    order_url = place_order(page, shop.url)
    page.get_by_role("link", name=PAY).click()

    expect(page.get_by_role("note")).to_contain_text("Test mode")
    snap(page, "6-test-gateway")
    page.get_by_role("button", name="Pay (test mode)").click()

    expect(page).to_have_url(order_url)
    expect(order_status(page)).to_have_text("Status: Paid")
    expect(page.get_by_role("status")).to_have_text("Payment received. Thank you!")
    expect(page.get_by_role("link", name=PAY)).to_have_count(0)
    snap(page, "6-paid")


def test_a_payment_declined_by_the_test_gateway_leaves_the_order_payable(page, shop):
    order_url = place_order(page, shop.url)
    page.get_by_role("link", name=PAY).click()

    page.get_by_role("button", name="Decline (test mode)").click()

    expect(page).to_have_url(order_url)
    expect(page.get_by_role("alert")).to_contain_text("Your payment did not go through")
    expect(order_status(page)).to_have_text("Status: Awaiting payment")
    expect(page.get_by_role("link", name=PAY)).to_be_visible()
    snap(page, "6-declined")
