"""What a page's <head> tells search engines and link previews: description, canonical
address, noindex, Open Graph (shop.web.head)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from shop.web.head import canonical_url
from tests.helpers import make_category, make_product
from tests.integration.test_checkout_pages import fill_cart

BASE = "http://127.0.0.1:5000"  # SHOP_BASE_URL's default


def head(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").head


def meta(soup: BeautifulSoup, **attrs: str) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return tag["content"] if tag else None


def canonical(soup: BeautifulSoup) -> str | None:
    tag = soup.find("link", rel="canonical")
    return tag["href"] if tag else None


def test_a_product_is_described_by_its_own_summary_with_open_graph_tags(session, verified_client):
    summary = "Lion's Mane in capsules: **60 × 500 mg** of fruiting body extract. " * 5
    product = make_product(session, "Lion's Mane Capsules", summary_en=summary)

    soup = head(verified_client.get(f"/products/{product.slug}?utm_source=mail"))

    description = meta(soup, name="description")
    assert description.startswith("Lion's Mane in capsules: 60 × 500 mg of fruiting body")
    assert "**" not in description
    assert len(description) <= 155 and description.endswith("…")
    assert meta(soup, property="og:description") == description
    assert meta(soup, property="og:title") == "Lion's Mane Capsules"
    assert meta(soup, property="og:type") == "product"
    assert canonical(soup) == f"{BASE}/products/{product.slug}"
    assert meta(soup, property="og:url") == canonical(soup)
    # Pictures are behind the age gate: a preview shows the shop's icon.
    assert meta(soup, property="og:image").startswith(f"{BASE}/static/icons/icon-512.png")
    assert meta(soup, name="robots") is None


def test_a_category_keeps_only_its_page_number_in_the_canonical_address(session, verified_client):
    category = make_category(session, description_en="Fresh <em>truffles</em> &amp; kits.")
    make_product(session, category=category)

    soup = head(verified_client.get(f"/category/{category.slug}?sort=price&gclid=x&page=1"))
    assert meta(soup, name="description") == "Fresh truffles & kits."
    assert canonical(soup) == f"{BASE}/category/{category.slug}"


def test_the_canonical_address_keeps_a_later_page(app, session, verified_client):
    category = make_category(session)
    for number in range(app.config["SHOP_PAGE_SIZE"] + 1):
        make_product(session, f"Product {number}", category=category)

    soup = head(verified_client.get(f"/category/{category.slug}?page=2&utm_medium=x"))
    assert canonical(soup) == f"{BASE}/category/{category.slug}?page=2"


def test_a_page_without_words_of_its_own_gets_the_translated_default(verified_client):
    english = meta(head(verified_client.get("/")), name="description")
    assert english.startswith("Magic truffles, microdosing kits")
    verified_client.set_cookie("locale", "nl")
    dutch = head(verified_client.get("/"))
    assert meta(dutch, name="description").startswith("Magic truffels, microdosing-kits")
    assert meta(dutch, property="og:locale") == "nl_NL"


@pytest.mark.parametrize("path", ["/cart", "/checkout", "/search?q=truffle"])
def test_a_visitors_own_pages_and_search_results_say_noindex(session, verified_client, path):
    fill_cart(verified_client, make_product(session))
    soup = head(verified_client.get(path))
    assert meta(soup, name="robots") == "noindex, follow"
    assert canonical(soup) is None
    assert meta(soup, property="og:url") is None


def test_the_age_gate_says_noindex(client):
    soup = head(client.get("/age-gate?next=/"))
    assert meta(soup, name="robots") == "noindex, follow"


def test_the_back_office_and_error_pages_say_noindex(client, verified_client):
    assert meta(head(client.get("/admin/login")), name="robots") == "noindex, nofollow"
    missing = verified_client.get("/products/no-such-thing")
    assert missing.status_code == 404
    soup = BeautifulSoup(missing.get_data(as_text=True), "html.parser").head
    assert meta(soup, name="robots") == "noindex"
    assert canonical(soup) is None


def test_robots_txt_keeps_crawlers_out_of_the_private_pages(client):
    body = client.get("/robots.txt").get_data(as_text=True)
    for path in ("/admin/", "/cart", "/checkout", "/orders/"):
        assert f"Disallow: {path}" in body


def test_a_search_keeps_its_words_in_the_canonical_address(app):
    with app.test_request_context("/search?q=truffle&page=2&utm_campaign=x&sort=price"):
        assert canonical_url() == f"{BASE}/search?q=truffle&page=2"
