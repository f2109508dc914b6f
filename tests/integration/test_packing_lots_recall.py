"""Packing, lots and recalls: the printable packing slip with the ID check at delivery, the
lot of every line recorded when an order is marked shipped, and the recall list of a lot
(back-office page, CSV download and `flask --app shop recall`), each export audited.
Orders are paid through the test gateway; the shipping method's age check is read from the
order when it has one (`shipping_includes_age_check`, the shipping methods' column).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import select, update

from shop import clock
from shop.models import AuditEntry, Order, OrderLine, OrderStatus, Product, Role
from shop.payments import test_gateway as test_mode
from shop.rules.age import local_today
from shop.rules.shipping import Zone
from shop.services.orders.placing import place_order
from shop.services.payments import pay_in_test_mode
from shop.services.shipping import ShippingRefusal, ShippingRefused
from tests.admin_support import admin_csrf, signed_in
from tests.helpers import checkout_request, csrf_token, make_product, make_shipping_method
from tests.integration.payment_support import AMSTERDAM, ANN, POLICY, fresh_order
from tests.pages import Page

BOB = ANN.__class__(
    email="bob@example.nl",
    name="Bob Jansen",
    street="Damrak 1",
    postcode="1012 LG",
    city="Amsterdam",
    country="NL",
)


# --- givens --------------------------------------------------------------------------------


def browser_of(app, session, role: Role, locale: str = "en") -> Any:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    browser.set_cookie("locale", locale)
    browser.member = signed_in(browser, session, role)
    return browser


@pytest.fixture
def manager(app, session):  # type: ignore[no-untyped-def]
    return browser_of(app, session, Role.MANAGER)


@pytest.fixture
def viewer(app, session):  # type: ignore[no-untyped-def]
    return browser_of(app, session, Role.VIEWER)


@pytest.fixture
def capsules(session) -> Product:  # type: ignore[no-untyped-def]
    return make_product(session, "Lion's Mane capsules", price_cents=1250, stock=20)


@pytest.fixture
def strong_truffles(session) -> Product:  # type: ignore[no-untyped-def]
    return make_product(
        session,
        "Hollandia Strong truffles 15 g",
        price_cents=2295,
        stock=20,
        min_age=21,
        requires_id_check_at_delivery=True,
    )


def paid(app, session, items: dict[Product, int], customer=ANN) -> Order:  # type: ignore[no-untyped-def]
    """An order of `items`, placed and paid with the test gateway's Pay button."""
    now = clock.now()
    request = checkout_request(
        {product.id: quantity for product, quantity in items.items()}, customer=customer
    )
    order = place_order(session, request, POLICY, today=local_today(now, AMSTERDAM), now=now)
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    outcome = pay_in_test_mode(
        session, test_mode.TestGateway(), order, succeed=True, secret=secret, now=now
    )
    assert outcome.text == "paid"
    return fresh_order(session, order.id)


def line_ids(session, order: Order) -> list[int]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(OrderLine.id).where(OrderLine.order_id == order.id).order_by(OrderLine.position)
        )
    )


def ship(browser, session, order: Order, *lots: str, carrier: str = "PostNL") -> Any:  # type: ignore[no-untyped-def]
    """Send the ship form with one lot per line, in the order's line order."""
    form = {
        f"lot-{line_id}": lot for line_id, lot in zip(line_ids(session, order), lots, strict=True)
    }
    return browser.post(
        f"/admin/orders/{order.id}/ship",
        data={"csrf_token": admin_csrf(browser), "carrier": carrier, **form},
    )


def lots_of(session, order: Order) -> list[str | None]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.scalars(
            select(OrderLine.lot_number)
            .where(OrderLine.order_id == order.id)
            .order_by(OrderLine.position)
        )
    )


def audit_entries(session, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


# --- the ID check flag on products and order lines -------------------------------------------


def test_staff_tick_the_id_check_on_the_product_form_and_the_audit_log_records_it(manager, session):
    product = make_product(session)
    edit = f"/admin/products/{product.id}"
    fields = Page.of(manager.get(edit)).form(f'form[action="{edit}"]')
    assert "requires_id_check_at_delivery" not in fields

    response = manager.post(edit, data={**fields, "requires_id_check_at_delivery": "yes"})

    assert response.status_code == 303
    session.rollback()
    assert session.get(Product, product.id).requires_id_check_at_delivery is True
    (entry,) = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "Product", AuditEntry.object_id == str(product.id)
        )
    )
    assert json.loads(entry.changes) == {"requires_id_check_at_delivery": [False, True]}
    assert entry.staff_email == manager.member.email
    again = Page.of(manager.get(edit)).form(f'form[action="{edit}"]')
    assert again["requires_id_check_at_delivery"] == "yes"


def test_the_order_keeps_the_flag_it_was_placed_with(app, session, strong_truffles, capsules):
    order = paid(app, session, {strong_truffles: 1, capsules: 1})
    session.execute(update(Product).values(requires_id_check_at_delivery=False))
    session.commit()

    order = fresh_order(session, order.id)

    assert [line.requires_id_check for line in order.lines] == [True, False]
    assert order.needs_id_check


# --- the packing slip ------------------------------------------------------------------------


def test_the_packing_slip_lists_address_lines_warnings_and_the_id_check_in_large_type(
    app, session, strong_truffles, capsules
):
    order = paid(app, session, {strong_truffles: 2, capsules: 1})
    browser = browser_of(app, session, Role.MANAGER)

    page = Page.of(browser.get(f"/admin/orders/{order.id}/packing-slip"))

    assert page.texts("h1") == [f"Order {order.number}"]
    assert page.texts(".id-check-banner") == ["ID CHECK AT DELIVERY (21+)"]
    address = page.texts(".slip-address address")[0]
    assert "Ann de Vries" in address and "1016 GV Amsterdam" in address
    heads = page.texts(".slip-line-head")
    assert heads[0].startswith("2 × Hollandia Strong truffles 15 g")
    assert "ID check at delivery" in heads[0]
    assert heads[1].startswith("1 × Lion's Mane capsules")
    assert "ID check at delivery" not in heads[1]
    # The acknowledged warnings, as the customer saw them.
    assert len(page.select(".slip-line")[0].select(".slip-warnings li")) >= 2
    # The order's method (the tests' default delivery) includes the carrier's age check.
    assert "The order's shipping method includes the carrier's age check." in page.text


def test_the_slip_of_an_order_without_such_products_has_no_banner(app, session, capsules):
    order = paid(app, session, {capsules: 1})
    browser = browser_of(app, session, Role.MANAGER)

    page = Page.of(browser.get(f"/admin/orders/{order.id}/packing-slip"))

    assert page.select(".id-check-banner") == []
    assert page.select(".id-check") == []


def test_the_banner_is_in_the_staff_members_language(app, session, strong_truffles):
    order = paid(app, session, {strong_truffles: 1})
    browser = browser_of(app, session, Role.VIEWER, locale="nl")

    page = Page.of(browser.get(f"/admin/orders/{order.id}/packing-slip"))

    assert page.texts(".id-check-banner") == ["LEEFTIJDSCONTROLE BIJ AFLEVERING (21+)"]


def test_a_viewer_reads_the_packing_slip_but_gets_no_ship_form(app, session, capsules, viewer):
    order = paid(app, session, {capsules: 1})

    assert viewer.get(f"/admin/orders/{order.id}/packing-slip").status_code == 200
    assert "lot-" not in text_of(viewer.get(f"/admin/orders/{order.id}"))
    assert ship(viewer, session, order, "L1").status_code == 403
    assert fresh_order(session, order.id).status == OrderStatus.PAID


def test_the_slip_of_an_unknown_order_is_not_found(manager):
    assert manager.get("/admin/orders/999999/packing-slip").status_code == 404


# --- lots at shipping ------------------------------------------------------------------------


def test_the_ship_form_asks_for_the_lot_of_every_line_and_stores_them_normalised(
    app, session, manager, capsules, strong_truffles
):
    order = paid(app, session, {capsules: 1, strong_truffles: 1})
    page = Page.of(manager.get(f"/admin/orders/{order.id}"))
    assert [label for label in page.texts(".ship-lots label")] == [
        "Lot of Lion's Mane capsules (× 1)",
        "Lot of Hollandia Strong truffles 15 g (× 1)",
    ]

    response = ship(manager, session, order, " lm-2026.03 ", "HS-77")

    assert response.status_code == 303
    assert lots_of(session, order) == ["LM-2026.03", "HS-77"]
    assert fresh_order(session, order.id).status == OrderStatus.SHIPPED
    (entry,) = [e for e in audit_entries(session, "ship") if e.object_id == str(order.id)]
    assert json.loads(entry.changes)["lots"][1] == [
        f"{capsules.slug} ×1: LM-2026.03",
        f"{strong_truffles.slug} ×1: HS-77",
    ]
    assert "LM-2026.03" in Page.of(manager.get(f"/admin/orders/{order.id}")).text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the lot number (on the product's label)."),
        ("LOT 12", "Use only letters, digits, hyphens and dots, like TR-2026.11."),
        ("X" * 41, "A lot number has at most 40 characters."),
    ],
)
def test_a_missing_or_bad_lot_refuses_shipping_and_says_which_line(
    app, session, manager, capsules, strong_truffles, typed, message
):
    order = paid(app, session, {capsules: 1, strong_truffles: 1})

    response = ship(manager, session, order, "GOOD-1", typed)

    assert response.status_code == 422
    page = Page.of(response)
    assert "Check the lot numbers: every line needs the lot it was packed from." in page.text
    first, second = line_ids(session, order)
    assert page.select(f"#lot-{first}-error") == []
    assert page.texts(f"#lot-{second}-error") == [message]
    assert page.form(f'form[action="/admin/orders/{order.id}/ship"]')[f"lot-{first}"] == "GOOD-1"
    assert fresh_order(session, order.id).status == OrderStatus.PAID
    assert lots_of(session, order) == [None, None]
    assert audit_entries(session, "ship") == []


# --- the ID check when shipping --------------------------------------------------------------


def test_an_order_from_before_shipping_methods_ships_with_a_warning(
    app, session, manager, strong_truffles
):
    # Placed before migration 0019 recorded the method: the shop does not know its age check.
    order = paid(app, session, {strong_truffles: 1})
    session.execute(update(Order).where(Order.id == order.id).values(shipping_method_name=""))
    session.commit()

    page = Page.of(manager.get(f"/admin/orders/{order.id}"))
    assert page.texts(".id-check-banner") == ["ID CHECK AT DELIVERY (21+)"]
    assert "does not know yet whether the order's shipping method" in page.text

    assert ship(manager, session, order, "HS-1").status_code == 303
    assert fresh_order(session, order.id).status == OrderStatus.SHIPPED


def test_an_id_check_order_is_refused_with_a_method_without_age_check(
    app, session, manager, strong_truffles
):
    order = paid(app, session, {strong_truffles: 1})
    session.execute(
        update(Order).where(Order.id == order.id).values(shipping_includes_age_check=False)
    )
    session.commit()

    response = ship(manager, session, order, "HS-1")

    assert response.status_code == 422
    assert "This order needs a shipping method with an age check" in text_of(response)
    assert fresh_order(session, order.id).status == OrderStatus.PAID


def test_checkout_offers_an_id_check_order_only_methods_with_the_age_check(
    session, strong_truffles, capsules
):
    parcel = make_shipping_method(session, "Parcel", prices={Zone.NL: 695})
    now = clock.now()

    def placed(items: dict[Product, int]) -> Order:
        request = checkout_request(
            {product.id: quantity for product, quantity in items.items()},
            shipping_method_id=parcel.id,
        )
        return place_order(session, request, POLICY, today=local_today(now, AMSTERDAM), now=now)

    assert placed({capsules: 1}).shipping_method_name == "Parcel"
    with pytest.raises(ShippingRefused) as refused:
        placed({capsules: 1, strong_truffles: 1})
    assert refused.value.reason == ShippingRefusal.NEEDS_AGE_CHECK


def test_the_checkout_page_lists_only_methods_with_the_age_check(
    session, verified_client, strong_truffles
):
    make_shipping_method(session, "Parcel", prices={Zone.NL: 695})
    verified_client.post(
        "/cart/add",
        data={
            "csrf_token": csrf_token(verified_client.get("/cart").get_data(as_text=True)),
            "product_id": strong_truffles.id,
            "quantity": "1",
        },
    )

    page = Page.of(verified_client.get("/checkout"))

    assert "only shipping with an age check is offered" in page.text
    methods = [label for label in page.texts("label") if "€" in label]
    assert methods, "no shipping method offered"
    # Each offered method says the carrier checks the age; the plain parcel is not offered.
    assert all("checks the recipient's age on delivery" in label for label in methods)
    assert not [label for label in methods if label.startswith("Parcel €")]


# --- recalls ---------------------------------------------------------------------------------


@pytest.fixture
def shipped_lots(app, session, manager, capsules, strong_truffles):  # type: ignore[no-untyped-def]
    """Ann got capsules of LM-1 and truffles of HS-9; Bob got capsules of LM-2."""
    ann = paid(app, session, {capsules: 2, strong_truffles: 1})
    bob = paid(app, session, {capsules: 3}, customer=BOB)
    assert ship(manager, session, ann, "LM-1", "HS-9").status_code == 303
    assert ship(manager, session, bob, "lm-2").status_code == 303
    return fresh_order(session, ann.id), fresh_order(session, bob.id)


def test_the_recall_page_lists_exactly_the_orders_that_received_the_lot(
    manager, session, shipped_lots
):
    ann, bob = shipped_lots

    page = Page.of(manager.get("/admin/recall?lot=%20lm-1%20"))

    rows = page.select(".recall-rows tbody tr")
    assert [row.select("td")[0].get_text(strip=True) for row in rows] == [ann.number]
    cells = [cell.get_text(strip=True) for cell in rows[0].select("td")]
    assert cells[2:] == ["Ann de Vries", "ann@example.nl", "Lion's Mane capsules", "2"]
    assert page.attributes(".recall-rows ~ p a, a[download]", "href") == [
        "/admin/recall.csv?lot=LM-1"
    ]
    assert bob.number not in page.text
    other = Page.of(manager.get("/admin/recall?lot=HS-9"))
    products = [row.select("td")[4].get_text(strip=True) for row in other.select("tbody tr")]
    assert products == ["Hollandia Strong truffles 15 g"]


def test_a_lot_nobody_received_says_so(manager, shipped_lots):
    page = Page.of(manager.get("/admin/recall?lot=NOPE-1"))

    assert "No shipped order received lot NOPE-1." in page.text
    assert page.select("a[download]") == []


def test_a_bad_lot_is_a_clear_400(manager):
    response = manager.get("/admin/recall?lot=%3Cscript%3E")

    assert response.status_code == 400
    assert "Use only letters, digits, hyphens and dots" in text_of(response)
    assert manager.get("/admin/recall.csv?lot=").status_code == 400


def test_the_csv_download_has_the_header_and_rows_and_is_audited(manager, session, shipped_lots):
    ann, _ = shipped_lots

    response = manager.get("/admin/recall.csv?lot=lm-1")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "recall-LM-1-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text_of(response))))
    assert rows[0] == [
        "lot",
        "order_number",
        "placed_at",
        "shipped_at",
        "customer_name",
        "email",
        "product",
        "product_slug",
        "quantity",
    ]
    assert [(r[0], r[1], r[4], r[5], r[6], r[8]) for r in rows[1:]] == [
        ("LM-1", ann.number, "Ann de Vries", "ann@example.nl", "Lion's Mane capsules", "2")
    ]
    (entry,) = audit_entries(session, "export_recall")
    assert (entry.staff_email, entry.object_type, entry.object_id) == (
        manager.member.email,
        "LotRecall",
        "LM-1",
    )
    assert json.loads(entry.changes) == {
        "how": [None, "csv"],
        "lot": [None, "LM-1"],
        "rows": [None, 1],
    }


def test_a_viewer_may_neither_see_nor_download_a_recall_list(viewer, session, shipped_lots):
    assert viewer.get("/admin/recall?lot=LM-1").status_code == 403
    assert viewer.get("/admin/recall.csv?lot=LM-1").status_code == 403
    assert audit_entries(session, "export_recall") == []


def test_the_recall_command_prints_the_orders_and_is_audited(app, session, shipped_lots):
    ann, bob = shipped_lots

    result = app.test_cli_runner().invoke(args=["recall", "lm-1"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Order", "Placed", "Customer", "E-mail", "Product", "Qty"]
    assert ann.number in lines[1] and "ann@example.nl" in lines[1] and lines[1].endswith("2")
    assert lines[-1] == "1 order line(s) received lot LM-1."
    assert bob.number not in result.output
    (entry,) = audit_entries(session, "export_recall")
    assert entry.staff_email == "(command line)"
    assert json.loads(entry.changes)["how"] == [None, "cli"]


def test_the_recall_command_writes_csv(app, session, shipped_lots):
    _, bob = shipped_lots

    result = app.test_cli_runner().invoke(args=["recall", "LM-2", "--csv"])

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0][:2] == ["lot", "order_number"]
    assert [(r[1], r[5], r[8]) for r in rows[1:]] == [(bob.number, "bob@example.nl", "3")]


def test_the_recall_command_refuses_a_bad_lot(app, session):
    result = app.test_cli_runner().invoke(args=["recall", "lot 1"])

    assert result.exit_code == 2
    assert "Use only letters, digits, hyphens and dots" in result.output
    assert audit_entries(session, "export_recall") == []
