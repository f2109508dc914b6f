"""The site-wide promo banner: shown on pages behind the age gate while a public code runs,
with its local dates and the code, and dismissable for the session without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import render_template

from shop.clock import frozen_at
from shop.rules.promotions import Kind, window_from_local
from shop.services.promotions import PromoDraft, create_promo_code
from tests.helpers import csrf_token, make_category, make_product, pass_age_gate

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=AMSTERDAM)  # type: ignore[misc]


BEFORE_WINDOW = amsterdam(2025, 10, 20, 23, 59, 59)
FIRST_SECOND = amsterdam(2025, 10, 21, 0, 0, 0)
DURING = amsterdam(2025, 10, 25, 12, 0)
LAST_MINUTE_OF_WINDOW = amsterdam(2025, 11, 2, 23, 59)
AFTER_WINDOW = amsterdam(2025, 11, 3, 0, 0)

BANNER = re.compile(r'<aside class="promo-banner" aria-label="[^"]*">.*?</aside>', re.S)


def halloween(session, **overrides) -> int:
    values = {
        "code": "HALLOWEEN2025",
        "kind": Kind.PERCENT,
        "value": 15,
        "window": window_from_local(date(2025, 10, 21), date(2025, 11, 2), AMSTERDAM),
        "is_public": True,
        "banner_title_en": "Halloween 2025",
        "banner_title_nl": "Halloween 2025",
        "banner_text_en": "Use the code below at checkout to receive 15% off your entire order",
        "banner_text_nl": "Gebruik de code hieronder bij het afrekenen",
    }
    values.update(overrides)
    code = create_promo_code(session, PromoDraft(**values), now=datetime(2025, 10, 1, tzinfo=UTC))
    return code.id


@contextmanager
def adult_at(client, instant: datetime) -> Iterator[None]:
    """Freeze the clock at `instant` for a visitor who passes the age gate then."""
    with frozen_at(instant):
        pass_age_gate(client)
        yield


def banners_on(client, path: str = "/", **kwargs) -> list[str]:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.status_code
    return BANNER.findall(response.get_data(as_text=True))


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_running_public_code_shows_its_banner_with_its_last_local_day_and_the_code(
    session, client
):
    halloween(session)

    with adult_at(client, DURING):
        [banner] = banners_on(client)

    # The title and the text show on wide screens only (shop.css): a phone's line is short.
    assert text_of(banner).startswith(
        "Halloween 2025: 15% OFF · code HALLOWEEN2025 · until 2 Nov · "
        "Use the code below at checkout to receive 15% off your entire order"
    )
    assert "<code>HALLOWEEN2025</code>" in banner
    assert '<time datetime="2025-11-02">' in banner


def test_several_running_codes_share_one_strip_a_line_each(session, client):
    halloween(session)
    halloween(session, code="TAKE5", kind=Kind.AMOUNT, value=500, banner_title_en="Take five")

    with adult_at(client, DURING):
        [strip] = banners_on(client)

    offers = re.findall(r'<li class="promo-offer">.*?</li>', strip, re.S)
    assert [re.search(r"<code>(\w+)</code>", offer)[1] for offer in offers] == [
        "HALLOWEEN2025",
        "TAKE5",
    ]
    assert "Take five: €5.00 OFF · code TAKE5 · until 2 Nov" in text_of(offers[1])


def test_the_banner_is_in_dutch_for_a_dutch_visitor(session, client):
    halloween(session)

    with adult_at(client, DURING):
        [banner] = banners_on(client, headers={"Accept-Language": "nl"})

    assert "15% KORTING · code HALLOWEEN2025 · t/m 2 nov" in text_of(banner)
    assert "Gebruik de code hieronder bij het afrekenen" in banner


def test_a_fixed_amount_banner_shows_the_amount_off(session, client):
    halloween(session, code="TAKE5", kind=Kind.AMOUNT, value=500, banner_title_en="Take five")

    with adult_at(client, DURING):
        [banner] = banners_on(client)

    assert "Take five: €5.00 OFF · code TAKE5 ·" in text_of(banner)


def test_an_open_ended_code_shows_no_end_date(session, client):
    halloween(session, window=window_from_local(date(2025, 10, 21), None, AMSTERDAM))

    with adult_at(client, DURING):
        [banner] = banners_on(client)

    assert "until" not in text_of(banner)
    assert "Halloween 2025: 15% OFF · code HALLOWEEN2025 · Use" in text_of(banner)


@pytest.mark.parametrize("instant", [FIRST_SECOND, DURING, LAST_MINUTE_OF_WINDOW])
def test_the_banner_shows_from_the_first_to_the_last_minute_of_the_window(session, client, instant):
    halloween(session)

    with adult_at(client, instant):
        assert len(banners_on(client)) == 1


@pytest.mark.parametrize("instant", [BEFORE_WINDOW, AFTER_WINDOW])
def test_outside_its_window_there_is_no_banner(session, client, instant):
    halloween(session)

    with adult_at(client, instant):
        html = client.get("/").get_data(as_text=True)

    assert "promo-banner" not in html
    assert "HALLOWEEN2025" not in html


def test_a_code_that_is_not_public_has_no_banner(session, client):
    halloween(session, is_public=False)

    with adult_at(client, DURING):
        assert banners_on(client) == []


def test_the_banner_shows_on_every_storefront_page(session, client):
    halloween(session)
    category = make_category(session, slug="truffles")
    product = make_product(session, "Mexicana truffles 15 g", category=category)

    with adult_at(client, DURING):
        for path in ["/", "/category/truffles", f"/products/{product.slug}", "/search?q=truffle"]:
            assert len(banners_on(client, path)) == 1, path


def test_on_the_cart_where_the_code_is_entered_not_on_the_checkout_or_my_orders(session, client):
    halloween(session)
    product = make_product(session, "Mexicana truffles 15 g")

    with adult_at(client, DURING):
        page = client.get(f"/products/{product.slug}").get_data(as_text=True)
        client.post(
            "/cart/add",
            data={"csrf_token": csrf_token(page), "product_id": str(product.id), "quantity": "1"},
        )
        assert len(banners_on(client, "/cart")) == 1
        for path in ["/checkout", "/my-orders"]:
            html = client.get(path).get_data(as_text=True)
            assert "HALLOWEEN2025" not in html, path
            assert "promo-banner" not in html, path


def test_not_on_the_age_gate_before_the_visitor_has_answered(session, client):
    halloween(session)

    with frozen_at(DURING):
        html = client.get("/age-gate").get_data(as_text=True)

    assert "Are you 18 or older?" in html
    assert "HALLOWEEN2025" not in html


def test_not_on_the_refusal_page(session, client):
    halloween(session)
    page = client.get("/age-gate").get_data(as_text=True)
    client.post("/age-gate", data={"csrf_token": csrf_token(page), "answer": "no"})

    with frozen_at(DURING):
        html = client.get("/age-gate/refused").get_data(as_text=True)

    assert "18 years of age or older" in html
    assert "HALLOWEEN2025" not in html


@pytest.mark.parametrize("path", ["/legal/terms", "/legal/privacy"])
def test_not_on_the_legal_pages_even_for_an_adult(session, client, path):
    halloween(session)

    with adult_at(client, DURING):
        html = client.get(path).get_data(as_text=True)

    assert "HALLOWEEN2025" not in html


def test_an_error_page_shows_no_banner(session, client):
    # Error pages read nothing from the database (shop.web.errors): a page that explains a
    # failure must not depend on what may have failed.
    halloween(session)

    with adult_at(client, DURING):
        response = client.get("/products/no-such-product")

    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert "HALLOWEEN2025" not in html


def test_a_page_outside_the_gate_renders_the_banner_slot_empty(app, session):
    halloween(session)

    with frozen_at(DURING), app.test_request_context("/legal/terms"):
        assert render_template("_banner.html").strip() == ""


# --- Dismissing -------------------------------------------------------------------------------


def dismiss(client, promo_code_id: int, next_path: str, *, token: str | None = None):
    if token is None:
        token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post(
        "/banner/dismiss",
        data={"csrf_token": token, "promo_code_id": str(promo_code_id), "next": next_path},
    )


def test_dismissing_hides_the_banner_for_the_rest_of_the_session(session, client):
    halloween_id = halloween(session)
    make_category(session, slug="truffles")

    with adult_at(client, DURING):
        response = dismiss(client, halloween_id, "/category/truffles")

        assert response.status_code == 303
        assert response.headers["Location"] == "/category/truffles"
        assert banners_on(client, "/") == []
        assert banners_on(client, "/category/truffles") == []


def test_dismissing_one_banner_leaves_the_others(session, client):
    halloween_id = halloween(session)
    halloween(session, code="TAKE5", kind=Kind.AMOUNT, value=500, banner_title_en="Take five")

    with adult_at(client, DURING):
        dismiss(client, halloween_id, "/")
        [banner] = banners_on(client)

    assert "TAKE5" in banner


def test_a_new_session_sees_the_banner_again(app, session, client):
    halloween_id = halloween(session)
    other_visitor = app.test_client()

    with adult_at(client, DURING):
        dismiss(client, halloween_id, "/")
        pass_age_gate(other_visitor)
        assert len(banners_on(other_visitor)) == 1


def test_the_dismiss_form_works_without_javascript_and_returns_to_this_page(session, client):
    halloween_id = halloween(session)

    with adult_at(client, DURING):
        [banner] = banners_on(client, "/search?q=truffle")

    assert '<form class="promo-banner-dismiss" method="post" action="/banner/dismiss">' in banner
    assert 'name="csrf_token"' in banner
    assert f'name="promo_code_id" value="{halloween_id}"' in banner
    assert 'name="next" value="/search?q=truffle"' in banner
    assert (
        '<button type="submit"><span aria-hidden="true">×</span>'
        '<span class="visually-hidden">Dismiss the promotion HALLOWEEN2025</span></button>'
    ) in banner


def test_dismissing_without_the_csrf_token_is_refused(session, client):
    halloween_id = halloween(session)

    with adult_at(client, DURING):
        response = dismiss(client, halloween_id, "/", token="forged")
        assert response.status_code == 400
        assert len(banners_on(client)) == 1


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_dismissing_never_leads_off_the_site(session, client, next_path):
    halloween_id = halloween(session)

    with adult_at(client, DURING):
        response = dismiss(client, halloween_id, next_path)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("promo_code_id", ["", "abc", "-1", "1e3", "9" * 30])
def test_dismissing_a_malformed_code_id_is_a_bad_request(session, client, promo_code_id):
    halloween(session)

    with adult_at(client, DURING):
        token = csrf_token(client.get("/").get_data(as_text=True))
        response = client.post(
            "/banner/dismiss",
            data={"csrf_token": token, "promo_code_id": promo_code_id, "next": "/"},
        )

    assert response.status_code == 400


def test_a_visitor_who_has_not_passed_the_gate_cannot_dismiss(session, client):
    halloween_id = halloween(session)

    response = client.post("/banner/dismiss", data={"promo_code_id": str(halloween_id)})

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/age-gate")
