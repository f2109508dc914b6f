"""Journey 2: on a phone, a customer browses a category, searches, and opens a product whose
disclaimers and allergy warning are on the page itself, not behind a click."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from shop.demo_data import load_demo_data
from tests.e2e.browsing import (
    CAPSULES,
    CAPSULES_NAME,
    PHONE,
    assert_readable,
    open_menu,
    pass_age_gate,
    snap,
)

PRODUCTS = load_demo_data().products


def _demo_product(slug: str) -> dict:
    return next(product for product in PRODUCTS if product["slug"] == slug)


def test_a_customer_browses_searches_and_reads_a_products_warnings_without_a_click(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url)

    open_menu(page)  # on a phone the categories are in the header's menu
    categories = page.get_by_role("navigation", name="Categories")
    categories.get_by_role("link", name="Medicinal Mushrooms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Medicinal Mushrooms")
    expect(page.get_by_role("link", name=CAPSULES_NAME)).to_be_visible()
    snap(page, "2-category")

    page.get_by_role("searchbox", name="Search products").fill("lion's mane")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\d+ results? for “lion's mane”$"))
    snap(page, "2-search")
    page.get_by_role("link", name=CAPSULES_NAME).click()

    expect(page).to_have_url(f"{shop.url}/products/{CAPSULES}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(CAPSULES_NAME)
    assert_readable(page.get_by_role("button", name="Add to cart", exact=True), "the buy button")
    safety = page.get_by_role("region", name="Warnings and allergy information")
    product = _demo_product(CAPSULES)
    for disclaimer in product["disclaimers"]:
        assert_readable(safety.get_by_text(disclaimer["text"]["en"]), "a disclaimer")
    assert_readable(safety.get_by_text(product["allergy"]["warning"]["en"]), "the allergy warning")
    expect(safety.get_by_role("listitem").filter(has_text="fungi")).to_have_text(
        "Contains fungi (mushrooms)."
    )
    snap(page, "2-product")
