"""Journey 4: checkout refuses an order without the box acknowledging the warnings, saying so
next to the box; with the box ticked the order is placed and its page shown."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from shop.demo_data import load_demo_data
from tests.e2e.browsing import (
    CAPSULES,
    CAPSULES_NAME,
    acknowledgement_box,
    add_to_cart,
    fill_checkout_form,
    order_status,
    pass_age_gate,
    snap,
)

PRODUCTS = load_demo_data().products

PLEASE_CONFIRM = "Please confirm that you have read the warnings and allergy information."


def test_checkout_without_the_acknowledgement_stays_and_says_why_next_to_the_box(page, shop):
    pass_age_gate(page, shop.url)
    add_to_cart(page, shop.url, CAPSULES)
    page.goto(f"{shop.url}/checkout")
    warnings = page.get_by_role("region", name="Warnings and allergy information")
    first_disclaimer = next(p for p in PRODUCTS if p["slug"] == CAPSULES)["disclaimers"][0]
    expect(warnings.get_by_text(first_disclaimer["text"]["en"])).to_be_visible()
    fill_checkout_form(page)
    box = acknowledgement_box(page)

    page.get_by_role("button", name="Order and pay").click()

    # The browser's own check stops the form and takes the customer to the box.
    expect(page).to_have_url(f"{shop.url}/checkout")
    expect(box).to_be_focused()
    assert box.evaluate("box => box.validationMessage"), "the browser says what is missing"

    # The shop's check, as a browser that does not check forms meets it.
    page.locator("form.checkout-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Order and pay").click()

    expect(page).to_have_url(f"{shop.url}/checkout")
    summary = page.get_by_role("alert").filter(has_text="Please correct 1 thing")
    expect(summary.get_by_role("link", name=PLEASE_CONFIRM)).to_have_attribute(
        "href", "#f-acknowledged"
    )
    expect(box).not_to_be_checked()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description(PLEASE_CONFIRM)
    error = page.locator(".acknowledge .field-error")
    expect(error).to_have_text(PLEASE_CONFIRM)
    error_box, box_box = error.bounding_box(), box.bounding_box()
    assert error_box and box_box
    gap = box_box["y"] - (error_box["y"] + error_box["height"])
    assert 0 <= gap <= 24, f"the error sits {gap} px above the box"
    expect(page.get_by_label("E-mail address")).to_have_value("ann@example.nl")
    expect(page.get_by_label("Postcode")).to_have_value("1016 GV")
    snap(page, "4-checkout-without-acknowledgement")

    box.check()
    page.get_by_role("button", name="Order and pay").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(shop.url)}/orders/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order \S+"))
    expect(order_status(page)).to_have_text("Status: Awaiting payment")
    acknowledged = page.get_by_role("region", name="Warnings you acknowledged")
    expect(acknowledged.get_by_role("heading", name=CAPSULES_NAME)).to_be_visible()
    expect(acknowledged).to_contain_text(first_disclaimer["text"]["en"])
    expect(page.get_by_role("link", name=re.compile(r"^Pay €"))).to_be_visible()
    snap(page, "4-order")
