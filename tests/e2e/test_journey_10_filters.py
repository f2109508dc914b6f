"""Journey 10: a customer narrows a category down and recovers from a misspelt search.

With JavaScript, ticking "In stock only" changes the address and the grid at once, with no
button to press; without it, the same form has an "Apply" button that does the same. On a
phone the filters are folded above the grid, so the first product is on the first screen.
A search with a typo suggests the product that was meant. Screenshots of each step at
390×844 and 1280×800, in English and Dutch, go to `tests/e2e/artifacts/10-*.png`.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.browsing import (
    DESKTOP,
    PHONE,
    accessibility_problems,
    assert_no_horizontal_scrolling,
    describe_problems,
    open_menu,
    pass_age_gate,
    snap,
)

TRUFFLES = "/category/magic-truffles"  # five kinds of truffles, Atlantis sold out
MUSHROOMS = "/category/medicinal-mushrooms"  # three kinds of capsules, two powders
SOLD_OUT = "Magic Truffles Atlantis – 15 g"


def test_ticking_in_stock_narrows_the_grid_and_the_address_without_a_button(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url, TRUFFLES)
    page.goto(shop.url + TRUFFLES)
    grid = page.locator(".product-grid")
    expect(page.get_by_role("status")).to_have_text("5 products")
    expect(grid.get_by_role("link", name=SOLD_OUT)).to_be_visible()
    # Folded on a phone: the first product starts on the first screen.
    expect(grid.locator("li").first).to_be_in_viewport()
    snap(page, "10-category-filters-closed", full_page=False)

    page.get_by_text("Filter and sort").click()
    expect(page.get_by_role("button", name="Apply")).to_be_hidden()
    snap(page, "10-category-filters-open", full_page=False)
    page.get_by_role("checkbox", name="In stock only").check()

    expect(page).to_have_url(f"{shop.url}{TRUFFLES}?in_stock=1")
    expect(page.get_by_role("status")).to_have_text("4 products")
    expect(grid.get_by_role("link", name=SOLD_OUT)).to_have_count(0)
    expect(page.get_by_role("checkbox", name="In stock only")).to_be_checked()
    expect(page.get_by_text("Filter and sort (1)")).to_be_visible()
    assert_no_horizontal_scrolling(page)
    snap(page, "10-category-filtered", full_page=False)


def test_a_typed_price_range_applies_itself_after_a_pause(page, shop):
    page.set_viewport_size(DESKTOP)
    pass_age_gate(page, shop.url, MUSHROOMS)
    page.goto(shop.url + MUSHROOMS)
    expect(page.get_by_role("status")).to_have_text("5 products")

    # On a laptop the filters are a sidebar, open without a click.
    page.get_by_role("textbox", name="To").fill("25")

    expect(page).to_have_url(f"{shop.url}{MUSHROOMS}?max=25")
    expect(page.get_by_role("status")).to_have_text("3 products")  # 19.95, 22.95, 24.95
    expect(page.get_by_role("textbox", name="To")).to_be_focused()
    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_role("status")).to_have_text("5 products")


def test_without_javascript_the_apply_button_applies_the_filters(browser, shop):
    context = browser.new_context(
        viewport=PHONE, locale="en-GB", timezone_id="Europe/Amsterdam", java_script_enabled=False
    )
    try:
        page = context.new_page()
        pass_age_gate(page, shop.url, MUSHROOMS)
        page.goto(shop.url + MUSHROOMS)
        page.get_by_text("Filter and sort").click()
        page.get_by_role("checkbox", name=re.compile(r"^Capsules")).check()
        expect(page).to_have_url(f"{shop.url}{MUSHROOMS}")  # nothing happens by itself

        page.get_by_role("button", name="Apply").click()

        expect(page).to_have_url(f"{shop.url}{MUSHROOMS}?kind=capsules")
        expect(page.get_by_role("status")).to_have_text("3 products")
        expect(
            page.locator(".product-grid").get_by_role("link", name=re.compile("Powder"))
        ).to_have_count(0)
    finally:
        context.close()


def test_a_misspelt_search_suggests_the_product_meant(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url)
    page.get_by_role("searchbox", name="Search products").fill("lions mane powdr")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page.get_by_role("status")).to_have_text("No results for “lions mane powdr”")
    suggestion = page.locator(".did-you-mean").get_by_role("link").first
    expect(suggestion).to_have_text("Lion's Mane Powder – 100 g")
    expect(page.get_by_role("link", name="Medicinal Mushrooms").last).to_be_visible()
    snap(page, "10-search-no-results", full_page=False)
    suggestion.click()
    expect(page).to_have_url(f"{shop.url}/products/lions-mane-powder")


def test_the_filters_and_the_suggestions_in_dutch_pass_axe(browser, shop, axe_script):
    context = browser.new_context(
        # The shop's Content-Security-Policy refuses inline scripts, axe's included.
        viewport=PHONE,
        locale="en-GB",
        timezone_id="Europe/Amsterdam",
        bypass_csp=True,
    )
    try:
        page = context.new_page()
        pass_age_gate(page, shop.url, MUSHROOMS)
        open_menu(page)  # on a phone the language switch is in the header's menu
        page.get_by_role("button", name="Nederlands").click()
        expect(page).to_have_url(shop.url + MUSHROOMS)
        summary = page.locator(".filters > summary")
        expect(summary).to_have_text("Filteren en sorteren")
        expect(page.locator(".product-grid li").first).to_be_in_viewport()
        snap(page, "10-nl-category-filters-closed", full_page=False)
        summary.click()
        # A price range reads "Van … Tot …", not an e-mail's "Aan".
        expect(page.get_by_label("Tot", exact=True)).to_be_visible()
        snap(page, "10-nl-category-filters-open", full_page=False)
        problems = accessibility_problems(page, axe_script)
        assert not problems, describe_problems(problems)

        page.goto(shop.url + MUSHROOMS + "?min=30&max=10")
        expect(page.get_by_role("alert")).to_contain_text("De laagste prijs is hoger")
        snap(page, "10-nl-category-bad-price", full_page=False)
        problems = accessibility_problems(page, axe_script)
        assert not problems, describe_problems(problems)
        page.goto(shop.url + MUSHROOMS + "?min=500")
        expect(page.get_by_text("Geen producten passen bij deze filters.")).to_be_visible()
        snap(page, "10-nl-category-no-match", full_page=False)

        page.goto(shop.url + "/search?q=chagga")
        expect(page.locator(".did-you-mean")).to_contain_text("Bedoelde je:")
        expect(page.locator(".did-you-mean").get_by_role("link")).to_have_text(
            "Chaga poeder – 50 gram"
        )
        snap(page, "10-nl-search-no-results", full_page=False)
        problems = accessibility_problems(page, axe_script)
        assert not problems, describe_problems(problems)
    finally:
        context.close()
