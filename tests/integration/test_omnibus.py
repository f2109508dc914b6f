"""EU Omnibus rule (Directive 2019/2161, art. 6a): while a public code covers a product, its
page shows the lowest price it had in the 30 days before the promotion began."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shop.clock import frozen_at
from shop.rules.promotions import Kind, window_from_local
from shop.services.products import change_price
from shop.services.promotions import PromoDraft, create_promo_code
from tests.helpers import csrf_token, make_category, make_product, pass_age_gate
from tests.integration.test_query_counts import counting_queries

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WINDOW = window_from_local(date(2025, 10, 21), date(2025, 11, 2), AMSTERDAM)
PROMOTION_STARTS = datetime(2025, 10, 20, 22, 0, tzinfo=UTC)
DURING = datetime(2025, 10, 25, 12, 0, tzinfo=UTC)
AFTER = datetime(2025, 11, 2, 23, 0, tzinfo=UTC)

NOTE = "Lowest price in the 30 days before this promotion"


def days_before_promotion(days: float) -> datetime:
    return PROMOTION_STARTS - timedelta(days=days)


def public_code(session, code: str = "HALLOWEEN2025", **overrides) -> int:
    values = {
        "code": code,
        "kind": Kind.PERCENT,
        "value": 15,
        "window": WINDOW,
        "is_public": True,
        "banner_title_en": "Halloween 2025",
    }
    values.update(overrides)
    return create_promo_code(session, PromoDraft(**values), now=days_before_promotion(60)).id


def product_priced(session, history: list[tuple[float, int]], **overrides):
    """A product whose price was history[i][1] from history[i][0] days before the promotion."""
    (first_days, first_price), *changes = history
    product = make_product(
        session, price_cents=first_price, now=days_before_promotion(first_days), **overrides
    )
    for days, price in changes:
        change_price(session, product.id, price, now=days_before_promotion(days))
    return product


@contextmanager
def adult_at(client, instant: datetime) -> Iterator[None]:
    with frozen_at(instant):
        pass_age_gate(client)
        yield


def product_page(client, product, instant: datetime = DURING) -> str:
    with adult_at(client, instant):
        response = client.get(f"/products/{product.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_lower_price_10_days_before_the_promotion_is_the_one_shown(session, client):
    public_code(session)
    product = product_priced(session, [(60, 1295), (10, 995), (2, 1295)])

    html = product_page(client, product)

    assert f"{NOTE}: €9.95" in html


def test_the_note_is_in_the_visitors_money_format(session, client):
    public_code(session)
    product = product_priced(session, [(60, 1295), (10, 995), (2, 1295)])

    with adult_at(client, DURING):
        html = client.get(f"/products/{product.slug}", headers={"Accept-Language": "nl"}).get_data(
            as_text=True
        )

    assert "€\xa09,95" in html


def test_a_change_40_days_before_counts_only_as_the_price_in_force_when_the_period_began(
    session, client
):
    public_code(session)
    product = product_priced(session, [(60, 895), (40, 1295), (5, 1095)])

    html = product_page(client, product)

    assert f"{NOTE}: €10.95" in html
    assert "€8.95" not in html


def test_the_price_in_force_when_the_period_began_counts_when_it_was_the_lowest(session, client):
    public_code(session)
    product = product_priced(session, [(60, 1495), (40, 995), (20, 1295)])

    html = product_page(client, product)

    assert f"{NOTE}: €9.95" in html


def test_a_price_change_after_the_promotion_began_does_not_count(session, client):
    public_code(session)
    product = product_priced(session, [(60, 1295), (-1, 795)])

    html = product_page(client, product)

    assert f"{NOTE}: €12.95" in html


def test_a_product_with_no_price_before_the_promotion_shows_no_note(session, client):
    public_code(session)
    product = product_priced(session, [(-2, 1295)])

    html = product_page(client, product)

    assert NOTE not in html


def test_no_note_after_the_promotion_ended(session, client):
    public_code(session)
    product = product_priced(session, [(60, 1295), (10, 995)])

    html = product_page(client, product, AFTER)

    assert NOTE not in html


def test_no_note_for_a_code_that_is_not_public(session, client):
    public_code(session, is_public=False, banner_title_en="")
    product = product_priced(session, [(60, 1295), (10, 995)])

    html = product_page(client, product)

    assert NOTE not in html


def test_no_note_for_a_product_outside_the_codes_scope(session, client):
    make_category(session, slug="grow-kits")
    truffles = make_category(session, slug="truffles")
    public_code(session, category_slugs=["grow-kits"])
    product = product_priced(session, [(60, 1295), (10, 995)], category=truffles)

    html = product_page(client, product)

    assert NOTE not in html


def test_a_code_for_the_products_category_shows_the_note(session, client):
    grow_kits = make_category(session, slug="grow-kits")
    public_code(session, category_slugs=["grow-kits"])
    product = product_priced(session, [(60, 2495), (10, 1995)], category=grow_kits)

    html = product_page(client, product)

    assert f"{NOTE}: €19.95" in html


def test_the_note_stays_when_the_visitor_dismissed_the_banner(session, client):
    promo_code_id = public_code(session)
    product = product_priced(session, [(60, 1295), (10, 995)])

    with adult_at(client, DURING):
        page = client.get(f"/products/{product.slug}").get_data(as_text=True)
        client.post(
            "/banner/dismiss",
            data={"csrf_token": csrf_token(page), "promo_code_id": str(promo_code_id), "next": "/"},
        )
        html = client.get(f"/products/{product.slug}").get_data(as_text=True)

    assert "<code>HALLOWEEN2025</code>" not in html
    assert f"{NOTE}: €9.95" in html


def test_the_note_costs_one_query_per_code_covering_the_product(session, client):
    make_category(session, slug="grow-kits")
    truffles = make_category(session, slug="truffles")
    product = product_priced(session, [(60, 1295), (10, 995)], category=truffles)
    public_code(session, "GROWING", category_slugs=["grow-kits"])
    with adult_at(client, DURING):
        with counting_queries() as not_covered:
            client.get(f"/products/{product.slug}")
        public_code(session, "HALLOWEEN2025")
        with counting_queries() as covered:
            html = client.get(f"/products/{product.slug}").get_data(as_text=True)

    assert f"{NOTE}: €9.95" in html
    assert len(covered) == len(not_covered) + 1
