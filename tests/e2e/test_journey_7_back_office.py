"""Journey 7: a manager signs in to the back office, publishes a product (refused while it
has no warnings), schedules a promo code for next week, and refunds the order journey 5
paid by card. Runs against the Stripe-configured shop, so the refund goes to Stripe (the
strict peer in front of localstripe).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.browsing import (
    DESKTOP,
    assert_readable,
    order_status,
    pass_age_gate,
    pay_by_card,
    place_order,
    reload_until,
    sign_in_to_back_office,
    snap,
    use_stripe_js_stand_in,
)

PRODUCT_NAME = "Golden Teacher Spore Syringe"
PRODUCT_SLUG = "golden-teacher-spore-syringe"
DISCLAIMER = ("For microscopy only. Not for consumption.", "Alleen voor microscopie.")
ALLERGY_WARNING = (
    "Do not use if you are allergic to mushrooms.",
    "Niet gebruiken als je allergisch bent voor paddenstoelen.",
)


def test_a_product_without_warnings_stays_out_of_the_shop_until_they_are_added(
    page, context, stripe_shop, manager
):
    sign_in_to_back_office(page, stripe_shop.url, manager)
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Products").click()
    page.get_by_role("link", name="New product").click()
    page.get_by_label("Name (English)").fill(PRODUCT_NAME)
    page.get_by_label("Category").select_option(label="Grow Kits")
    page.get_by_label("Summary (English)").fill("A 10 ml syringe of Golden Teacher spores.")
    page.get_by_label("Price in euros").fill("19,95")
    page.get_by_label("Stock").fill("12")
    page.get_by_label("Minimum age").fill("18")
    page.get_by_label("In the shop (published)").check()

    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("Saved as a draft, not published. Missing:")).to_be_visible()
    expect(page.get_by_text("Draft: not in the shop")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("This product cannot be published yet.")
    expect(page.get_by_role("note")).to_contain_text("disclaimer")
    expect(page.get_by_role("note")).to_contain_text("allerg")
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, "7-admin-product-refused", full_page=False)
    shopper = context.new_page()
    pass_age_gate(shopper, stripe_shop.url)
    response = shopper.goto(f"{stripe_shop.url}/products/{PRODUCT_SLUG}")
    assert response is not None and response.status == 404

    disclaimer = page.get_by_role("group", name="New disclaimer").first
    disclaimer.get_by_label("Kind").select_option(label="Legal")
    disclaimer.get_by_label("Text (English)").fill(DISCLAIMER[0])
    disclaimer.get_by_label("Text (Dutch)").fill(DISCLAIMER[1])
    page.get_by_label("Contains or may contain the allergens marked below").check()
    page.get_by_label("Fungi", exact=False).select_option(label="contains")
    page.get_by_label("Allergy warning (English)").fill(ALLERGY_WARNING[0])
    page.get_by_label("Allergy warning (Dutch)").fill(ALLERGY_WARNING[1])
    page.get_by_label("In the shop (published)").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("Saved. The product is in the shop.")).to_be_visible()
    expect(page.get_by_text("In the shop", exact=True)).to_be_visible()
    shopper.goto(f"{stripe_shop.url}/products/{PRODUCT_SLUG}")
    expect(shopper.get_by_role("heading", level=1)).to_contain_text(PRODUCT_NAME)
    safety = shopper.get_by_role("region", name="Warnings and allergy information")
    assert_readable(safety.get_by_text(DISCLAIMER[0]), "the new disclaimer")
    assert_readable(safety.get_by_text(ALLERGY_WARNING[0]), "the new allergy warning")
    assert_readable(shopper.get_by_role("button", name="Add to cart", exact=True), "the buy button")
    shopper.goto(f"{stripe_shop.url}/category/grow-kits")
    expect(shopper.get_by_role("link", name=PRODUCT_NAME)).to_be_visible()


def test_a_code_for_next_week_is_listed_as_scheduled(page, stripe_shop, manager):
    next_week = datetime.now(ZoneInfo("Europe/Amsterdam")).date() + timedelta(days=7)
    sign_in_to_back_office(page, stripe_shop.url, manager)
    page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Promo codes"
    ).click()
    page.get_by_role("link", name="New promo code").click()

    page.get_by_label("Code", exact=True).fill("NEXTWEEK15")
    page.get_by_label("Percentage off").check()
    page.get_by_label("Value", exact=True).fill("15")
    page.get_by_label("First day").fill(next_week.isoformat())
    page.get_by_label("Last day (included)").fill((next_week + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Create code").click()

    page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Promo codes"
    ).click()
    row = page.get_by_role("row").filter(has=page.locator("code", has_text="NEXTWEEK15"))
    expect(row).to_contain_text("scheduled")
    expect(row).to_contain_text("15%")
    snap(page, "7-admin-promo-list")


def _an_order_paid_by_card(page: Page, context, stripe_shop, stripe_peer) -> tuple[str, str]:
    """Journey 5's payment, for when this test runs without it."""
    use_stripe_js_stand_in(context, stripe_peer.url)
    order_url = place_order(page, stripe_shop.url)
    page.get_by_role("link", name=re.compile(r"^Pay €")).click()
    pay_by_card(page, "4242 4242 4242 4242")
    page.wait_for_url(re.compile(r"redirect_status=succeeded"))
    reload_until(page, order_status(page), "Paid")
    number = page.get_by_role("heading", level=1).inner_text().removeprefix("Order ")
    return order_url, number


def test_the_manager_refunds_the_order_paid_by_card(
    page, context, browser, stripe_shop, stripe_peer, manager, paid_by_card
):
    if "order_url" in paid_by_card:
        order_url, number = paid_by_card["order_url"], paid_by_card["number"]
    else:
        order_url, number = _an_order_paid_by_card(
            context.new_page(), context, stripe_shop, stripe_peer
        )
    sign_in_to_back_office(page, stripe_shop.url, manager)
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Orders").click()
    page.get_by_label("Number, e-mail or name").fill(number)
    page.get_by_role("button", name=re.compile("^(Filter|Show|Search)")).click()
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    snap(page, "7-admin-order")

    total = page.get_by_label(re.compile(r"^Amount in euros")).input_value()
    page.get_by_role("button", name="Refund…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the refund")
    snap(page, "7-admin-refund-confirm")
    page.get_by_role("button", name=re.compile(r"^Refund €")).click()

    expect(page.get_by_text(re.compile(r"^Refunded €"))).to_be_visible()
    refunds = page.get_by_role("region", name="Refunds")
    expect(refunds.get_by_role("row").nth(1)).to_contain_text(total)
    expect(refunds.get_by_role("row").nth(1)).to_contain_text("re_")  # Stripe's refund
    # The customer, in a browser of their own (a staff sign-in starts a new session).
    customer = browser.new_context(viewport=DESKTOP, locale="en-GB").new_page()
    pass_age_gate(customer, stripe_shop.url)
    customer.goto(order_url)
    expect(order_status(customer)).to_have_text("Status: Refunded")
    snap(customer, "7-customer-order-refunded")
    customer.context.close()
