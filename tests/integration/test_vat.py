"""VAT (BTW) as customers and staff meet it: the rate on the product form, "incl. VAT" by the
prices, and each order's VAT per line and per rate, recorded when it is placed and shown on
the order page and in the confirmation e-mail.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from shop.clock import frozen_at
from shop.models import AuditEntry, Order, OrderLine, OrderVatLine, Product, Role
from shop.rules.promotions import window_from_local
from shop.rules.vat import VatRate
from shop.services.emails import queue_order_confirmation
from shop.services.orders.placing import ShopPolicy, place_order
from shop.web.emails import write_email
from tests.admin_support import signed_in
from tests.helpers import AMSTERDAM, checkout_request, make_code, make_product
from tests.pages import Page

NOON_ON_15_MARCH_2026_IN_AMSTERDAM = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
POLICY = ShopPolicy(min_age=18, age_policy_version=1, hold_minutes=30, currency="EUR")


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOON_ON_15_MARCH_2026_IN_AMSTERDAM) as now:
        yield now


@pytest.fixture
def mixed_order(session, clock) -> Order:  # type: ignore[no-untyped-def]
    """Truffles at 9 %, a grow kit at 21 % and a zero-rated sample, with 10 % off the truffles."""
    truffles = make_product(
        session, "Mexicana truffles 15 g", price_cents=2495, vat_rate=VatRate.REDUCED
    )
    grow_kit = make_product(session, "Golden Teacher grow kit", price_cents=3995)
    sample = make_product(session, "Zero-rated sample", price_cents=1000, vat_rate="zero")
    window = window_from_local(date(2026, 3, 1), date(2026, 3, 31), AMSTERDAM)
    make_code(session, "TRUFFEL10", value=10, window=window, product_slugs=[truffles.slug])
    request = checkout_request(
        {truffles.id: 2, grow_kit.id: 1, sample.id: 1}, code="truffel10", locale="en"
    )
    order = place_order(session, request, POLICY, today=date(2026, 3, 15), now=clock)
    session.expire_all()
    return order


def lines_of(session, order: Order) -> list[tuple[str, int, int, int | None, int | None]]:  # type: ignore[no-untyped-def]
    session.rollback()
    return [
        (
            line.product_name,
            line.line_total_cents,
            line.discount_cents,
            line.vat_percent,
            line.vat_cents,
        )
        for line in session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position)
        )
    ]


def summary_of(session, order: Order) -> list[tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
    session.rollback()
    return [
        (row.vat_percent, row.net_cents, row.vat_cents, row.gross_cents)
        for row in session.scalars(
            select(OrderVatLine)
            .where(OrderVatLine.order_id == order.id)
            .order_by(OrderVatLine.vat_percent)
        )
    ]


# --- placing -------------------------------------------------------------------------------


def test_placing_an_order_records_each_lines_vat_after_its_discount(session, mixed_order):
    assert lines_of(session, mixed_order) == [
        # 2 × € 24,95 = € 49,90, less € 4,99: € 44,91 at 9 % holds € 3,71.
        ("Mexicana truffles 15 g", 4990, 499, 9, 371),
        ("Golden Teacher grow kit", 3995, 0, 21, 693),
        ("Zero-rated sample", 1000, 0, 0, 0),
    ]


def test_placing_an_order_records_its_vat_summary_per_rate_adding_up_to_the_total(
    session, mixed_order
):
    summary = summary_of(session, mixed_order)

    assert summary == [(0, 1000, 0, 1000), (9, 4120, 371, 4491), (21, 3302, 693, 3995)]
    assert sum(gross for _, _, _, gross in summary) == mixed_order.total_cents == 9486


def test_an_order_keeps_the_rate_it_was_charged_when_the_product_changes_rate(session, mixed_order):
    session.execute(update(Product).values(vat_rate=VatRate.STANDARD))
    session.commit()

    assert [percent for _, _, _, percent, _ in lines_of(session, mixed_order)] == [9, 21, 0]


# --- what the customer sees -------------------------------------------------------------------


def test_the_order_page_shows_the_vat_per_rate(session, verified_client, mixed_order):
    words = Page.of(verified_client.get(f"/orders/{mixed_order.token}")).text

    assert "Total incl. VAT €94.86" in words
    assert (
        "of which VAT 0% (on €10.00 excl. VAT) €0.00 "
        "of which VAT 9% (on €41.20 excl. VAT) €3.71 "
        "of which VAT 21% (on €33.02 excl. VAT) €6.93"
    ) in words


def test_the_dutch_order_page_says_waarvan_btw(session, verified_client, clock):
    product = make_product(session, price_cents=2495, vat_rate=VatRate.REDUCED)
    request = checkout_request({product.id: 1}, locale="nl")
    order = place_order(session, request, POLICY, today=date(2026, 3, 15), now=clock)

    page = verified_client.get(f"/orders/{order.token}", headers={"Accept-Language": "nl"})

    # (the page's text has its no-break spaces as plain ones)
    assert (
        "Totaal incl. BTW € 24,95 waarvan BTW 9% (over € 22,89 excl. BTW) € 2,06"
        in Page.of(page).text
    )


def test_an_order_from_before_vat_was_recorded_says_so(session, verified_client, mixed_order):
    session.execute(delete(OrderVatLine).where(OrderVatLine.order_id == mixed_order.id))
    session.execute(
        update(OrderLine)
        .where(OrderLine.order_id == mixed_order.id)
        .values(vat_percent=None, vat_cents=None)
    )
    session.commit()

    words = Page.of(verified_client.get(f"/orders/{mixed_order.token}")).text

    assert "VAT not recorded for this order." in words
    assert "of which VAT" not in words


def test_the_confirmation_email_shows_the_vat_per_rate(app, session, mixed_order, clock):
    order = session.get(Order, mixed_order.id)
    queue_order_confirmation(session, order, now=clock)
    session.commit()
    outbox = order_email(session, order.id)

    with app.app_context():
        email = write_email(session, outbox)

    assert "of which VAT 9% (on €41.20 excl. VAT): €3.71" in email.text
    assert "of which VAT 21% (on €33.02 excl. VAT): €6.93" in email.text
    assert "of which VAT 9% (on €41.20 excl. VAT)" in email.html


def order_email(session, order_id: int):  # type: ignore[no-untyped-def]
    from shop.models import OutboxEmail

    return session.scalars(select(OutboxEmail).where(OutboxEmail.order_id == order_id)).one()


@pytest.mark.parametrize("path", ["product", "cart", "checkout"])
def test_prices_say_they_include_vat(session, verified_client, path):
    product = make_product(session, price_cents=1250)
    token = Page.of(verified_client.get(f"/products/{product.slug}")).csrf_token
    verified_client.post(
        "/cart/add", data={"product_id": str(product.id), "quantity": "1", "csrf_token": token}
    )
    url = {"product": f"/products/{product.slug}", "cart": "/cart", "checkout": "/checkout"}[path]

    page = Page.of(verified_client.get(url))

    assert page.texts(".vat-note") == ["incl. VAT"]


# --- the back office ---------------------------------------------------------------------


@pytest.fixture
def staff(app, session):  # type: ignore[no-untyped-def]
    """A signed-in manager's browser."""
    browser = app.test_client()
    browser.member = signed_in(browser, session, Role.MANAGER)
    return browser


def form_of(staff: Any, url: str) -> dict[str, str]:
    return Page.of(staff.get(url)).form(f'form[action="{url}"]')


def test_staff_set_a_products_vat_rate_and_the_audit_log_records_it(staff, session):
    product = make_product(session)
    edit = f"/admin/products/{product.id}"
    fields = form_of(staff, edit)
    assert fields["vat_rate"] == "standard"  # the default: 21 %

    response = staff.post(edit, data={**fields, "vat_rate": "reduced"})

    assert response.status_code == 303
    session.rollback()
    assert session.get(Product, product.id).vat_rate is VatRate.REDUCED
    (entry,) = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "Product", AuditEntry.object_id == str(product.id)
        )
    )
    assert json.loads(entry.changes) == {"vat_rate": ["standard", "reduced"]}
    assert entry.staff_email == staff.member.email
    assert form_of(staff, edit)["vat_rate"] == "reduced"


def test_an_unknown_vat_rate_is_refused_with_a_message_at_the_field(staff, session):
    product = make_product(session)
    edit = f"/admin/products/{product.id}"

    response = staff.post(edit, data={**form_of(staff, edit), "vat_rate": "6"})

    assert response.status_code == 422
    page = Page.of(response)
    assert page.texts('p.field-error[id="f-vat_rate-error"]') == [
        "Please choose one of the VAT rates: 0%, 9%, 21%."
    ]
    session.rollback()
    assert session.get(Product, product.id).vat_rate is VatRate.STANDARD


def test_the_form_offers_the_three_dutch_rates(staff):
    page = Page.of(staff.get("/admin/products/new"))

    assert page.attributes('select[name="vat_rate"] option', "value") == [
        "standard",
        "reduced",
        "zero",
    ]


def test_the_dutch_form_explains_the_rates(staff):
    response = staff.get("/admin/products/new", headers={"Accept-Language": "nl"})

    assert response.status_code == 200
    assert "Voeding zoals truffels en eetbare paddenstoelen: 9%." in Page.of(response).text


def test_staff_see_each_lines_vat_and_the_summary_on_the_order(staff, session, mixed_order):
    words = Page.of(staff.get(f"/admin/orders/{mixed_order.id}")).text

    assert "€44.91 9% €3.71" in words  # the truffles after their discount, and their VAT
    assert "of which VAT 21% (on €33.02 excl. VAT) €6.93" in words
