"""Whole storefront pages kept per process (shop.web.page_cache): a warm page costs no SQL, and
it is still the visitor's own — their cart count, their CSRF tokens, their dismissed
banners, their language and flash messages — while banners come and go on their second and
a change shows at once here and within the cache's lifetime on another server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from shop.clock import frozen_at
from shop.extensions import db
from shop.web.page_cache import CSRF_SLOT, EXTENSION
from tests.helpers import csrf_token, make_category, make_product, pass_age_gate
from tests.integration.test_articles import make_article
from tests.integration.test_banner import BANNER, DURING, FIRST_SECOND, halloween
from tests.integration.test_fragment_cache import EXTENSION as FRAGMENTS
from tests.integration.test_fragment_cache import (
    TTL,
    FakeClock,
    html_of,
    rename_from_another_server,
    statements_for,
)

TOKENS = re.compile(r'name="csrf_token" value="([^"]*)"')
CART_COUNT = re.compile(r'<span class="cart-count" aria-hidden="true">(\d+)</span>')


@pytest.fixture
def app_settings(app_settings: dict[str, object]) -> dict[str, object]:
    app_settings["SHOP_FRAGMENT_CACHE_SECONDS"] = str(int(TTL))
    return app_settings


@pytest.fixture
def cache_clock(app) -> FakeClock:  # type: ignore[no-untyped-def]
    """One clock for the fragments and the pages (the page cache reads the fragments')."""
    clock = FakeClock()
    app.extensions[FRAGMENTS]._clock = clock
    return clock


@pytest.fixture
def truffle(session):  # type: ignore[no-untyped-def]
    category = make_category(session, slug="truffles", name_en="Truffles")
    return make_product(
        session,
        "Mexicana truffle",
        name_nl="Mexicaanse truffel",
        category=category,
        slug="mexicana",
        is_featured=True,
    )


@pytest.fixture
def article(session, truffle):  # type: ignore[no-untyped-def]
    return make_article(session, "Microdosing explained", slug="explained", related=["mexicana"])


PAGES = {
    "home": "/",
    "category": "/category/truffles",
    "product": "/products/mexicana",
    "search": "/search?q=truffle",
    "articles": "/articles",
    "article": "/articles/explained",
}


def visitor(app):  # type: ignore[no-untyped-def]
    client = app.test_client()
    pass_age_gate(client)
    return client


def add_to_cart(client, product_id: int, quantity: int) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(html_of(client, "/products/mexicana"))
    form = {"csrf_token": token, "product_id": str(product_id), "quantity": str(quantity)}
    response = client.post("/cart/add", data=form)
    assert response.status_code == 303, response.status_code
    client.get(response.headers["Location"])  # reads the "added" message


# --- a warm page is answered without the database or the templates -----------------------


@pytest.mark.parametrize("page", PAGES)
def test_a_warm_page_sends_no_sql_to_another_visitor(app, article, page):
    first, second = visitor(app), visitor(app)
    cold = statements_for(first, PAGES[page])

    warm = statements_for(second, PAGES[page])

    assert cold, "the first visitor's page came from the database"
    assert warm == [], warm
    assert len(app.extensions[EXTENSION]) == 1


@pytest.mark.parametrize("page", PAGES)
def test_a_warm_page_shows_the_same_content_as_a_fresh_one(app, article, page):
    first, second = visitor(app), visitor(app)
    cold = html_of(first, PAGES[page])

    warm = html_of(second, PAGES[page])

    assert TOKENS.sub("", cold) == TOKENS.sub("", warm)
    assert ("Microdosing explained" if page == "articles" else "Mexicana truffle") in warm
    assert "<!--slot:" not in warm and "<!--slot:" not in cold


# --- what is the visitor's own ------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_token_on_a_warm_page_is_the_visitors_own(app, article, page):
    first, second = visitor(app), visitor(app)
    first_tokens = TOKENS.findall(html_of(first, PAGES[page]))

    second_page = html_of(second, PAGES[page])
    second_tokens = TOKENS.findall(second_page)

    # The language switcher twice (header, menu), and more on pages with forms.
    assert len(second_tokens) == len(first_tokens) >= 2
    assert not set(first_tokens) & set(second_tokens)
    assert CSRF_SLOT not in second_page
    # The token works for its visitor: switching the language from the warm page.
    switched = second.post(
        "/language", data={"csrf_token": second_tokens[0], "locale": "nl", "return_to": "/"}
    )
    assert switched.status_code == 303


def test_another_visitors_token_is_refused_even_from_the_same_kept_page(app, truffle):
    first, second = visitor(app), visitor(app)
    html_of(first, "/products/mexicana")
    stolen = csrf_token(html_of(first, "/products/mexicana"))
    html_of(second, "/products/mexicana")

    form = {"csrf_token": stolen, "product_id": str(truffle.id), "quantity": "1"}
    response = second.post("/cart/add", data=form)

    assert response.status_code == 400


@pytest.mark.parametrize("page", PAGES)
def test_a_visitor_never_sees_another_visitors_cart_count(app, article, truffle, page):
    buyer, browser, other_buyer = visitor(app), visitor(app), visitor(app)
    add_to_cart(buyer, truffle.id, 2)
    add_to_cart(other_buyer, truffle.id, 3)

    buyers = html_of(buyer, PAGES[page])
    browsers = html_of(browser, PAGES[page])
    other_buyers = html_of(other_buyer, PAGES[page])
    again = html_of(buyer, PAGES[page])

    assert CART_COUNT.findall(buyers) == ["2"] == CART_COUNT.findall(again)
    assert CART_COUNT.findall(browsers) == []
    assert CART_COUNT.findall(other_buyers) == ["3"]


def test_the_count_changes_as_soon_as_the_visitor_adds(app, truffle):
    buyer = visitor(app)
    assert CART_COUNT.findall(html_of(buyer, "/")) == []

    add_to_cart(buyer, truffle.id, 1)

    assert CART_COUNT.findall(html_of(buyer, "/")) == ["1"]


def test_a_waiting_message_is_shown_once_and_never_to_anyone_else(app, truffle):
    buyer, browser = visitor(app), visitor(app)
    html_of(browser, "/products/mexicana")  # the page is kept
    token = csrf_token(html_of(buyer, "/products/mexicana"))
    form = {"csrf_token": token, "product_id": str(truffle.id), "quantity": "1"}
    added = buyer.post("/cart/add", data=form)

    with_message = html_of(buyer, added.headers["Location"])
    reload = html_of(buyer, added.headers["Location"])
    others = html_of(browser, "/products/mexicana")

    assert "added to your cart." in with_message
    assert "added to your cart." not in reload
    assert "added to your cart." not in others


@pytest.mark.parametrize("page", ["home", "category", "product", "article"])
def test_dutch_and_english_visitors_get_their_own_pages(app, article, page):
    english, dutch = visitor(app), visitor(app)
    html_of(english, PAGES[page])

    dutch_page = html_of(dutch, PAGES[page], headers={"Accept-Language": "nl"})
    english_page = html_of(english, PAGES[page])

    assert '<html lang="nl">' in dutch_page
    assert '<html lang="en">' in english_page


def test_each_host_gets_its_own_pages(app, truffle):
    html_of(visitor(app), "/")
    elsewhere, other_host = app.test_client(), "http://shop.example.org"
    gate = elsewhere.get("/age-gate", base_url=other_host).get_data(as_text=True)
    form = {"csrf_token": csrf_token(gate), "answer": "yes", "next": "/"}
    assert elsewhere.post("/age-gate", data=form, base_url=other_host).status_code == 303

    assert elsewhere.get("/", base_url=other_host).status_code == 200
    assert len(app.extensions[EXTENSION]) == 2


def test_a_head_request_is_answered_from_the_kept_page_without_a_body(app, truffle):
    client = visitor(app)
    html_of(client, "/products/mexicana")

    response = client.head("/products/mexicana")

    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["Content-Type"].startswith("text/html")


def test_an_unverified_visitor_gets_the_gate_not_the_kept_page(app, truffle):
    html_of(visitor(app), "/products/mexicana")

    response = app.test_client().get("/products/mexicana")

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/age-gate")


def test_a_missing_page_is_not_kept_and_shows_once_the_product_exists(app, session, truffle):
    client = visitor(app)
    assert client.get("/products/golden-teacher").status_code == 404

    make_product(session, "Golden Teacher", slug="golden-teacher", category=truffle.category)

    assert "Golden Teacher" in html_of(client, "/products/golden-teacher")


# --- banners on their second --------------------------------------------------------------


def banners(client, path: str = "/") -> list[str]:  # type: ignore[no-untyped-def]
    return BANNER.findall(html_of(client, path))


def test_a_banner_appears_on_its_first_second_on_a_kept_page(app, session, truffle):
    halloween(session)
    client = app.test_client()
    just_before = FIRST_SECOND - timedelta(seconds=1)
    with frozen_at(just_before):
        pass_age_gate(client)
        assert banners(client, "/products/mexicana") == []
        assert banners(client, "/products/mexicana") == []  # the kept page
    with frozen_at(FIRST_SECOND):
        shown = banners(client, "/products/mexicana")

    assert len(shown) == 1 and "HALLOWEEN2025" in shown[0]


def test_a_banner_goes_on_the_second_its_code_ends_from_a_kept_page(app, session, truffle):
    halloween(session)
    ends = FIRST_SECOND + timedelta(days=13)  # 3 November 00:00 in Amsterdam
    client = app.test_client()
    with frozen_at(ends - timedelta(seconds=2)):
        pass_age_gate(client)
        assert len(banners(client)) == 1
    with frozen_at(ends - timedelta(seconds=1)):
        assert len(banners(client)) == 1
    with frozen_at(ends):
        assert banners(client) == []


def test_a_dismissed_banner_stays_away_for_its_visitor_only(app, session, truffle):
    code_id = halloween(session)
    with frozen_at(DURING):
        dismisser, other = visitor(app), visitor(app)
        assert len(banners(dismisser, "/category/truffles")) == 1  # the page is kept
        token = csrf_token(html_of(dismisser, "/category/truffles"))
        form = {"csrf_token": token, "promo_code_id": str(code_id), "next": "/"}
        assert dismisser.post("/banner/dismiss", data=form).status_code == 303

        assert banners(dismisser, "/category/truffles") == []
        assert len(banners(other, "/category/truffles")) == 1


# --- staff changes ------------------------------------------------------------------------


def test_a_change_committed_on_this_server_shows_at_once(app, session, truffle):
    client = visitor(app)
    html_of(client, "/products/mexicana")

    truffle.name_en = "Tampanensis truffle"
    session.commit()

    assert "Tampanensis truffle" in html_of(client, "/products/mexicana")


def test_an_article_edited_on_this_server_shows_at_once(app, session, article):
    client = visitor(app)
    html_of(client, "/articles/explained")

    article.title_en = "Microdosing, explained again"
    session.commit()

    assert "Microdosing, explained again" in html_of(client, "/articles/explained")


@pytest.mark.parametrize("page", ["home", "category", "product", "search"])
def test_another_servers_change_shows_when_the_page_expires_not_before(
    app, truffle, cache_clock, page
):
    client = visitor(app)
    html_of(client, PAGES[page])
    rename_from_another_server(truffle.id, "Tampanensis truffle")

    cache_clock.advance(TTL - 0.001)
    still_kept = html_of(client, PAGES[page])
    cache_clock.advance(0.001)
    expired = html_of(client, PAGES[page])

    assert "Tampanensis truffle" not in still_kept
    assert "Tampanensis truffle" in expired


def test_a_page_lives_no_longer_than_the_oldest_fragment_it_was_made_from(
    app, truffle, cache_clock
):
    client = visitor(app)
    html_of(client, "/search?q=truffle")  # keeps the categories for the navigation
    cache_clock.advance(TTL / 2)
    html_of(client, "/")  # made from the categories kept half a lifetime ago
    with db.engine.connect() as connection:  # another server renames the category
        connection.execute(
            text("UPDATE categories SET name_en = 'Sclerotia' WHERE slug = 'truffles'")
        )
        connection.commit()

    cache_clock.advance(TTL / 2 - 0.001)
    kept = html_of(client, "/")
    cache_clock.advance(0.002)
    renamed = html_of(client, "/")

    assert "Sclerotia" not in kept
    assert "Sclerotia" in renamed
