"""The customer's order page: the order as placed (its own snapshot of names, prices and the
warnings acknowledged), its status in words, and until when an unpaid order is held.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from shop.clock import frozen_at
from shop.extensions import db
from shop.models import Disclaimer, Order, OrderStatus, Product, PromoCode
from shop.rules.promotions import window_from_local
from shop.services.orders.placing import ShopPolicy, place_order
from shop.services.products import DisclaimerDraft
from tests.helpers import AMSTERDAM, ANN, checkout_request, make_code, make_product, pass_age_gate
from tests.pages import Page

# 12:00 in Amsterdam (CET, an hour ahead of UTC in winter and early spring).
NOON_ON_15_MARCH_2026_IN_AMSTERDAM = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
# 23:50 in Amsterdam: a 30-minute hold runs into the next day.
TEN_TO_MIDNIGHT_ON_15_MARCH_IN_AMSTERDAM = datetime(2026, 3, 15, 22, 50, tzinfo=UTC)
POLICY = ShopPolicy(min_age=18, age_policy_version=1, hold_minutes=30, currency="EUR")

DOSAGE = DisclaimerDraft(
    kind="dosage",
    text_en="Start with a low dose; never combine with alcohol or medication.",
    text_nl="Begin met een lage dosis; nooit combineren met alcohol of medicijnen.",
)


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOON_ON_15_MARCH_2026_IN_AMSTERDAM) as now:
        yield now


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return Page.of(response).text


ANNA = dataclasses.replace(ANN, email="anna@example.nl", name="Anna de Vries")


def order_of(session, *items: tuple[Product, int], now: datetime, code: str = "") -> Order:  # type: ignore[no-untyped-def]
    """An order placed through the checkout service, as the checkout page places it."""
    request = checkout_request(
        {product.id: quantity for product, quantity in items},
        customer=ANNA,
        birth_date=date(1987, 11, 23),
        code=code,
    )
    order = place_order(session, request, POLICY, today=now.astimezone(AMSTERDAM).date(), now=now)
    session.expire_all()
    return order


def test_an_unpaid_order_shows_everything_the_customer_agreed_to(session, verified_client, clock):
    teacher = make_product(session, "Golden Teacher 15 g", price_cents=1995)
    lions_mane = make_product(
        session, "Lion's Mane capsules", price_cents=1000, disclaimers=[DOSAGE]
    )
    window = window_from_local(date(2026, 3, 1), date(2026, 3, 31), AMSTERDAM)
    make_code(session, "Lente10", value=10, window=window)
    order = order_of(session, (teacher, 2), (lions_mane, 1), now=clock, code="LENTE10")

    response = verified_client.get(f"/orders/{order.token}")

    assert response.status_code == 200
    words = text_of(response)
    assert f"Order {order.number}" in words
    assert "Status: Awaiting payment" in words
    assert "Please pay before 12:30." in words
    assert "Golden Teacher 15 g 2 €19.95 €39.90 Discount −€3.99" in words
    assert "Lion's Mane capsules 1 €10.00 €10.00 Discount −€1.00" in words
    assert (
        "Subtotal €49.90 Discount (Lente10) −€4.99 "
        "Shipping: Test delivery age check on delivery Free Total incl. VAT €44.91"
    ) in words
    assert "of which VAT 21% (on €37.12 excl. VAT) €7.79" in words
    assert "The code Lente10 gave 10% off." in words
    assert "Anna de Vries Prinsengracht 263 1016 GV Amsterdam Netherlands" in words
    assert "Health: Not medical advice. No proven effect in humans." in words
    assert "Dosage: Start with a low dose; never combine with alcohol or medication." in words
    assert "Allergy: Do not use if you are allergic to mushrooms." in words
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_tells_the_terms_the_code_gave_whatever_became_of_the_code(
    session, verified_client, clock
):
    window = window_from_local(date(2026, 3, 1), date(2026, 3, 31), AMSTERDAM)
    code = make_code(session, "VIJF", kind="amount", value=500, window=window)
    order = order_of(session, (make_product(session, price_cents=2000), 1), now=clock, code="vijf")

    # Only possible behind the shop's back: a used code keeps what it gives.
    session.execute(update(PromoCode).where(PromoCode.id == code.id).values(value=900))
    session.commit()
    words = text_of(verified_client.get(f"/orders/{order.token}"))

    assert "Discount (VIJF) −€5.00" in words
    assert "The code VIJF gave €5.00 off." in words


def test_the_page_shows_the_warnings_as_acknowledged_not_as_edited_since(
    session, verified_client, clock
):
    product = make_product(session)
    order = order_of(session, (product, 1), now=clock)
    disclaimer = session.scalars(
        select(Disclaimer).where(Disclaimer.product_id == product.id)
    ).one()
    disclaimer.text_en = "Reworded after the order was placed."
    disclaimer.content_hash = disclaimer.compute_hash()
    session.commit()

    words = text_of(verified_client.get(f"/orders/{order.token}"))

    assert "Not medical advice. No proven effect in humans." in words
    assert "Reworded after the order was placed." not in words


def test_a_hold_that_runs_past_midnight_names_the_day(session, client):
    with frozen_at(TEN_TO_MIDNIGHT_ON_15_MARCH_IN_AMSTERDAM) as now:
        pass_age_gate(client)
        order = order_of(session, (make_product(session), 1), now=now)

        words = text_of(client.get(f"/orders/{order.token}"))

    assert "Please pay before 00:20 on 16 March 2026." in words


@pytest.mark.parametrize("token", ["not-a-token", "x" * 65])
def test_an_unknown_order_is_not_found(verified_client, token):
    assert verified_client.get(f"/orders/{token}").status_code == 404


def test_a_nul_character_in_an_order_link_is_a_clean_400(verified_client):
    assert verified_client.get("/orders/%00").status_code == 400


def test_the_order_page_is_behind_the_age_gate(session, client, clock):
    order = order_of(session, (make_product(session), 1), now=clock)

    response = client.get(f"/orders/{order.token}")

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/age-gate?next=")


def test_an_expired_order_says_so_and_its_stock_is_back(session, client, clock):
    product = make_product(session, "Mexicana 15 g", stock=4)
    pass_age_gate(client)
    order = order_of(session, (product, 3), now=clock)
    assert session.get(Product, product.id).stock == 1

    with frozen_at(clock + timedelta(minutes=30, seconds=1)):
        response = client.get(f"/orders/{order.token}")
        product_page = text_of(client.get(f"/products/{product.slug}"))

    words = text_of(response)
    assert "Status: Expired: not paid in time" in words
    assert "This order has expired" in words
    assert "Please pay before" not in words
    db.session.expire_all()
    assert session.get(Order, order.id).status == OrderStatus.EXPIRED
    assert session.get(Product, product.id).stock == 4
    assert "Only 4 left" in product_page
