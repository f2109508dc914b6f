"""Journey 11: the age verified by an OpenID provider (a real one: oidc-provider, see
tests/oidc_peer.py). An adult passes the gate at the provider's page, verifies 21+ for the
Hollandia Strong truffles (a product that needs a verified age) from checkout and pays
through the test gateway; an under-age account is refused at the gate.

The shop here is the demo shop with SHOP_AGE_VERIFIER=oidc, one more app on the folder's
database served from a thread (like `dob_shop`), so the provider can be told its redirect
URI once its port is known.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import acknowledgement_box, add_to_cart, fill_checkout_form, snap
from tests.e2e.conftest import SECRET_KEY, Servers, Shop
from tests.oidc_peer import OidcPeer, running_oidc_provider
from tests.peers import serving

STRONG = "truffles-hollandia-strong-15g"
ADULT_NAME, TEEN_NAME = "Anouk Verbeek", "Tim Jansen"


@pytest.fixture(scope="module")
def oidc_shop(servers: Servers) -> Iterator[tuple[Shop, OidcPeer]]:
    from shop import create_app
    from shop.extensions import db

    servers.wait_for("shop")  # the database is migrated and holds the demo shop
    app = create_app(
        {
            "SHOP_ENV": "testing",
            "SHOP_DATABASE_URL": servers.database_url,
            "SHOP_SECRET_KEY": SECRET_KEY,
            "SHOP_DEFAULT_LOCALE": "en",
            "SHOP_AGE_VERIFIER": "oidc",
        }
    )
    with (
        serving(app) as url,
        running_oidc_provider(f"{url}/age-verification/callback") as provider,
    ):
        # Read per request, so they may follow the provider's start (as parsed values).
        app.config.update(provider.shop_settings(SHOP_OIDC_SCOPE="openid age"))
        app.config["SHOP_OIDC_TIMEOUT_SECONDS"] = 5.0
        yield Shop(url=url, log=Path(os.devnull)), provider
    with app.app_context():
        db.engine.dispose()


def test_an_adult_verifies_at_the_provider_and_buys_a_product_that_needs_21(page, oidc_shop):
    shop, _ = oidc_shop
    page.goto(f"{shop.url}/")
    expect(page).to_have_url(re.compile(r"/age-gate"))
    snap(page, "11-gate")
    page.get_by_role("link", name="Verify my age").click()
    page.get_by_role("button", name=ADULT_NAME).click()
    expect(page).to_have_url(f"{shop.url}/")

    add_to_cart(page, shop.url, STRONG)
    page.goto(f"{shop.url}/checkout")
    expect(page.locator("#age-verify")).to_contain_text("21 or older")
    expect(page.get_by_label("Day", exact=True)).to_have_count(0)
    snap(page, "11-checkout-verify")
    page.locator("#age-verify").get_by_role("link", name="Verify my age").click()
    page.get_by_role("button", name=ADULT_NAME).click()

    expect(page).to_have_url(f"{shop.url}/checkout")
    expect(page.locator("#age-verified")).to_contain_text("21 or older")
    fill_checkout_form(page, birth_date=None)
    acknowledgement_box(page).check()
    page.get_by_role("button", name="Order and pay").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Order "))).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Pay €")).click()
    page.get_by_role("button", name="Pay (test mode)").click()
    expect(page.locator(".order-status h2")).to_have_text("Status: Paid")


def test_an_under_age_account_is_refused_at_the_gate(page, oidc_shop):
    shop, _ = oidc_shop
    page.goto(f"{shop.url}/age-gate?next=/")
    page.get_by_role("link", name="Verify my age").click()
    page.get_by_role("button", name=TEEN_NAME).click()

    expect(page).to_have_url(f"{shop.url}/age-gate/refused")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, you cannot enter")
    page.goto(f"{shop.url}/products/{STRONG}")
    expect(page).to_have_url(f"{shop.url}/age-gate/refused")


def test_a_cancelled_verification_says_so_in_dutch(page, oidc_shop):
    shop, _ = oidc_shop
    page.goto(f"{shop.url}/age-gate?next=/")
    page.get_by_role("button", name="Nederlands").click()
    page.get_by_role("link", name="Controleer mijn leeftijd").click()
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Je leeftijd kon niet worden gecontroleerd"
    )
    expect(page.get_by_role("alert")).to_contain_text("afgebroken of geweigerd")
    snap(page, "11-not-verified-nl")
