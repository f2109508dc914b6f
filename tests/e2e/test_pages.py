"""Every storefront page on a phone (390×844) and a laptop (1280×800): nothing scrolls
sideways, and the buy button and the warnings are shown and readable without zooming. The
pages the issue names, back-office login and product form included, are checked with
axe-core: no violation of impact serious or critical. Screenshots of each page at both sizes
go to `tests/e2e/artifacts/page-*.png`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.e2e.browsing import (
    ARTIFACTS,
    CAPSULES,
    DESKTOP,
    STARTER_KIT,
    WINDOW_SIZES,
    YES,
    accessibility_problems,
    add_to_cart,
    assert_no_horizontal_scrolling,
    assert_readable,
    describe_problems,
    place_order,
    sign_in_to_back_office,
)


@dataclass(frozen=True)
class ShopPage:
    """A page as a visitor reaches it: whose browser (`visitor`), at which path."""

    path: str
    visitor: str = "customer"  # or "newcomer" (nothing answered yet), "refused", "manager"
    # (what, how to find it) that must be shown readably; the footer's 18+ notice always
    must_read: list[tuple[str, Any]] = field(default_factory=list)


def _role(role: str, name: str | re.Pattern[str]) -> Any:
    # Exact: a product page's related cards have their own "Add to cart: <name>" buttons.
    return lambda page: page.get_by_role(role, name=name, exact=name == "Add to cart")


def _css(selector: str) -> Any:
    return lambda page: page.locator(selector).first


WARNINGS = ("the warnings", _role("region", "Warnings and allergy information"))

PAGES = {
    "gate": ShopPage("/age-gate", "newcomer", [("the yes button", _role("button", YES))]),
    "refused": ShopPage(
        "/age-gate/refused",
        "refused",
        [("the refusal", _role("heading", "Sorry, you cannot enter"))],
    ),
    "home": ShopPage("/"),
    "category": ShopPage("/category/magic-truffles"),
    "search": ShopPage("/search?q=truffles"),
    "product": ShopPage(
        f"/products/{CAPSULES}",
        must_read=[
            ("the buy button", _role("button", "Add to cart")),
            WARNINGS,
            ("the allergy warning", _css(".allergy-warning")),
        ],
    ),
    "cart": ShopPage(
        "/cart",
        must_read=[
            ("the checkout button", _role("link", "Go to checkout")),
            ("the allergy warning", _css(".allergy-short")),
        ],
    ),
    "checkout": ShopPage(
        "/checkout",
        must_read=[
            ("the order button", _role("button", "Order and pay")),
            WARNINGS,
            ("the acknowledgement", _css("label[for=f-acknowledged]")),
        ],
    ),
    "order": ShopPage(
        "{order}",
        must_read=[
            ("the pay button", _role("link", re.compile(r"^Pay €"))),
            ("the warnings", _role("region", "Warnings you acknowledged")),
        ],
    ),
    "payment": ShopPage(
        "{order}/pay", must_read=[("the pay button", _role("button", "Pay (test mode)"))]
    ),
    "terms": ShopPage("/legal/terms", "newcomer"),
    "privacy": ShopPage("/legal/privacy", "newcomer"),
}
BACK_OFFICE_PAGES = {
    "admin-login": ShopPage("/admin/login", "newcomer"),
    "admin-product-form": ShopPage("/admin/products/new", "manager"),
}
EVERY_PAGE = {**PAGES, **BACK_OFFICE_PAGES}
CHECKED_BY_AXE = ["gate", "refused", "home", "category", "product", "cart", "checkout", "order"]
CHECKED_BY_AXE += BACK_OFFICE_PAGES


@pytest.fixture(scope="module")
def visitors(browser: Any, shop: Any, manager: tuple[str, str]) -> dict[str, Any]:
    """Browser states to start from: a customer who passed the gate, placed an order and has
    two products in the cart again; a visitor who said no; a manager signed in."""
    states: dict[str, Any] = {"newcomer": None}
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    order_url = place_order(page, shop.url, CAPSULES)
    add_to_cart(page, shop.url, CAPSULES)
    add_to_cart(page, shop.url, STARTER_KIT)
    states["customer"] = context.storage_state()
    states["order"] = order_url.removeprefix(shop.url)
    context.close()

    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(f"{shop.url}/age-gate")
    page.get_by_role("button", name="No", exact=True).click()
    states["refused"] = context.storage_state()
    context.close()

    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    sign_in_to_back_office(page, shop.url, manager)
    states["manager"] = context.storage_state()
    context.close()
    return states


@pytest.fixture
def open_page(browser: Any, shop: Any, visitors: dict[str, Any]) -> Iterator[Any]:
    """Open one of EVERY_PAGE in a new context as its visitor would see it."""
    contexts = []

    def open_(name: str, viewport: dict[str, int], *, for_axe: bool = False) -> Page:
        spec = EVERY_PAGE[name]
        context = browser.new_context(
            # The shop's Content-Security-Policy refuses inline scripts, axe's included.
            bypass_csp=for_axe,
            viewport=viewport,
            locale="en-GB",
            timezone_id="Europe/Amsterdam",
            storage_state=visitors[spec.visitor],
        )
        contexts.append(context)
        page = context.new_page()
        path = spec.path.format(order=visitors["order"])
        response = page.goto(shop.url + path)
        assert response is not None and response.ok, f"{name}: {response and response.status}"
        assert urlsplit(page.url).path == urlsplit(path).path, f"{name} led to {page.url}"
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone_and_a_laptop_with_buy_button_and_warnings_readable(open_page, name):
    page = None
    for size, viewport in WINDOW_SIZES.items():
        if page is None:
            page = open_page(name, viewport)
        else:
            page.set_viewport_size(viewport)
            page.reload()
        # First the picture, so that a page failing the checks below can be looked at.
        page.screenshot(path=ARTIFACTS / f"page-{name}-{size}.png", full_page=True)
        assert_no_horizontal_scrolling(page)
        for what, find in PAGES[name].must_read:
            assert_readable(find(page), f"{name} at {size}: {what}")
        assert_readable(page.locator(".adults-only"), f"{name} at {size}: the 18+ notice")


@pytest.mark.parametrize("name", CHECKED_BY_AXE)
def test_page_has_no_serious_accessibility_problems(axe_script, open_page, name):
    page = open_page(name, DESKTOP, for_axe=True)
    if name in BACK_OFFICE_PAGES:  # the storefront's are taken by the test above
        page.screenshot(path=ARTIFACTS / f"page-{name}-desktop.png", full_page=True)
    problems = accessibility_problems(page, axe_script)
    assert not problems, f"axe on the {name} page:\n{describe_problems(problems)}"
