"""The storefront's fragment cache switched on (shop.web.fragments): warm pages skip the
product queries, a commit in this process shows at once, another server's within the
cache's lifetime, and nothing about a visitor (language, age gate, CSRF token, the banner
of this very second, the Omnibus note) is ever taken from it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text, update

from shop.clock import frozen_at
from shop.extensions import db
from shop.models import Product
from shop.rules.promotions import Kind, window_from_local
from shop.services.promotions import PromoDraft, create_promo_code
from shop.web.fragments import EXTENSION, clear_all
from tests.helpers import csrf_token, make_category, make_product, pass_age_gate
from tests.integration.test_omnibus import NOTE, product_priced, public_code
from tests.integration.test_query_counts import counting_queries

TTL = 60.0
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BANNER = re.compile(r'<aside class="promo-banner" aria-label="Promotion">.*?</aside>', re.S)


@pytest.fixture
def app_settings(app_settings: dict[str, object]) -> dict[str, object]:
    app_settings["SHOP_FRAGMENT_CACHE_SECONDS"] = str(int(TTL))
    return app_settings


class FakeClock:
    """The cache's monotonic clock, moved only by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def cache_clock(app) -> FakeClock:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    app.extensions[EXTENSION]._clock = clock
    return clock


def html_of(client, path: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def statements_for(client, path: str, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    with counting_queries() as statements:
        html_of(client, path, **kwargs)
    return statements


def reads_products(statements: list[str]) -> list[str]:
    return [s for s in statements if re.search(r"\bproducts\b", s, re.I)]


@pytest.fixture
def truffle(session):  # type: ignore[no-untyped-def]
    category = make_category(session, slug="truffles")
    return make_product(
        session,
        "Mexicana truffle",
        name_nl="Mexicaanse truffel",
        category=category,
        slug="mexicana",
        summary_en="Earthy and strong",
        summary_nl="Aards en sterk",
        is_featured=True,
    )


# Every page that shows the product, by what a visitor types.
PAGES = {
    "home": "/",
    "category": "/category/truffles",
    "product": "/products/mexicana",
    "search": "/search?q=truffle",
}


# --- a warm page skips the database -------------------------------------------------------


def test_a_warm_category_page_sends_no_query_for_its_product_list(session, verified_client):
    category = make_category(session, slug="truffles")
    for n in range(5):
        make_product(session, f"Truffle {n}", category=category)

    cold = statements_for(verified_client, "/category/truffles")
    warm = statements_for(verified_client, "/category/truffles")

    assert len(cold) <= 4, cold
    assert reads_products(cold), cold
    assert reads_products(warm) == [], warm
    assert len(warm) <= len(cold) - 1, (cold, warm)


def test_each_sort_and_page_is_a_fragment_of_its_own(session, verified_client):
    category = make_category(session, slug="truffles")
    make_product(session, "Cheap truffle", category=category, price_cents=500)
    make_product(session, "Dear truffle", category=category, price_cents=5000)
    html_of(verified_client, "/category/truffles?sort=price")

    by_price_desc = html_of(verified_client, "/category/truffles?sort=price_desc")

    assert by_price_desc.index("Dear truffle") < by_price_desc.index("Cheap truffle")


def test_a_visitor_passing_the_gate_does_not_empty_the_cache(app, session, truffle):
    first = app.test_client()
    pass_age_gate(first)
    html_of(first, "/category/truffles")  # warms the cache

    second = app.test_client()
    pass_age_gate(second)  # writes an age-check row: nothing the storefront shows

    assert reads_products(statements_for(second, "/category/truffles")) == []


def test_stock_taken_by_an_order_empties_the_cache(session, verified_client, truffle):
    html_of(verified_client, "/category/truffles")  # warms the cache

    session.execute(text("SELECT 1"))  # a read sent as text is not a write
    session.commit()
    assert reads_products(statements_for(verified_client, "/category/truffles")) == []

    session.execute(update(Product).where(Product.id == truffle.id).values(stock=0))
    session.commit()  # as place_order takes the last unit

    assert "Sold out" in html_of(verified_client, "/category/truffles")


# --- this process's commits show at once ------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_a_product_renamed_and_committed_here_shows_at_once(
    session, verified_client, truffle, page
):
    assert "Mexicana truffle" in html_of(verified_client, PAGES[page])  # warms the cache

    truffle.name_en = "Tampanensis truffle"
    session.commit()

    html = html_of(verified_client, PAGES[page])
    assert "Tampanensis truffle" in html
    assert "Mexicana truffle" not in html


def test_a_product_taken_off_sale_here_leaves_its_page_at_once(session, verified_client, truffle):
    html_of(verified_client, "/products/mexicana")

    truffle.is_active = False
    session.commit()

    assert verified_client.get("/products/mexicana").status_code == 404
    assert "Mexicana truffle" not in html_of(verified_client, "/category/truffles")


# --- another server's commits show within the cache's lifetime ---------------------------


def rename_from_another_server(product_id: int, name: str) -> None:
    """Write as another app server would: its own connection, not this process's session."""
    with db.engine.connect() as connection:
        connection.execute(
            text("UPDATE products SET name_en = :name WHERE id = :id"),
            {"name": name, "id": product_id},
        )
        connection.commit()


@pytest.mark.parametrize("page", PAGES)
def test_another_servers_change_shows_when_the_entry_expires_not_before(
    verified_client, truffle, cache_clock, page
):
    html_of(verified_client, PAGES[page])  # warms the cache
    rename_from_another_server(truffle.id, "Tampanensis truffle")

    cache_clock.advance(TTL - 0.001)
    still_kept = html_of(verified_client, PAGES[page])
    cache_clock.advance(0.001)
    expired = html_of(verified_client, PAGES[page])

    assert "Mexicana truffle" in still_kept
    assert "Tampanensis truffle" not in still_kept
    assert "Tampanensis truffle" in expired
    assert "Mexicana truffle" not in expired


def test_clearing_the_cache_shows_another_servers_change(app, verified_client, truffle):
    html_of(verified_client, "/category/truffles")
    rename_from_another_server(truffle.id, "Tampanensis truffle")

    clear_all()  # the fragments and the whole pages made of them

    assert "Tampanensis truffle" in html_of(verified_client, "/category/truffles")


# --- each language has its own fragments --------------------------------------------------


ENGLISH = {"Accept-Language": "en"}
DUTCH = {"Accept-Language": "nl"}


@pytest.mark.parametrize("page", ["home", "category", "product"])
def test_dutch_and_english_visitors_get_their_own_fragments(verified_client, truffle, page):
    path = PAGES[page]

    english = html_of(verified_client, path, headers=ENGLISH)
    dutch = html_of(verified_client, path, headers=DUTCH)
    english_again = html_of(verified_client, path, headers=ENGLISH)

    assert "Mexicana truffle" in english
    assert "Mexicaanse truffel" not in english
    assert "Mexicaanse truffel" in dutch
    assert "Mexicana truffle" not in dutch
    assert "Mexicana truffle" in english_again
    assert "Mexicaanse truffel" not in english_again


def test_dutch_search_results_are_not_the_english_ones(verified_client, truffle):
    english = html_of(verified_client, "/search?q=truffle", headers=ENGLISH)
    dutch = html_of(verified_client, "/search?q=truffle", headers=DUTCH)

    assert "Mexicana truffle" in english
    assert "Mexicaanse truffel" in dutch
    assert "Mexicana truffle" not in dutch


# --- the age gate is never skipped --------------------------------------------------------


@pytest.mark.parametrize("page", ["category", "product", "home", "search"])
def test_an_unverified_visitor_is_sent_to_the_gate_from_a_warm_page(
    app, verified_client, truffle, page
):
    path = PAGES[page]
    html_of(verified_client, path)  # warms the cache

    response = app.test_client().get(path)

    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert target.path == "/age-gate"
    assert parse_qs(target.query)["next"] == [path]
    assert "Mexicana truffle" not in response.get_data(as_text=True)


# --- banners stay exact to the second -----------------------------------------------------


def amsterdam(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=AMSTERDAM)  # type: ignore[misc]


CODE_STARTS = amsterdam(2025, 10, 21, 0, 0, 0)
CODE_ENDS = amsterdam(2025, 11, 3, 0, 0, 0)  # after the whole of 2 November


def halloween(session) -> None:
    draft = PromoDraft(
        code="HALLOWEEN2025",
        kind=Kind.PERCENT,
        value=15,
        window=window_from_local(date(2025, 10, 21), date(2025, 11, 2), AMSTERDAM),
        is_public=True,
        banner_title_en="Halloween 2025",
        banner_text_en="Use the code below at checkout to receive 15% off your entire order",
    )
    create_promo_code(session, draft, now=datetime(2025, 10, 1, tzinfo=UTC))


def banners_at(client, instant: datetime) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """The banners on the home page at `instant`, and the statements that page sent."""
    with frozen_at(instant), counting_queries() as statements:
        html = html_of(client, "/")
    return BANNER.findall(html), statements


def reads_codes(statements: list[str]) -> list[str]:
    return [s for s in statements if "promo_codes" in s]


def test_a_banner_appears_on_its_first_second_from_the_entry_filled_before(
    session, client, truffle
):
    halloween(session)
    filled_at = CODE_STARTS - timedelta(seconds=5)
    with frozen_at(filled_at):
        pass_age_gate(client)
    before_fill, filled = banners_at(client, filled_at)

    just_before, before_statements = banners_at(client, CODE_STARTS - timedelta(seconds=1))
    on_time, on_time_statements = banners_at(client, CODE_STARTS)

    assert before_fill == [] and reads_codes(filled)
    assert just_before == []
    assert len(on_time) == 1 and "HALLOWEEN2025" in on_time[0]
    # Both came from the entry filled five seconds before the code began.
    assert reads_codes(before_statements) == reads_codes(on_time_statements) == []


def test_a_banner_disappears_on_the_second_its_code_ends(session, client, truffle):
    halloween(session)
    filled_at = CODE_ENDS - timedelta(seconds=5)
    with frozen_at(filled_at):
        pass_age_gate(client)
    at_fill, filled = banners_at(client, filled_at)

    last_second, last_statements = banners_at(client, CODE_ENDS - timedelta(seconds=1))
    at_end, end_statements = banners_at(client, CODE_ENDS)

    assert len(at_fill) == 1 and reads_codes(filled)
    assert len(last_second) == 1
    assert at_end == []
    assert reads_codes(last_statements) == reads_codes(end_statements) == []


# --- a cached product page still has what is the visitor's own ---------------------------


def test_each_visitor_gets_their_own_csrf_token_on_a_warm_product_page(app, session, truffle):
    first, second = app.test_client(), app.test_client()
    pass_age_gate(first)
    pass_age_gate(second)  # passing the gate writes a row: both before the cache is warmed

    cold = html_of(first, "/products/mexicana")
    with counting_queries() as statements:
        warm = html_of(second, "/products/mexicana")

    assert reads_products(statements) == [], statements
    assert csrf_token(cold) != csrf_token(warm)
    form = {
        "csrf_token": csrf_token(warm),
        "product_id": str(truffle.id),
        "quantity": "2",
        "next": "/products/mexicana",
    }
    added = second.post("/cart/add", data=form)
    assert added.status_code == 303
    assert "added to your cart." in html_of(second, added.headers["Location"])
    assert "Mexicana truffle" in html_of(second, "/cart")


DURING_PROMOTION = datetime(2025, 10, 25, 12, 0, tzinfo=UTC)


def test_the_omnibus_note_is_on_a_warm_product_page(session, client):
    public_code(session)
    product = product_priced(session, [(60, 1295), (10, 995), (2, 1295)])

    path = f"/products/{product.slug}"

    with frozen_at(DURING_PROMOTION):
        pass_age_gate(client)
        cold = html_of(client, path)
        with counting_queries() as statements:
            warm = html_of(client, path)

    assert f"{NOTE}: €9.95" in cold
    assert f"{NOTE}: €9.95" in warm
    assert reads_products(statements) == [], statements


def test_the_omnibus_note_goes_on_the_second_the_promotion_ends(session, client):
    public_code(session)
    product = product_priced(session, [(60, 1295), (10, 995), (2, 1295)])
    ends = CODE_ENDS

    with frozen_at(ends - timedelta(seconds=5)):
        pass_age_gate(client)
        html_of(client, f"/products/{product.slug}")
    with frozen_at(ends - timedelta(seconds=1)):
        last_second = html_of(client, f"/products/{product.slug}")
    with frozen_at(ends):
        after = html_of(client, f"/products/{product.slug}")

    assert f"{NOTE}: €9.95" in last_second
    assert NOTE not in after
