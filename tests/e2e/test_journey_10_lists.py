"""Journey 10: buying from a product list, with and without JavaScript, and a product page
that puts the buy box first on a phone, its warnings as a summary over the full texts, and
related products under it. Screenshots at phone and laptop size, in English and Dutch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import (
    CAPSULES,
    CAPSULES_NAME,
    DESKTOP,
    PHONE,
    assert_no_horizontal_scrolling,
    pass_age_gate,
    snap,
)

CATEGORY = "/category/medicinal-mushrooms"
ADD_CAPSULES = f"Add to cart: {CAPSULES_NAME}"


@pytest.fixture
def page_without_javascript(browser: Any) -> Iterator[Page]:
    context = browser.new_context(
        viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Amsterdam", java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def dutch_page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def cart_count(page: Page) -> Any:
    return page.locator("header .cart-count")


def test_without_javascript_adding_from_a_category_comes_back_with_the_count(
    page_without_javascript, shop
):
    page = page_without_javascript
    pass_age_gate(page, shop.url, CATEGORY)

    page.get_by_role("button", name=ADD_CAPSULES).click()

    expect(page).to_have_url(shop.url + CATEGORY)
    expect(
        page.get_by_role("status").filter(has_text=f"{CAPSULES_NAME} added to your cart.")
    ).to_be_visible()
    expect(cart_count(page)).to_have_text("1")


def test_with_javascript_adding_stays_on_the_page_and_says_so(page, shop):
    pass_age_gate(page, shop.url, CATEGORY)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    page.get_by_role("button", name=ADD_CAPSULES).click()

    live = page.locator("[data-cart-live]")
    expect(live).to_have_text(f"{CAPSULES_NAME} added to your cart.")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(cart_count(page)).to_have_text("1")
    page.get_by_role("button", name=ADD_CAPSULES).click()
    expect(cart_count(page)).to_have_text("2")
    assert navigations == [], "the page was left"
    snap(page, "journey-10-added-from-a-list-en")


def test_on_a_phone_the_buy_box_is_in_the_first_screen_and_warnings_fold(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url, f"/products/{CAPSULES}")

    buy = page.get_by_role("button", name="Add to cart", exact=True)
    box = buy.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    assert_no_horizontal_scrolling(page)

    safety = page.get_by_role("region", name="Warnings and allergy information")
    summary = safety.locator("summary")
    expect(summary).to_contain_text(re.compile(r"\d+ warnings? · Allergy: "))
    first_warning = safety.locator(".disclaimer").first
    expect(first_warning).to_be_visible()  # open in place: nothing is behind a click
    summary.click()
    expect(first_warning).to_be_hidden()
    summary.click()
    expect(first_warning).to_be_visible()

    related = page.get_by_role("region", name="You may also like")
    expect(related.get_by_role("listitem")).not_to_have_count(0)
    snap(page, "journey-10-product-en")
    page.goto(f"{shop.url}{CATEGORY}")
    snap(page, "journey-10-category-en")


def test_the_pages_in_dutch(dutch_page, shop):
    page = dutch_page
    page.goto(f"{shop.url}/age-gate?next={CATEGORY}")
    page.get_by_role("button", name="Ja, ik ben 18 jaar of ouder").click()
    expect(page).to_have_url(shop.url + CATEGORY)
    page.wait_for_load_state("load")  # cart.js in place before the click (see pass_age_gate)
    snap(page, "journey-10-category-nl")

    page.get_by_role("button", name=re.compile(r"^In winkelwagen: Lion")).first.click()
    expect(page.locator("[data-cart-live]")).to_contain_text("toegevoegd aan je winkelwagen")
    snap(page, "journey-10-added-from-a-list-nl")

    page.goto(f"{shop.url}/products/{CAPSULES}")
    expect(
        page.get_by_text(re.compile(r"Bevat schimmels \(paddenstoelen\)\.")).first
    ).to_be_visible()
    snap(page, "journey-10-product-nl")
