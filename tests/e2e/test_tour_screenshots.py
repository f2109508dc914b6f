"""The tour: every step of the main journeys photographed at phone and laptop size, in Dutch
and in English, into `artifacts/tour/` (ignored by git; `make screenshots` picks the few the
README shows). Each step must fit the window at both sizes and have no serious axe finding.

The walk uses form field names and URLs, not words, so one walk serves both languages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import (
    ARTIFACTS,
    CAPSULES,
    WINDOW_SIZES,
    accessibility_problems,
    assert_no_horizontal_scrolling,
    describe_problems,
)

TOUR = ARTIFACTS / "tour"
CATEGORY = "medicinal-mushrooms"


def step(page: Page, language: str, name: str, axe_script: str) -> None:
    """Check the page at both sizes and photograph it: `tour/<language>-<name>-<size>.png`."""
    TOUR.mkdir(parents=True, exist_ok=True)
    for size, viewport in WINDOW_SIZES.items():
        page.set_viewport_size(viewport)
        assert_no_horizontal_scrolling(page)
        page.screenshot(path=TOUR / f"{language}-{name}-{size}.png", full_page=True)
    problems = accessibility_problems(page, axe_script)
    assert not problems, f"{language} {name}:\n{describe_problems(problems)}"


def submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_tour_in_both_languages(
    browser: Any, shop: Any, manager: tuple[str, str], axe_script: str, language: str
) -> None:
    # axe is injected as an inline script, which the shop's CSP forbids: the tour lets it in
    # (the journeys' own tests run under the real policy).
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Amsterdam", bypass_csp=True)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "locale", "value": language, "url": shop.url}])
    page = context.new_page()
    try:
        walk(page, shop.url, language, manager, axe_script)
    finally:
        context.close()


def walk(page: Page, url: str, language: str, manager: tuple[str, str], axe: str) -> None:
    page.goto(f"{url}/age-gate?next=/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    step(page, language, "01-age-gate", axe)
    submit(page, 'button[name="answer"][value="yes"]')
    step(page, language, "02-home", axe)

    page.goto(f"{url}/category/{CATEGORY}")
    step(page, language, "03-category", axe)
    page.goto(f"{url}/products/{CAPSULES}")
    step(page, language, "04-product", axe)
    submit(page, ".buy-form button[type=submit]")
    page.goto(f"{url}/cart")
    step(page, language, "05-cart", axe)

    page.goto(f"{url}/checkout")
    page.locator('[name="email"]').fill("tour@example.nl")
    page.locator('[name="name"]').fill("Ann de Vries")
    page.locator('[name="street"]').fill("Prinsengracht 263")
    page.locator('[name="postcode"]').fill("1016 GV")
    page.locator('[name="city"]').fill("Amsterdam")
    page.locator('[name="country"]').select_option("NL")
    page.locator('[name="day"]').fill("17")
    page.locator('[name="month"]').fill("5")
    page.locator('[name="year"]').fill("1990")
    page.locator('[name="acknowledged"]').check()
    step(page, language, "06-checkout", axe)
    submit(page, "form.checkout-form button.primary[type=submit]")
    expect(page).to_have_url(re.compile(r"/orders/[^/]+$"))
    step(page, language, "07-order", axe)

    submit(page, 'a[href$="/pay"]')
    step(page, language, "08-payment", axe)
    submit(page, 'button[name="action"][value="pay"]')
    expect(page.locator(".order-status")).to_contain_text(re.compile("Paid|Betaald"))
    step(page, language, "09-paid", axe)

    page.goto(f"{url}/my-orders")
    step(page, language, "10-my-orders", axe)

    email, password = manager
    page.goto(f"{url}/admin/login")
    page.locator('[name="email"]').fill(email)
    page.locator('[name="password"]').fill(password)
    submit(page, "main form button[type=submit]")
    page.goto(f"{url}/admin/")
    step(page, language, "11-back-office", axe)
