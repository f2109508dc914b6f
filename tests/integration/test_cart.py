"""The cart as a customer uses it: adding, changing and removing products with POST forms,
prices always from the database, limits by stock and per line, and promo codes that say in
words why they do not apply. Through the test client, with real CSRF tokens from the pages.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update

from shop import create_app
from shop.clock import frozen_at
from shop.extensions import db
from shop.models import Product, PromoCode
from shop.services.products import change_price, unpublish_product
from tests.helpers import (
    CREATED,
    csrf_token,
    make_category,
    make_code,
    make_product,
    pass_age_gate,
)
from tests.pages import Page, words
from tests.peers import running_redis

NOON_ON_15_MARCH_2026 = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
# Halloween 2025 ran from 21 October to 2 November inclusive, Amsterdam time.
EVENING_BEFORE_HALLOWEEN_STARTED = datetime(2025, 10, 20, 20, 0, tzinfo=UTC)  # 22:00 local
LAST_MINUTE_OF_HALLOWEEN = datetime(2025, 11, 2, 22, 59, tzinfo=UTC)  # 23:59 local, 2 Nov
FIRST_MINUTE_AFTER_HALLOWEEN = datetime(2025, 11, 2, 23, 0, tzinfo=UTC)  # 00:00 local, 3 Nov


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOON_ON_15_MARCH_2026) as now:
        yield now


# --- reading pages ----------------------------------------------------------------------------


def page(response) -> Page:  # type: ignore[no-untyped-def]
    return Page.of(response)


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return page(response).text


def quantities(shown: Page) -> dict[int, int]:
    """The cart's quantity boxes: product id → the number in the box."""
    return {
        int(str(box["id"]).removeprefix("qty-")): int(str(box["value"]))
        for box in shown.select('input[id^="qty-"]')
    }


def message_at(shown: Page, element_id: str) -> str:
    return words(shown.one(f"#{element_id}").get_text(" "))


def guesses_with_fresh_cookies(app, product, codes: list[str], address: str, **headers: str):  # type: ignore[no-untyped-def]
    """Each code tried by a visitor who has never been here (a new cookie, a new session).
    Every visitor gets the age gate and a cart first, so that only the guesses fall in the
    throttle's moving minute, however slowly a busy machine prepares them."""
    visitors = []
    for _ in codes:
        visitor = app.test_client()
        visitor.environ_base["REMOTE_ADDR"] = address
        pass_age_gate(visitor)
        add(visitor, product)
        visitors.append((visitor, cart_token(visitor)))
    return [
        visitor.post("/cart/code", data={"csrf_token": token, "code": code}, headers=headers)
        for (visitor, token), code in zip(visitors, codes, strict=True)
    ]


GUESSES = [f"GUESS{n}" for n in range(50)]


def assert_refused_from_the_thirty_first(answers) -> None:  # type: ignore[no-untyped-def]
    assert [a.status_code for a in answers] == [422] * 30 + [429] * 20
    refused = page(answers[30])
    assert refused.texts("h1") == ["Too many attempts"]
    assert re.fullmatch(
        r"You have tried that too often in a short time\. Please wait \d+ seconds? and try "
        r"again\.",
        refused.texts('[role="alert"]')[0],
    )
    assert 1 <= int(answers[30].headers["Retry-After"]) <= 60


def test_code_guesses_from_one_address_are_throttled_whatever_the_cookie(app, session):
    """A script dropping its cookie starts a fresh visitor, not a fresh address."""
    product = make_product(session)

    answers = guesses_with_fresh_cookies(app, product, GUESSES, "198.51.100.20")

    assert_refused_from_the_thirty_first(answers)
    [elsewhere] = guesses_with_fresh_cookies(app, product, ["GUESS"], "198.51.100.21")
    assert elsewhere.status_code == 422


@pytest.fixture
def app_with(app, app_settings) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """`app_with(SETTING=value)`: the shop again on the test's database, with those settings
    changed (and a limiter storage of its own)."""
    made = []

    def make(**overrides: str) -> Any:
        changed = create_app({**app_settings, **overrides})
        changed.test_client_class = app.test_client_class
        made.append(changed)
        return changed

    yield make
    for changed in made:
        with changed.app_context():
            db.engine.dispose()


def test_behind_one_proxy_the_forwarded_address_counts_not_the_proxys(app_with, session):
    behind_a_proxy = app_with(SHOP_PROXY_HOPS="1")
    product = make_product(session)

    answers = guesses_with_fresh_cookies(
        behind_a_proxy, product, GUESSES, "10.0.0.2", **{"X-Forwarded-For": "198.51.100.30"}
    )
    [another_customer_through_the_same_proxy] = guesses_with_fresh_cookies(
        behind_a_proxy, product, ["GUESS"], "10.0.0.2", **{"X-Forwarded-For": "198.51.100.31"}
    )

    assert_refused_from_the_thirty_first(answers)
    assert another_customer_through_the_same_proxy.status_code == 422


REDIS_DATABASE = 13  # a database of its own (the staff sign-in tests use 15, scale-out 14)


@pytest.fixture
def redis_and_address() -> Iterator[tuple[str, Any, str]]:
    """Redis's URL and connection, and an address of the test's own whose keys (and only
    those) go afterwards."""
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"
    with running_redis(REDIS_DATABASE) as (url, redis):
        yield url, redis, address
        for key in redis.scan_iter(match=f"*/{address}/*"):
            redis.delete(key)


def test_code_guesses_from_one_address_are_counted_in_redis(app_with, session, redis_and_address):
    url, redis, address = redis_and_address
    counted_in_redis = app_with(SHOP_RATELIMIT_STORAGE_URL=url)
    product = make_product(session)

    answers = guesses_with_fresh_cookies(counted_in_redis, product, GUESSES, address)

    assert_refused_from_the_thirty_first(answers)
    assert list(redis.scan_iter(match=f"*/{address}/*")), "no count of the address in Redis"


# --- a customer's moves -------------------------------------------------------------------


def token_from(client, slug: str) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client.get(f"/products/{slug}").get_data(as_text=True))


def add(client, product, quantity: str = "1", *, token: str | None = None):  # type: ignore[no-untyped-def]
    form = {
        "csrf_token": token or token_from(client, product.slug),
        "product_id": str(product.id),
        "quantity": quantity,
        "next": f"/products/{product.slug}",
    }
    return client.post("/cart/add", data=form)


def cart_page(client):  # type: ignore[no-untyped-def]
    response = client.get("/cart")
    assert response.status_code == 200
    return response


def cart_token(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(cart_page(client).get_data(as_text=True))


def apply_code(client, code: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/cart/code", data={"csrf_token": cart_token(client), "code": code}, headers=headers
    )


# --- adding, changing, removing -------------------------------------------------------------


def test_added_product_is_in_the_cart_with_price_and_allergy_sentence(session, verified_client):
    product = make_product(session, "Golden Teacher 15 g", price_cents=1995)

    response = add(verified_client, product, "2")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/products/{product.slug}"
    assert "added to your cart." in text_of(verified_client.get(response.headers["Location"]))
    cart = cart_page(verified_client)
    assert quantities(page(cart)) == {product.id: 2}
    words = text_of(cart)
    assert "Golden Teacher 15 g" in words
    assert "€19.95" in words and "€39.90" in words
    assert "Do not use if you are allergic to mushrooms." in words


def test_the_full_warnings_are_one_click_away_on_the_cart(session, verified_client):
    product = make_product(session)
    add(verified_client, product)

    cart = page(cart_page(verified_client))

    details = cart.texts("main details")  # not the header's menu
    assert len(details) == 1
    assert "Not medical advice. No proven effect in humans." in details[0]


def test_the_header_counts_the_items_in_the_cart(session, verified_client):
    first, second = make_product(session), make_product(session)
    add(verified_client, first, "2")
    add(verified_client, second, "1")

    counts = page(cart_page(verified_client)).texts(".cart-count")

    assert counts == ["3"]


def test_adding_again_adds_to_the_line(session, verified_client):
    product = make_product(session)

    add(verified_client, product, "2")
    add(verified_client, product, "3")

    assert quantities(page(cart_page(verified_client))) == {product.id: 5}


def test_changing_the_quantity_changes_the_line_total(session, verified_client):
    product = make_product(session, price_cents=1000)
    add(verified_client, product)

    response = verified_client.post(
        "/cart/update",
        data={"csrf_token": cart_token(verified_client), "product_id": product.id, "quantity": "4"},
    )

    assert response.status_code == 303
    cart = cart_page(verified_client)
    assert quantities(page(cart)) == {product.id: 4}
    assert "€40.00" in text_of(cart)


def test_setting_a_line_to_zero_removes_it(session, verified_client):
    kept, removed = make_product(session, "Kept"), make_product(session, "Removed")
    add(verified_client, kept)
    add(verified_client, removed)

    verified_client.post(
        "/cart/update",
        data={"csrf_token": cart_token(verified_client), "product_id": removed.id, "quantity": "0"},
    )

    cart = cart_page(verified_client)
    assert quantities(page(cart)) == {kept.id: 1}
    assert "Removed from your cart." in text_of(cart)


def test_the_price_is_always_the_one_in_the_database(session, verified_client):
    product = make_product(session, price_cents=1995)
    add(verified_client, product)

    change_price(session, product.id, 2495, now=CREATED)

    words = text_of(cart_page(verified_client))
    assert "€24.95" in words
    assert "€19.95" not in words


def test_an_empty_cart_says_so(verified_client):
    assert "Your cart is empty." in text_of(cart_page(verified_client))


def test_a_form_without_its_csrf_token_is_refused(session, verified_client):
    product = make_product(session)

    response = verified_client.post("/cart/add", data={"product_id": product.id, "quantity": "1"})

    assert response.status_code == 400
    assert quantities(page(cart_page(verified_client))) == {}


def test_a_sold_out_product_page_has_no_buy_form(session, verified_client):
    product = make_product(session, stock=0)

    words = verified_client.get(f"/products/{product.slug}").get_data(as_text=True)

    assert 'action="/cart/add"' not in words


# --- limits and bad input -----------------------------------------------------------------


# The values a tampered form or a careless thumb sends; each one is told and changes nothing.
# (A NUL character never reaches the cart: every form with one is refused with 400 up front.)
BAD_NUMBERS = ["-1", str(10**9), "1e3", "abc", "2.5", "٣", " ", "1 2", "0x10"]
BAD_INPUT = {
    ("add", "quantity"): [*BAD_NUMBERS, "0", "11"],
    ("add", "product_id"): [*BAD_NUMBERS, "", "0", "999999"],
    ("update", "quantity"): [*BAD_NUMBERS, "", "11"],
    ("update", "product_id"): [*BAD_NUMBERS, "", "999999"],
}


@pytest.mark.parametrize(("action", "field_name"), list(BAD_INPUT))
def test_bad_input_gets_a_message_and_leaves_the_cart_as_it_was(
    session, verified_client, action, field_name
):
    product = make_product(session, stock=50)
    add(verified_client, product, "2")
    token = cart_token(verified_client)

    for bad in BAD_INPUT[action, field_name]:
        form = {"csrf_token": token, "product_id": str(product.id), "quantity": "1"}
        form[field_name] = bad
        response = verified_client.post(f"/cart/{action}", data=form)

        assert response.status_code == 303, bad
        shown = page(verified_client.get(response.headers["Location"]))
        assert shown.select(".flash-error"), bad
        assert quantities(shown) == {product.id: 2}, bad


def test_an_unpublished_product_cannot_be_added(session, verified_client):
    kept, gone = make_product(session), make_product(session, "Gone")
    add(verified_client, kept)
    token = token_from(verified_client, gone.slug)
    unpublish_product(session, gone.id, now=CREATED)

    response = add(verified_client, gone, token=token)

    assert response.headers["Location"] == "/cart"
    cart = cart_page(verified_client)
    assert quantities(page(cart)) == {kept.id: 1}
    assert "Sorry, that product is not available." in text_of(cart)


def test_a_sold_out_product_cannot_be_added(session, verified_client):
    product = make_product(session, "Hollandia 15 g", stock=1)
    token = token_from(verified_client, product.slug)
    session.execute(update(Product).where(Product.id == product.id).values(stock=0))
    session.commit()

    response = add(verified_client, product, token=token)

    assert "Sorry, Hollandia 15 g is sold out." in text_of(
        verified_client.get(response.headers["Location"])
    )
    assert quantities(page(cart_page(verified_client))) == {}


def test_quantity_is_bounded_by_stock(session, verified_client):
    product = make_product(session, "Mexicana 15 g", stock=3)
    add(verified_client, product, "2")

    response = add(verified_client, product, "2")

    assert "Sorry, only 3 left of Mexicana 15 g." in text_of(
        verified_client.get(response.headers["Location"])
    )
    assert quantities(page(cart_page(verified_client))) == {product.id: 2}


def test_quantity_is_bounded_by_the_per_line_maximum(session, verified_client):
    product = make_product(session, "Mexicana 15 g", stock=50)

    response = add(verified_client, product, "11")

    assert "You can order at most 10 of Mexicana 15 g." in text_of(
        verified_client.get(response.headers["Location"])
    )
    assert quantities(page(cart_page(verified_client))) == {}
    add(verified_client, product, "10")
    assert quantities(page(cart_page(verified_client))) == {product.id: 10}


def test_the_per_line_maximum_is_a_setting(app_settings, request):
    app_settings["SHOP_CART_MAX_PER_LINE"] = "3"
    session = request.getfixturevalue("session")
    client = request.getfixturevalue("verified_client")
    product = make_product(session, "Mexicana 15 g", stock=50)

    response = add(client, product, "4")

    assert "You can order at most 3 of Mexicana 15 g." in text_of(
        client.get(response.headers["Location"])
    )


def test_a_product_unpublished_after_adding_leaves_the_cart_with_a_message(
    session, verified_client
):
    kept, gone = make_product(session, "Kept"), make_product(session, "Gone")
    add(verified_client, kept)
    add(verified_client, gone)
    verified_client.get(f"/products/{kept.slug}")  # shows (and so ends) the "added" messages

    unpublish_product(session, gone.id, now=CREATED)

    cart = cart_page(verified_client)
    assert quantities(page(cart)) == {kept.id: 1}
    assert "no longer available" in text_of(cart)
    assert "Gone" not in text_of(cart)


# --- promo codes ----------------------------------------------------------------------------


def test_an_applied_code_shows_the_discount_and_the_total(session, client):
    with frozen_at(datetime(2025, 10, 25, 12, 0, tzinfo=UTC)):
        pass_age_gate(client)
        product = make_product(session, price_cents=1995)
        make_code(session, "Halloween2025")
        add(client, product, "2")

        response = apply_code(client, "  halloween2025 ")

        assert response.status_code == 303
        words = text_of(cart_page(client))
    # 15 % of € 39,90 is € 5,985: rounded half up once, to € 5,99.
    assert "The code Halloween2025 was applied." in words
    assert "Discount (Halloween2025) −€5.99" in words
    assert "Total incl. VAT €33.91" in words


def test_a_code_works_all_of_its_last_local_day(session, client):
    product = make_product(session, price_cents=2000)
    make_code(session)
    with frozen_at(LAST_MINUTE_OF_HALLOWEEN):
        pass_age_gate(client)
        add(client, product)
        apply_code(client, "HALLOWEEN2025")

        words = text_of(cart_page(client))

    assert "Discount (HALLOWEEN2025) −€3.00" in words


# A code with a banner: customers hear every reason it cannot be used yet.
PUBLIC = {"is_public": True, "banner_title_en": "Halloween: 15% off everything"}


@pytest.mark.parametrize(
    ("instant", "overrides", "message"),
    [
        pytest.param(
            EVENING_BEFORE_HALLOWEEN_STARTED,
            PUBLIC,
            "This code starts on 21 October 2025.",
            id="public-not-started",
        ),
        pytest.param(
            FIRST_MINUTE_AFTER_HALLOWEEN, {}, "This code ended on 2 November 2025.", id="ended"
        ),
        pytest.param(
            datetime(2026, 1, 1, tzinfo=UTC),
            {},
            "This code ended on 2 November 2025.",
            id="long-ago",
        ),
        pytest.param(
            LAST_MINUTE_OF_HALLOWEEN,
            {"is_active": False, **PUBLIC},
            "This code is not active.",
            id="public-inactive",
        ),
        pytest.param(
            LAST_MINUTE_OF_HALLOWEEN,
            {"min_subtotal_cents": 3000},
            "This code needs a subtotal of €30.00.",
            id="below-minimum",
        ),
        pytest.param(
            LAST_MINUTE_OF_HALLOWEEN,
            {"category_slugs": ["kits"]},
            "This code does not apply to the products in your cart.",
            id="not-applicable",
        ),
    ],
)
def test_a_refused_code_says_why_next_to_the_field(session, client, instant, overrides, message):
    make_category(session, "kits")
    product = make_product(session, price_cents=1995)
    make_code(session, **overrides)
    with frozen_at(instant):
        pass_age_gate(client)
        add(client, product)

        response = apply_code(client, "HALLOWEEN2025")

        assert response.status_code == 422
        shown = page(response)
        assert message_at(shown, "promo-code-error") == message
        assert shown.one("#promo-code-error")["role"] == "alert"
        code_box = shown.one("#promo-code")
        assert code_box["aria-describedby"] == "promo-code-error"
        assert code_box["value"] == "HALLOWEEN2025"
        assert "Discount" not in text_of(cart_page(client))


def answer_without_its_token_and_code(response, typed: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True).replace(typed, "TYPED")
    return response.status_code, re.sub(r'name="csrf_token"[^>]*', "csrf_token", body)


@pytest.mark.parametrize(
    ("instant", "overrides"),
    [
        pytest.param(EVENING_BEFORE_HALLOWEEN_STARTED, {}, id="scheduled"),
        pytest.param(EVENING_BEFORE_HALLOWEEN_STARTED, {"is_active": False}, id="scheduled-off"),
        pytest.param(LAST_MINUTE_OF_HALLOWEEN, {"is_active": False}, id="switched-off"),
    ],
)
def test_a_code_without_a_banner_is_answered_like_an_unknown_one_until_it_runs(
    session, client, instant, overrides
):
    """Guessing cannot tell next month's code from a code that does not exist."""
    product = make_product(session)
    make_code(session, "HALLOWEEN2025", **overrides)
    with frozen_at(instant):
        pass_age_gate(client)
        add(client, product)

        scheduled = apply_code(client, "HALLOWEEN2025")
        unknown = apply_code(client, "QX7RTP2LZ9KM")

    assert message_at(page(scheduled), "promo-code-error") == (
        "We don't know that code. Please check it."
    )
    assert answer_without_its_token_and_code(
        scheduled, "HALLOWEEN2025"
    ) == answer_without_its_token_and_code(unknown, "QX7RTP2LZ9KM")


def test_an_unknown_code_gets_the_generic_message(session, verified_client):
    product = make_product(session)
    make_code(session)
    add(verified_client, product)

    for typed in ("HALLOWEEN2024", "HALLOWEEN 2025", "HALLOWEEN2025" * 10):
        response = apply_code(verified_client, typed)

        assert response.status_code == 422
        assert message_at(page(response), "promo-code-error") == (
            "We don't know that code. Please check it."
        )


def test_a_used_up_code_says_so(session, client):
    product = make_product(session)
    code = make_code(session, usage_limit=1)
    session.execute(update(PromoCode).where(PromoCode.id == code.id).values(times_used=1))
    session.commit()
    with frozen_at(LAST_MINUTE_OF_HALLOWEEN):
        pass_age_gate(client)
        add(client, product)

        response = apply_code(client, "HALLOWEEN2025")

    assert message_at(page(response), "promo-code-error") == "This code has been used up."


def test_the_minimum_is_shown_in_the_visitors_money_format(session, client):
    product = make_product(session)
    make_code(session, min_subtotal_cents=3000)
    with frozen_at(LAST_MINUTE_OF_HALLOWEEN):
        pass_age_gate(client)
        add(client, product)

        response = apply_code(client, "HALLOWEEN2025", **{"Accept-Language": "nl"})

    assert "€ 30,00" in message_at(page(response), "promo-code-error")


def test_a_code_that_stops_applying_says_why_on_the_cart(session, client):
    cheap, dear = make_product(session, price_cents=1000), make_product(session, price_cents=2500)
    make_code(session, min_subtotal_cents=3000)
    with frozen_at(LAST_MINUTE_OF_HALLOWEEN):
        pass_age_gate(client)
        add(client, cheap)
        add(client, dear)
        apply_code(client, "HALLOWEEN2025")
        client.post(
            "/cart/update",
            data={"csrf_token": cart_token(client), "product_id": dear.id, "quantity": "0"},
        )

        shown = page(cart_page(client))

    assert message_at(shown, "promo-code-error") == "This code needs a subtotal of €30.00."
    assert "Discount" not in shown.text


def test_an_empty_code_removes_the_applied_one(session, client):
    product = make_product(session, price_cents=2000)
    make_code(session)
    with frozen_at(LAST_MINUTE_OF_HALLOWEEN):
        pass_age_gate(client)
        add(client, product)
        apply_code(client, "HALLOWEEN2025")

        response = apply_code(client, "")

        assert response.status_code == 303
        words = text_of(cart_page(client))
    assert "The code was removed." in words
    assert "Discount" not in words
    assert "Total incl. VAT €20.00" in words


def test_code_attempts_are_throttled_per_visitor(app, session, verified_client):
    product = make_product(session)
    add(verified_client, product)
    token = cart_token(verified_client)

    answers = [
        verified_client.post("/cart/code", data={"csrf_token": token, "code": f"GUESS{n}"})
        for n in range(11)
    ]

    assert [a.status_code for a in answers] == [422] * 10 + [429]
    assert re.search(r"Please wait \d+ seconds? and try again\.", text_of(answers[-1]))
    assert quantities(page(cart_page(verified_client))) == {product.id: 1}
    another_visitor = app.test_client()
    pass_age_gate(another_visitor)
    add(another_visitor, product)
    assert apply_code(another_visitor, "GUESS").status_code == 422
