"""Shipping as customers and staff meet it: the cart's estimate and what is short of free
shipping, the methods at checkout with the chosen country's prices, the shipping line of the
order (with its VAT in the summary per rate), and staff keeping the methods, audited.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from shop.clock import frozen_at
from shop.models import AuditEntry, Order, PromoCode, Role, ShippingMethod
from shop.rules.promotions import Kind, PromoNotApplicable, Refusal, window_from_local
from shop.rules.shipping import Zone
from shop.rules.vat import VatRate
from shop.services.orders.placing import ShopPolicy, place_order
from shop.services.promotions import InvalidPromoCode, PromoTermsRefusal
from shop.services.shipping import ShippingRefusal, ShippingRefused
from tests.admin_support import admin_csrf, signed_in
from tests.helpers import (
    AMSTERDAM,
    ANN,
    checkout_request,
    make_code,
    make_product,
    make_shipping_method,
)
from tests.integration.test_checkout_pages import fill_cart, open_checkout, submit
from tests.pages import Page, words

NOON_ON_15_MARCH_2026 = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
FIFTY_EUROS = 5000
POLICY = ShopPolicy(
    min_age=18,
    age_policy_version=1,
    hold_minutes=30,
    currency="EUR",
    free_shipping_from_cents=FIFTY_EUROS,
)
IN_BELGIUM = {"country": "BE", "postcode": "1000", "city": "Brussel"}


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOON_ON_15_MARCH_2026) as now:
        yield now


@pytest.fixture
def methods(session, no_default_shipping) -> dict[str, ShippingMethod]:  # type: ignore[no-untyped-def]
    """The shop's PostNL methods as migration 0019 makes them."""
    return {
        "letterbox": make_shipping_method(
            session,
            "Letterbox parcel",
            name_nl="Brievenbuspakje",
            prices={Zone.NL: 450},
            position=1,
        ),
        "parcel": make_shipping_method(
            session,
            "Parcel",
            name_nl="Pakket",
            prices={Zone.NL: 695, Zone.BE: 995, Zone.DE: 1095, Zone.EU: 1495},
            position=2,
        ),
        "age_check": make_shipping_method(
            session,
            "Parcel with age check",
            name_nl="Pakket met leeftijdscheck",
            prices={Zone.NL: 895},
            includes_age_check=True,
            position=3,
        ),
    }


def place(session, items, clock, **more):  # type: ignore[no-untyped-def]
    order = place_order(
        session, checkout_request(items, **more), POLICY, today=date(2026, 3, 15), now=clock
    )
    session.expire_all()
    return order


# --- the order's shipping line ---------------------------------------------------------------


def test_checkout_to_belgium_charges_the_belgian_parcel_price(session, verified_client, methods):
    truffles = make_product(session, "Mexicana truffles 15 g", price_cents=2495)
    fill_cart(verified_client, truffles)

    response = submit(verified_client, **IN_BELGIUM, shipping_method=str(methods["parcel"].id))

    assert response.status_code == 303
    order = session.scalars(select(Order)).one()
    assert (order.shipping_method_name, order.shipping_carrier) == ("Parcel", "PostNL")
    assert order.shipping_cents == 995
    assert order.total_cents == 2495 + 995
    shown = Page.of(verified_client.get(response.headers["Location"]))
    assert words(shown.one(".totals .shipping").get_text(" ")) == "Shipping: Parcel (PostNL) €9.95"


def test_a_method_that_does_not_ship_to_the_country_is_refused_in_words(
    session, verified_client, methods
):
    fill_cart(verified_client, make_product(session, price_cents=2495))

    response = submit(verified_client, **IN_BELGIUM, shipping_method=str(methods["letterbox"].id))

    assert response.status_code == 422
    shown = Page.of(response)
    assert words(shown.one("#shipping-error").get_text()) == (
        "This shipping method does not deliver to Belgium. Please choose another one."
    )
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_checkout_lists_the_methods_with_the_prices_for_the_country(
    session, verified_client, methods
):
    fill_cart(verified_client, make_product(session, price_cents=2495))

    shown = open_checkout(verified_client)

    options = [words(label.get_text(" ")) for label in shown.select(".shipping-option label")]
    assert options[0].startswith("Letterbox parcel (PostNL) €4.50")
    assert options[1].startswith("Parcel (PostNL) €6.95")
    assert "Belgium €9.95" in options[1]
    assert "checks the recipient's age" in options[2]
    # The cheapest is chosen for the customer, and the summary adds it to the total.
    assert shown.form("form.checkout-form")["shipping_method"] == str(methods["letterbox"].id)
    assert words(shown.one(".checkout-order .grand-total dd").get_text()) == "€29.45"


def test_without_a_choice_the_order_ships_with_the_cheapest_method(session, methods, clock):
    truffles = make_product(session, price_cents=2495)

    order = place(session, {truffles.id: 1}, clock)

    assert (order.shipping_method_name, order.shipping_cents) == ("Letterbox parcel", 450)


def test_the_order_keeps_the_method_name_in_its_language_and_the_age_check(session, methods, clock):
    truffles = make_product(session, price_cents=2495)

    order = place(
        session, {truffles.id: 1}, clock, locale="nl", shipping_method_id=methods["age_check"].id
    )

    assert order.shipping_method_name == "Pakket met leeftijdscheck"
    assert order.shipping_includes_age_check is True
    assert order.shipping_cents == 895


def test_a_country_outside_the_eu_is_not_shipped_to(session, methods, clock):
    truffles = make_product(session, price_cents=2495)
    abroad = dataclasses.replace(ANN, country="CH")

    with pytest.raises(ShippingRefused) as refused:
        place(session, {truffles.id: 1}, clock, customer=abroad)

    assert refused.value.reason is ShippingRefusal.NOT_SHIPPED_TO_COUNTRY


def test_shipping_is_free_from_exactly_the_threshold(session, methods, clock):
    at_threshold = make_product(session, "Grow kit", price_cents=FIFTY_EUROS)
    a_cent_below = make_product(session, "Grow kit mini", price_cents=FIFTY_EUROS - 1)

    free = place(session, {at_threshold.id: 1}, clock, shipping_method_id=methods["parcel"].id)
    paid = place(session, {a_cent_below.id: 1}, clock, shipping_method_id=methods["parcel"].id)

    assert (free.shipping_cents, free.total_cents) == (0, FIFTY_EUROS)
    assert (paid.shipping_cents, paid.total_cents) == (695, FIFTY_EUROS - 1 + 695)


def test_shipping_vat_follows_the_goods_and_the_summary_adds_up_to_the_total(
    session, methods, clock
):
    truffles = make_product(session, "Truffles", price_cents=1000, vat_rate=VatRate.REDUCED)
    grow_kit = make_product(session, "Grow kit", price_cents=3000)

    order = place(
        session, {truffles.id: 1, grow_kit.id: 1}, clock, shipping_method_id=methods["parcel"].id
    )

    # € 6,95 split 1 : 3 over 9 % and 21 % (largest remainder): € 1,74 and € 5,21.
    summary = {rate.vat_percent: (rate.gross_cents, rate.vat_cents) for rate in order.vat_lines}
    assert summary == {9: (1000 + 174, 97), 21: (3000 + 521, 611)}
    assert sum(rate.gross_cents for rate in order.vat_lines) == order.total_cents == 4695


# --- the cart's estimate ---------------------------------------------------------------------


def test_the_cart_estimates_shipping_and_says_what_is_short_of_free_shipping(
    session, verified_client, methods
):
    fill_cart(verified_client, make_product(session, price_cents=4250))

    shown = Page.of(verified_client.get("/cart"))

    assert words(shown.one(".cart-summary .shipping").get_text(" ")) == (
        "Shipping to the Netherlands estimate €4.50"
    )
    assert words(shown.one(".cart-summary .grand-total dd").get_text()) == "€47.00"
    assert words(shown.one(".free-shipping-hint").get_text()) == "€7.50 more for free shipping"


def test_the_cart_says_it_in_dutch(session, verified_client, methods):
    fill_cart(verified_client, make_product(session, price_cents=4250))

    shown = Page.of(verified_client.get("/cart", headers={"Accept-Language": "nl"}))

    assert words(shown.one(".free-shipping-hint").get_text()) == (
        "Nog € 7,50 voor gratis verzending"
    )


def test_the_cart_says_free_shipping_from_the_threshold(session, verified_client, methods):
    fill_cart(verified_client, make_product(session, price_cents=FIFTY_EUROS))

    shown = Page.of(verified_client.get("/cart"))

    assert words(shown.one(".cart-summary .shipping dd").get_text()) == "Free"
    assert shown.select(".free-shipping-hint") == []


# --- the back office -------------------------------------------------------------------------


def method_form(client, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    form = {
        "csrf_token": admin_csrf(client),
        "name_en": "Parcel",
        "name_nl": "Pakket",
        "carrier": "DHL",
        "is_active": "y",
        "position": "4",
        "price_nl": "6,50",
        "price_be": "9.50",
        "price_de": "",
        "price_eu": "",
    }
    form.update(changes)
    return form


def test_a_manager_creates_a_method_with_its_zone_prices_audited(
    session, client, no_default_shipping
):
    member = signed_in(client, session, Role.MANAGER)

    response = client.post("/admin/shipping/new", data=method_form(client))

    assert response.status_code == 303
    method = session.scalars(select(ShippingMethod)).one()
    assert {rate.zone: rate.price_cents for rate in method.rates} == {Zone.NL: 650, Zone.BE: 950}
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "ShippingMethod")
    ).one()
    assert (entry.action, entry.object_type, entry.staff_email) == (
        "create",
        "ShippingMethod",
        member.email,
    )
    listed = Page.of(client.get("/admin/shipping"))
    assert "€6.50" in listed.text and "€9.50" in listed.text


def test_editing_a_price_is_audited_with_before_and_after(session, client, methods):
    signed_in(client, session, Role.MANAGER)
    parcel = methods["parcel"]

    response = client.post(
        f"/admin/shipping/{parcel.id}",
        data=method_form(
            client,
            name_en="Parcel",
            name_nl="Pakket",
            carrier="PostNL",
            position="2",
            price_nl="6,95",
            price_be="10,95",
            price_de="10,95",
            price_eu="14,95",
        ),
    )

    assert response.status_code == 303
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "ShippingMethod")
    ).one()
    assert json.loads(entry.changes) == {"price_be_cents": [995, 1095]}
    session.expire_all()
    assert session.get(ShippingMethod, parcel.id).price_for(Zone.BE) == 1095


def test_a_method_without_any_price_is_refused_in_words(session, client, no_default_shipping):
    signed_in(client, session, Role.MANAGER)

    response = client.post(
        "/admin/shipping/new", data=method_form(client, price_nl="", price_be="")
    )

    assert response.status_code == 422
    assert "Please give a price for at least one zone." in Page.of(response).text
    assert session.scalar(select(func.count()).select_from(ShippingMethod)) == 0


def test_a_viewer_reads_the_methods_but_cannot_change_them(session, client, methods):
    signed_in(client, session, Role.VIEWER)
    parcel = methods["parcel"]

    shown = Page.of(client.get(f"/admin/shipping/{parcel.id}"))
    response = client.post(f"/admin/shipping/{parcel.id}", data=method_form(client))

    assert shown.one("fieldset.form-body").has_attr("disabled")
    assert response.status_code == 403
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.object_type == "ShippingMethod")
        )
        == 0
    )


# --- free-shipping codes ---------------------------------------------------------------------

MARCH_2026 = window_from_local(date(2026, 3, 1), date(2026, 3, 31), AMSTERDAM)


def test_a_free_shipping_code_zeroes_shipping_but_not_the_goods(session, methods, clock):
    truffles = make_product(session, price_cents=2495)
    code = make_code(session, "GRATISVERZENDEN", kind="free_shipping", value=0, window=MARCH_2026)

    order = place(
        session,
        {truffles.id: 1},
        clock,
        code="gratisverzenden",
        shipping_method_id=methods["parcel"].id,
        customer=dataclasses.replace(ANN, country="BE", postcode="1000", city="Brussel"),
    )

    assert (order.subtotal_cents, order.discount_cents) == (2495, 0)
    assert (order.shipping_method_name, order.shipping_cents, order.total_cents) == (
        "Parcel",
        0,
        2495,
    )
    assert order.promo_kind is Kind.FREE_SHIPPING
    assert sum(rate.gross_cents for rate in order.vat_lines) == 2495
    assert session.get(PromoCode, code.id).times_used == 1


def test_a_free_shipping_code_keeps_its_minimum_like_any_code(session, methods, clock):
    truffles = make_product(session, price_cents=2495)
    make_code(
        session,
        "GRATISVANAF30",
        kind="free_shipping",
        value=0,
        window=MARCH_2026,
        min_subtotal_cents=3000,
    )

    with pytest.raises(PromoNotApplicable) as refused:
        place(session, {truffles.id: 1}, clock, code="GRATISVANAF30")

    assert refused.value.reason is Refusal.BELOW_MINIMUM


def test_a_free_shipping_code_has_no_value(session):
    with pytest.raises(InvalidPromoCode) as refused:
        make_code(session, "GRATIS5", kind="free_shipping", value=5, window=MARCH_2026)

    assert refused.value.reason is PromoTermsRefusal.FREE_SHIPPING_HAS_NO_VALUE


def test_the_cart_with_a_free_shipping_code_shows_free_shipping_and_no_discount(
    session, verified_client, methods
):
    fill_cart(verified_client, make_product(session, price_cents=2495))
    make_code(session, "GRATISVERZENDEN", kind="free_shipping", value=0, window=MARCH_2026)
    token = Page.of(verified_client.get("/cart")).csrf_token
    verified_client.post("/cart/code", data={"csrf_token": token, "code": "GRATISVERZENDEN"})

    shown = Page.of(verified_client.get("/cart"))

    assert words(shown.one(".cart-summary .shipping dd").get_text()) == "Free"
    assert shown.select(".cart-summary .discount") == []
    assert words(shown.one(".cart-summary .grand-total dd").get_text()) == "€24.95"
