"""What the browser tests do as a customer would (pass the gate, fill the cart, check out, pay),
and the checks every page gets: it fits the window, what matters is readable, axe finds
nothing serious. Screenshots go to `tests/e2e/artifacts/` (ignored by git).
"""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, Route, expect

ARTIFACTS = Path(__file__).parent / "artifacts"
STRIPE_JS_SHIM = Path(__file__).parent / "shims" / "stripe-v3-stand-in.js"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WINDOW_SIZES = {"phone": PHONE, "desktop": DESKTOP}

# Demo products (shop/data/demo/products.toml): two ordinary ones and their names as shown.
CAPSULES = "lions-mane-capsules"
CAPSULES_NAME = "Lion's Mane Capsules – 60 × 500 mg"
STARTER_KIT = "microdosing-kit-starter"
STARTER_KIT_NAME = "Microdosing Starter Kit"

YES = "Yes, I am 18 or older"
PAY = re.compile(r"^Pay €")

# The keys of the Stripe-configured test shop; the strict peer accepts any `sk_`/`pk_` key.
STRIPE_SECRET_KEY = "sk_test_e2e_shop"
STRIPE_PUBLISHABLE_KEY = "pk_test_e2e_shop"


# --- a customer's steps -------------------------------------------------------------------


def pass_age_gate(page: Page, shop_url: str, next_path: str = "/") -> None:
    """Answer the gate with yes and arrive at `next_path`."""
    page.goto(f"{shop_url}/age-gate?next={next_path}")
    page.get_by_role("button", name=YES).click()
    expect(page).to_have_url(shop_url + next_path)
    # The address changes when the answer starts to arrive, before the page's deferred
    # scripts run: a click then is a plain form post, as a visitor without JavaScript makes.
    # A test that goes on to use the page's scripts needs them in place (cart.js, once, took
    # the click as a plain post on a busy CI machine).
    page.wait_for_load_state("load")


def open_menu(page: Page) -> None:
    """On a phone: open the header's menu (categories, articles, my orders, language)."""
    menu = page.locator(".site-menu")
    if menu.get_attribute("open") is None:
        page.get_by_text("Menu", exact=True).click()
    expect(menu).to_have_attribute("open", "")


def add_to_cart(page: Page, shop_url: str, slug: str, quantity: int = 1) -> None:
    """Open the product's page and add it to the cart from there."""
    page.goto(f"{shop_url}/products/{slug}")
    if quantity != 1:
        page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="added to your cart.")).to_be_visible()
    # The page after the POST may show before its stylesheet arrives (a busy CI machine): a
    # test that measures the layout next needs the styled page, as a visitor sees it.
    page.wait_for_load_state("load")


def fill_checkout_form(
    page: Page, *, email: str = "ann@example.nl", birth_date: date | None = date(1990, 5, 17)
) -> None:
    """Everything the checkout form asks, except the acknowledgement box (and the date of
    birth when None: the page asks none once the age verification service verified it)."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Full name").fill("Ann de Vries")
    page.get_by_label("Street and house number").fill("Prinsengracht 263")
    page.get_by_label("Postcode").fill("1016 GV")
    page.get_by_label("Town or city").fill("Amsterdam")
    page.get_by_label("Country").select_option("NL")
    if birth_date is None:
        return
    page.get_by_label("Day", exact=True).fill(str(birth_date.day))
    page.get_by_label("Month", exact=True).fill(str(birth_date.month))
    page.get_by_label("Year", exact=True).fill(str(birth_date.year))


def acknowledgement_box(page: Page) -> Locator:
    return page.get_by_role("checkbox", name=re.compile("I have read the warnings"))


def place_order(page: Page, shop_url: str, *slugs: str) -> str:
    """A visitor passes the gate, buys `slugs` and places the order; the order page's URL."""
    pass_age_gate(page, shop_url)
    for slug in slugs or (CAPSULES,):
        add_to_cart(page, shop_url, slug)
    page.goto(f"{shop_url}/checkout")
    fill_checkout_form(page)
    acknowledgement_box(page).check()
    page.get_by_role("button", name="Order and pay").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Order "))).to_be_visible()
    return page.url


def sign_in_to_back_office(page: Page, shop_url: str, manager: tuple[str, str]) -> None:
    """Sign in at /admin/login with the manager's (e-mail address, password)."""
    email, password = manager
    page.goto(f"{shop_url}/admin/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def order_status(page: Page) -> Locator:
    return page.locator(".order-status h2")


def reload_until(page: Page, locator: Locator, text: str, seconds: float = 10) -> None:
    """Reload the page until `locator` says `text` (a webhook lands about 1 s after paying)."""
    deadline = time.monotonic() + seconds
    while text not in (locator.text_content() or ""):
        if time.monotonic() > deadline:
            expect(locator).to_contain_text(text, timeout=1)  # fails, saying what it found
        page.wait_for_timeout(300)
        page.reload()


def birth_date_aged(today: date, years: int, days_short: int = 0) -> date:
    """The latest date of birth of someone `years` old today; with `days_short`, of someone
    who turns `years` that many days from now."""
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # today is 29 February, that year had none: the 28th turned it
        born = date(today.year - years, 2, 28)
    return born + timedelta(days=days_short)


# --- Stripe.js in the browser, against the strict peer -------------------------------------


def use_stripe_js_stand_in(context: Any, stripe_url: str) -> None:
    """Serve the test's Stripe.js (shims/stripe-v3-stand-in.js) at `<stripe_url>/js.stripe.com/v3/`,
    where the shop's page loads it. Its calls carry what real Stripe.js's carry: the
    publishable key and the intent's client secret, nothing more."""
    shim = STRIPE_JS_SHIM.read_text()

    def serve_shim(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=shim)

    base = re.escape(stripe_url)
    context.route(re.compile(rf"^{base}/js\.stripe\.com/v3/.*"), serve_shim)


def pay_by_card(page: Page, number: str, expiry: str = "12 / 34", cvc: str = "123") -> None:
    """On the payment page: type the card into Stripe's form and press Pay (card is what the
    Payment Element shows first when it offers a choice)."""
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiration date").fill(expiry)
    page.get_by_label("Security code").fill(cvc)
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def pay_by_ideal(page: Page, bank: str = "ING", pay: str | re.Pattern[str] = PAY) -> None:
    """On the payment page: choose iDEAL in Stripe's form, pick the bank and press Pay (`pay`,
    the button's name in the page's language); the page goes to the bank."""
    page.get_by_role("radio", name="iDEAL").check()
    page.get_by_label("iDEAL bank").select_option(label=bank)
    page.get_by_role("button", name=pay).click()


# --- what every page is checked for -------------------------------------------------------


def snap(page: Page, name: str, *, full_page: bool = True) -> None:
    """Screenshots at phone and laptop size: `artifacts/<name>-phone.png`, …; of the whole
    page, or (`full_page=False`) of what the window shows, for very long forms."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in WINDOW_SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=full_page)
    if size is not None:
        page.set_viewport_size(size)


_OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .filter(e => !e.closest(".visually-hidden, .skip-link"))
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase()
         + (e.className ? "." + String(e.className).split(" ").join(".") : "")
         + " right=" + Math.round(e.getBoundingClientRect().right));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide};
}"""


def assert_no_horizontal_scrolling(page: Page) -> None:
    found = page.evaluate(_OVERFLOW)
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{page.url} scrolls sideways at {found['innerWidth']} px "
        f"(content {found['scrollWidth']} px wide): {found['wide']}"
    )


_SMALLEST_TEXT = """e => {
  const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  let smallest = Infinity;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.textContent.trim()) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(node.parentElement).fontSize));
    }
  }
  return smallest === Infinity ? parseFloat(getComputedStyle(e).fontSize) : smallest;
}"""


def assert_readable(locator: Locator, what: str) -> None:
    """`what` is shown, not hidden or clipped, in the window once scrolled to, and its text
    is at least 12 px: a person sees it without zooming."""
    expect(locator, f"{what} is shown").to_be_visible()
    locator.scroll_into_view_if_needed()
    expect(locator, f"{what} is in the window").to_be_in_viewport()
    box = locator.bounding_box()
    assert box is not None and box["width"] >= 12 and box["height"] >= 12, f"{what}: {box}"
    smallest = locator.evaluate(_SMALLEST_TEXT)
    assert smallest >= 12, f"{what}: text of {smallest} px"


SERIOUS = ("serious", "critical")


def accessibility_problems(page: Page, axe_script: str) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    page.add_script_tag(content=axe_script)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in SERIOUS]


def describe_problems(problems: list[dict[str, Any]]) -> str:
    lines = []
    for problem in problems:
        lines.append(f"[{problem['impact']}] {problem['id']}: {problem['help']}")
        for node in problem["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)
