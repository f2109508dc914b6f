"""Journey 8: paying by iDEAL, a bank redirect, through Stripe.js against today's Stripe (the
strict peer in front of localstripe). The customer chooses iDEAL in the Payment Element,
Stripe sends them to their bank (the peer's test bank page) and the bank back to the order
page, which asks Stripe how the payment stands: the bank still working on it, then (the
page reloading itself) paid; or refused, and the order payable again.

The bank is played by the peer: its page's buttons, and `stripe_peer.bank_settles`."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.e2e.browsing import (
    PAY,
    order_status,
    pay_by_card,
    pay_by_ideal,
    place_order,
    snap,
    use_stripe_js_stand_in,
)

GOOD_CARD = "4242 4242 4242 4242"
WAITING = (
    "We are waiting for your bank to confirm the payment. This page updates by itself, and "
    "you will get an e-mail as soon as it is confirmed."
)
# The bank settles, then the page's next reload (every 5 s) shows it: allow a few of them.
BANK_TIMEOUT = 30_000


def to_the_bank(page: Page, context, stripe_shop, stripe_peer, *, in_dutch: bool = False) -> str:
    """Place an order, choose iDEAL on its payment page and pay: the customer arrives at the
    bank. The order page's URL."""
    use_stripe_js_stand_in(context, stripe_peer.url)
    order_url = place_order(page, stripe_shop.url)
    pay = PAY
    if in_dutch:
        page.get_by_role("button", name="Nederlands").click()
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        pay = re.compile(r"^Betaal €")
    page.get_by_role("link", name=pay).click()
    expect(page.get_by_role("radio", name="Card")).to_be_checked()
    pay_by_ideal(page, "ING", pay=pay)
    expect(page).to_have_url(re.compile(rf"^{re.escape(stripe_peer.url)}/_bank/pi_\w+\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Test bank")
    return order_url


def back_at(page: Page, order_url: str, redirect_status: str) -> str:
    """The customer is back on the order page from the bank: the PaymentIntent's id."""
    expect(page).to_have_url(
        re.compile(rf"^{re.escape(order_url)}\?.*redirect_status={redirect_status}")
    )
    return parse_qs(urlsplit(page.url).query)["payment_intent"][0]


def test_ideal_waits_for_the_bank_then_the_page_shows_paid_by_itself(
    page, context, stripe_shop, stripe_peer
):
    order_url = to_the_bank(page, context, stripe_shop, stripe_peer)
    page.get_by_role("button", name="Authorize test payment").click()

    intent_id = back_at(page, order_url, "succeeded")
    expect(page.get_by_role("status")).to_have_text(WAITING)
    expect(order_status(page)).to_have_text("Status: Awaiting payment")
    expect(page.get_by_role("link", name=PAY)).to_have_count(0)
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_attribute(
        "content", re.compile(r"^5; url=/orders/.*check=1")
    )
    snap(page, "8-ideal-waiting")
    assert stripe_peer.intent(intent_id)["status"] == "processing"

    stripe_peer.bank_settles(intent_id)

    # No reload by the test: the page's own meta refresh brings the news.
    expect(page.get_by_role("status")).to_have_text(
        "Payment received. Thank you!", timeout=BANK_TIMEOUT
    )
    expect(page).to_have_url(re.compile(r"[?&]check=\d+"))
    expect(order_status(page)).to_have_text("Status: Paid")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    snap(page, "8-ideal-paid")


def test_a_refusing_bank_leaves_the_order_payable_and_a_card_then_pays_it(
    page, context, stripe_shop, stripe_peer
):
    order_url = to_the_bank(page, context, stripe_shop, stripe_peer)
    page.get_by_role("button", name="Fail test payment").click()

    back_at(page, order_url, "failed")
    # The bank's own words once Stripe's payment_failed event is in, else the page's.
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(
            r"^Your payment (did not go through: Your bank did not approve the payment\.|"
            r"was not completed\. You can try again, .*)$"
        )
    )
    expect(order_status(page)).to_have_text("Status: Awaiting payment")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    expect(page.get_by_role("link", name=PAY)).to_be_visible()
    snap(page, "8-ideal-failed")

    page.get_by_role("link", name=PAY).click()
    expect(page.get_by_role("radio", name="iDEAL")).to_be_visible()
    pay_by_card(page, GOOD_CARD)

    back_at(page, order_url, "succeeded")
    expect(page.get_by_role("status")).to_have_text(
        "Payment received. Thank you!", timeout=BANK_TIMEOUT
    )
    expect(order_status(page)).to_have_text("Status: Paid")


def test_the_waiting_page_speaks_dutch(page, context, stripe_shop, stripe_peer):
    order_url = to_the_bank(page, context, stripe_shop, stripe_peer, in_dutch=True)
    page.get_by_role("button", name="Authorize test payment").click()

    back_at(page, order_url, "succeeded")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("status")).to_have_text(
        "We wachten tot je bank de betaling bevestigt. Deze pagina ververst vanzelf, en je "
        "krijgt een e-mail zodra de betaling bevestigd is."
    )
    expect(order_status(page)).to_have_text("Status: Wacht op betaling")
    snap(page, "8-ideal-waiting-nl")
