"""Journey 10: the shop laid out for a phone first. On a 390×844 phone the first product
card starts within the first screen on the home page, a category and a search, with one
and with two running public codes; the codes share one compact strip, which stays on the
cart and is gone from the checkout and the order page; the menu opens without JavaScript;
the footer ends the window on a short page; prices never break inside the number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from shop.rules.promotions import Kind, window_from_local
from tests.e2e.browsing import (
    CAPSULES,
    PHONE,
    acknowledgement_box,
    add_to_cart,
    assert_no_horizontal_scrolling,
    fill_checkout_form,
    open_menu,
    pass_age_gate,
    place_order,
    sign_in_to_back_office,
    snap,
)

SECOND_CODE = "LAYOUT5"
PAGES_WITH_PRODUCTS = ["/", "/category/medicinal-mushrooms", "/search?q=mushroom"]

_TOP_OF_FIRST_CARD = """() => {
  const card = document.querySelector(".product-card");
  return card === null ? null : card.getBoundingClientRect().top + window.scrollY;
}"""


@pytest.fixture
def second_public_code(servers) -> Iterator[str]:
    """A second running public code beside the demo's seasonal one, removed afterwards (the
    other journeys see the demo's one code)."""
    from sqlalchemy import delete

    from shop import clock, create_app
    from shop.extensions import db
    from shop.models.promotions import PromoCode
    from shop.services.promotions import PromoDraft, create_promo_code
    from tests.conftest import settings_for

    app = create_app(settings_for(servers.database_url))
    with app.app_context():
        today = clock.now().astimezone(clock.shop_timezone()).date()
        draft = PromoDraft(
            code=SECOND_CODE,
            kind=Kind.AMOUNT,
            value=500,
            window=window_from_local(
                today - timedelta(days=1), today + timedelta(days=9), clock.shop_timezone()
            ),
            is_public=True,
            banner_title_en="Five off",
            banner_title_nl="Vijf eraf",
        )
        promo_id = create_promo_code(db.session, draft, now=clock.now()).id
        # No transaction of this process may stay open while the shop writes (SQLite).
        db.session.remove()
        try:
            yield SECOND_CODE
        finally:
            db.session.execute(delete(PromoCode).where(PromoCode.id == promo_id))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()


def _first_card_top(page: Page, url: str) -> float:
    page.goto(url)
    top = page.evaluate(_TOP_OF_FIRST_CARD)
    assert top is not None, f"{url} shows no product card"
    return top


def _assert_first_card_on_first_screen(page: Page, shop_url: str, codes: int) -> None:
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop_url)
    strip = page.get_by_role("complementary", name="Promotion")
    expect(strip).to_have_count(1)
    expect(strip.locator("code")).to_have_count(codes)
    for path in PAGES_WITH_PRODUCTS:
        top = _first_card_top(page, shop_url + path)
        assert top < PHONE["height"], f"{path}: the first product starts at {top:.0f} px"


def test_with_one_code_the_first_product_starts_on_a_phones_first_screen(page, shop):
    _assert_first_card_on_first_screen(page, shop.url, codes=1)


def test_with_two_codes_they_share_one_strip_and_the_first_product_still_shows(
    page, shop, second_public_code
):
    _assert_first_card_on_first_screen(page, shop.url, codes=2)
    strip = page.get_by_role("complementary", name="Promotion")
    height = strip.bounding_box()["height"]
    # Two lines of at most 44 px (the dismiss buttons), and the strip's border and padding.
    assert height <= 100, f"two codes take {height:.0f} px"
    expect(strip).to_contain_text("€5.00 OFF")
    expect(strip).to_contain_text("code LAYOUT5")
    page.goto(shop.url + "/")
    snap(page, "10-home-two-codes")


def test_the_strip_stays_on_the_cart_and_leaves_the_checkout_and_the_order(page, shop):
    pass_age_gate(page, shop.url)
    add_to_cart(page, shop.url, CAPSULES)
    page.goto(f"{shop.url}/cart")
    expect(page.get_by_role("complementary", name="Promotion")).to_have_count(1)
    page.goto(f"{shop.url}/checkout")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("complementary", name="Promotion")).to_have_count(0)

    fill_checkout_form(page)
    acknowledgement_box(page).check()
    page.get_by_role("button", name="Order and pay").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Order "))).to_be_visible()
    expect(page.get_by_role("complementary", name="Promotion")).to_have_count(0)
    number = page.get_by_role("heading", level=1).locator(".nowrap")
    # The order number stays on one line, its hyphens included.
    height = number.bounding_box()["height"]
    line = float(number.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 30"))
    assert height < 1.5 * line, f"the order number wraps: {height} px for a {line} px line"


def test_a_dismissed_code_leaves_the_strip_without_javascript(browser, shop, second_public_code):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        pass_age_gate(page, shop.url)
        strip = page.get_by_role("complementary", name="Promotion")
        strip.get_by_role("button", name=f"Dismiss the promotion {SECOND_CODE}").click()
        expect(page).to_have_url(shop.url + "/")
        expect(strip.locator("code")).to_have_count(1)
        expect(strip).not_to_contain_text(SECOND_CODE)
    finally:
        context.close()


def test_the_menu_opens_without_javascript_and_holds_the_links(browser, shop):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        pass_age_gate(page, shop.url)
        menu = page.locator(".site-menu")
        menu_link = menu.get_by_role("link", name="Medicinal Mushrooms", exact=True)
        expect(menu_link).to_be_hidden()
        open_menu(page)
        for name in ["Medicinal Mushrooms", "Articles", "My orders"]:
            link = menu.get_by_role("link", name=name, exact=True)
            expect(link).to_be_visible()
            assert link.bounding_box()["height"] >= 44, f"{name} is a small tap target"
        expect(menu.get_by_role("button", name="Nederlands")).to_be_visible()
        menu_link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Medicinal Mushrooms")
    finally:
        context.close()


def test_the_header_on_a_phone_is_the_brand_the_cart_the_menu_and_the_search(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url)
    add_to_cart(page, shop.url, CAPSULES, quantity=3)
    cart = page.get_by_role("link", name="Cart, 3 items")
    expect(cart).to_be_visible()
    header = page.get_by_role("banner")
    height = header.bounding_box()["height"]
    assert height <= 130, f"the header takes {height:.0f} px of the phone's screen"
    for control in [cart, page.locator(".site-menu > summary"), page.get_by_role("searchbox")]:
        box = control.bounding_box()
        assert box["height"] >= 44, f"a small tap target: {box}"
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator(".site-menu > summary")).to_be_hidden()
    categories = page.get_by_role("navigation", name="Categories")
    expect(categories.get_by_role("link", name="Medicinal Mushrooms")).to_be_visible()


def test_the_footer_ends_the_window_on_a_short_page(page, shop):
    pass_age_gate(page, shop.url)
    page.goto(f"{shop.url}/my-orders")
    gap = page.evaluate(
        "() => window.innerHeight - document.querySelector('.site-footer')"
        ".getBoundingClientRect().bottom"
    )
    assert gap <= 1, f"{gap:.0f} px of empty page under the footer"


def test_prices_stay_whole_in_an_articles_related_products(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url)
    page.goto(f"{shop.url}/articles")
    page.locator(".article-card a").first.click()
    prices = page.locator(".related-products .price, .price")
    assert prices.count() > 0
    for index in range(prices.count()):
        price = prices.nth(index)
        lines = price.evaluate("e => e.getClientRects().length")
        assert lines == 1, f"{price.inner_text()!r} breaks over {lines} lines"


_TEXT_OUTSIDE_THE_CHART = """() => {
  const svg = document.querySelector("svg.sales-chart");
  const view = svg.viewBox.baseVal;
  return [...svg.querySelectorAll("text")].map(t => {
    const box = t.getBBox();
    return {text: t.textContent, left: box.x, right: box.x + box.width,
            top: box.y, bottom: box.y + box.height};
  }).filter(b => b.left < view.x || b.top < view.y
                 || b.right > view.x + view.width || b.bottom > view.y + view.height);
}"""


def test_every_label_of_the_promo_chart_lies_inside_the_drawing(page, shop, manager):
    # The demo's seasonal code began three days ago: its band is at the chart's right edge.
    sign_in_to_back_office(page, shop.url, manager)
    page.goto(f"{shop.url}/admin/promotions")
    labels = page.locator("svg.sales-chart .chart-window-label")
    expect(labels.first).to_be_visible()
    assert page.evaluate(_TEXT_OUTSIDE_THE_CHART) == []
    snap(page, "10-promo-chart")


_CELL_LABELS = """table => [...table.querySelector("tbody tr").querySelectorAll("td")].map(
  td => getComputedStyle(td, "::before").content)"""


@pytest.mark.parametrize(
    ("path", "table", "label"),
    [
        ("/admin/products", ".products-table", "Category"),
        ("/admin/promotions", ".promo-codes", "Kind"),
        ("/admin/orders", ".orders-table", "Placed"),
    ],
)
def test_the_back_offices_lists_are_cards_on_a_phone(page, shop, manager, path, table, label):
    if path == "/admin/orders":
        # An order of its own: tests run in any order, on any worker.
        place_order(page, shop.url, CAPSULES)
    sign_in_to_back_office(page, shop.url, manager)
    page.set_viewport_size(PHONE)
    page.goto(shop.url + path)
    assert_no_horizontal_scrolling(page)
    labels = page.locator(table).evaluate(_CELL_LABELS)
    assert f'"{label}"' in labels, labels
    assert (
        page.locator(f"{table} tbody tr").first.evaluate("tr => getComputedStyle(tr).display")
        == "block"
    )
    snap(page, "10-admin" + path.replace("/admin", "").replace("/", "-"))


def test_fields_and_buttons_share_one_height(page, shop):
    pass_age_gate(page, shop.url)
    add_to_cart(page, shop.url, CAPSULES)
    page.goto(f"{shop.url}/checkout")
    form = page.locator("main form").first
    heights = form.evaluate(
        """f => [...f.querySelectorAll("input[type=text], input[type=email], select")]
                 .map(e => Math.round(e.getBoundingClientRect().height))"""
    )
    assert len(heights) >= 5 and len(set(heights)) == 1, heights
    page.goto(f"{shop.url}/cart")
    code = page.get_by_label("Your code").bounding_box()["height"]
    apply = page.get_by_role("button", name="Apply", exact=True).bounding_box()["height"]
    assert round(code) == round(apply), (code, apply)
