"""Journey 3: two products in the cart, the running seasonal code from the banner applied,
and the ended Halloween code refused with its end date."""

from __future__ import annotations

from playwright.sync_api import expect

from shop.demo_data import load_demo_data
from tests.e2e.browsing import (
    CAPSULES,
    CAPSULES_NAME,
    PHONE,
    STARTER_KIT,
    STARTER_KIT_NAME,
    add_to_cart,
    pass_age_gate,
    snap,
)

PRODUCTS = load_demo_data().products

SEASONAL_PERCENT = 10  # the demo's running public code (shop/demo_promotions.py)


def _price_of(slug: str) -> int:
    return next(p["price_cents"] for p in PRODUCTS if p["slug"] == slug)


def _euros(cents: int) -> str:
    return f"€{cents / 100:,.2f}"


def test_the_seasonal_code_on_the_banner_takes_its_discount_off_the_cart(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url)
    add_to_cart(page, shop.url, CAPSULES)
    add_to_cart(page, shop.url, STARTER_KIT)
    page.get_by_role("link", name="View your cart").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    lines = page.get_by_role("table", name="Products in your cart")
    expect(lines.get_by_role("link", name=CAPSULES_NAME)).to_be_visible()
    expect(lines.get_by_role("link", name=STARTER_KIT_NAME)).to_be_visible()
    banner = page.get_by_role("complementary", name="Promotion")
    expect(banner).to_contain_text(f"{SEASONAL_PERCENT}% OFF")
    code = banner.locator("code").inner_text()

    page.get_by_label("Your code").fill(code.lower())
    page.get_by_role("button", name="Apply", exact=True).click()

    expect(page.get_by_role("status")).to_have_text(f"The code {code} was applied.")
    subtotal = _price_of(CAPSULES) + _price_of(STARTER_KIT)
    discount = (subtotal * SEASONAL_PERCENT + 50) // 100  # rounded half up, once
    summary = page.get_by_role("region", name="Summary")
    expect(summary.locator(".discount")).to_have_text(f"Discount ({code})−{_euros(discount)}")
    # The cheapest shipping to the Netherlands is estimated: PostNL's letterbox parcel,
    # € 4,50 below the free-shipping threshold of € 50.
    shipping = 450 if subtotal - discount < 5000 else 0
    expect(summary.locator(".shipping")).to_contain_text(_euros(shipping) if shipping else "Free")
    expect(summary.locator(".grand-total")).to_have_text(
        f"Total incl. VAT{_euros(subtotal - discount + shipping)}"
    )
    snap(page, "3-cart-with-code")


def test_the_ended_halloween_code_is_refused_naming_its_last_day(page, shop):
    pass_age_gate(page, shop.url)
    add_to_cart(page, shop.url, CAPSULES)
    add_to_cart(page, shop.url, STARTER_KIT)
    page.goto(f"{shop.url}/cart")

    page.get_by_label("Your code").fill("HALLOWEEN2025")
    page.get_by_role("button", name="Apply", exact=True).click()

    message = "This code ended on 2 November 2025."
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.get_by_label("Your code")).to_have_accessible_description(message)
    summary = page.get_by_role("region", name="Summary")
    expect(summary).not_to_contain_text("Discount")
    snap(page, "3-cart-ended-code")
