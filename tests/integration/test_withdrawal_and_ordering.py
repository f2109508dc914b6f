"""What a customer is told before ordering: which products cannot be returned and why, the
delivery promise, the order button that says it costs money, and the terms beside it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from shop.models import AuditEntry, Product, Role
from shop.services.demo import load_demo_shop
from tests.admin_support import signed_in
from tests.helpers import CREATED, csrf_token, make_product
from tests.pages import Page, words

FRESH_EN = "Fresh truffles spoil quickly: they cannot be returned once delivered."
FRESH_NL = "Verse truffels bederven snel: na levering kun je ze niet retourneren."


def fresh_truffles(session) -> Product:  # type: ignore[no-untyped-def]
    return make_product(
        session,
        "Mexicana 10 g",
        is_withdrawal_excluded=True,
        withdrawal_reason_en=FRESH_EN,
        withdrawal_reason_nl=FRESH_NL,
    )


def shown(client, path: str, language: str = "en") -> Page:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, (path, response.status_code)
    return Page.of(response)


def fill_cart(client, *products: Product) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(f"/products/{products[0].slug}").get_data(as_text=True))
    for product in products:
        form = {"csrf_token": token, "product_id": product.id, "quantity": "1"}
        assert client.post("/cart/add", data=form).status_code == 303


# --- the product page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "reason"),
    [("en", "No right of withdrawal", FRESH_EN), ("nl", "Geen herroepingsrecht", FRESH_NL)],
)
def test_the_product_page_says_beside_the_buy_box_why_it_cannot_be_returned(
    session, verified_client, language, heading, reason
):
    truffles = fresh_truffles(session)

    page = shown(verified_client, f"/products/{truffles.slug}", language)

    note = page.one(".buy-form ~ .withdrawal-note")
    assert heading in words(note.get_text(" "))
    assert reason in words(note.get_text(" "))
    assert "/returns" in [a["href"] for a in note.select("a")]


def test_a_product_that_can_be_returned_says_nothing_about_it(session, verified_client):
    scale = make_product(session, "Digital scale 0.01 g")

    assert shown(verified_client, f"/products/{scale.slug}").select(".withdrawal-note") == []


@pytest.mark.parametrize(
    ("language", "promise"),
    [
        ("en", "Ordered on a working day before 16:00, shipped the same day"),
        ("nl", "Op werkdagen vóór 16:00 besteld, dezelfde dag verzonden"),
    ],
)
def test_the_delivery_promise_is_on_the_product_page_the_cart_and_the_checkout(
    session, verified_client, language, promise
):
    product = make_product(session, "Golden Teacher 15 g")
    fill_cart(verified_client, product)

    for path in (f"/products/{product.slug}", "/cart", "/checkout"):
        page = shown(verified_client, path, language)
        assert page.texts(".delivery-promise") == [promise], path


# --- the checkout ------------------------------------------------------------------------------


def test_the_checkout_lists_the_lines_that_cannot_be_returned_with_their_reason(
    session, verified_client
):
    truffles = fresh_truffles(session)
    scale = make_product(session, "Digital scale 0.01 g")
    fill_cart(verified_client, truffles, scale)

    page = shown(verified_client, "/checkout", "nl")

    note = page.one("form.checkout-form .checkout-withdrawal")
    assert "Geen herroepingsrecht voor deze producten" in words(note.get_text(" "))
    assert [words(li.get_text(" ")) for li in note.select("li")] == [f"Mexicana 10 g : {FRESH_NL}"]


def test_without_such_products_the_checkout_shows_no_withdrawal_notice(session, verified_client):
    fill_cart(verified_client, make_product(session, "Digital scale 0.01 g"))

    assert shown(verified_client, "/checkout").select(".checkout-withdrawal") == []


@pytest.mark.parametrize(
    ("language", "button"), [("en", "Order and pay"), ("nl", "Bestellen en betalen")]
)
def test_the_order_button_says_that_ordering_means_paying_with_the_terms_beside_it(
    session, verified_client, language, button
):
    fill_cart(verified_client, make_product(session, "Golden Teacher 15 g"))

    page = shown(verified_client, "/checkout", language)

    assert page.texts("form.checkout-form button[type=submit]") == [button]
    links = page.attributes(".place-order a", "href")
    assert links == ["/legal/terms", "/returns"]
    # The warnings' acknowledgement is still the customer's own tick, before the button.
    assert page.one("form.checkout-form input[name=acknowledged]").get("checked") is None


# --- staff set it on the product form --------------------------------------------------------


@pytest.fixture
def staff(app, session):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    browser.member = signed_in(browser, session, Role.MANAGER)
    return browser


def product_form(staff, product: Product) -> dict[str, str]:  # type: ignore[no-untyped-def]
    url = f"/admin/products/{product.id}"
    return Page.of(staff.get(url)).form(f'form[action="{url}"]')


def test_staff_exclude_a_product_with_a_reason_and_the_change_is_audited(
    staff, session, verified_client
):
    product = make_product(session, "Atlantis 15 g")
    fields = product_form(staff, product)
    fields.update(
        is_withdrawal_excluded="yes",
        withdrawal_reason_en=FRESH_EN,
        withdrawal_reason_nl=FRESH_NL,
    )

    response = staff.post(f"/admin/products/{product.id}", data=fields)

    assert response.status_code == 303, response.status_code
    note = shown(verified_client, f"/products/{product.slug}").one(".withdrawal-note")
    assert FRESH_EN in note.get_text()
    session.rollback()
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == str(product.id)).order_by(AuditEntry.id)
    ).all()[-1]
    changes = json.loads(entry.changes)
    assert changes["is_withdrawal_excluded"] == [False, True]
    assert changes["withdrawal_reason_nl"] == ["", FRESH_NL]
    assert entry.staff_email == staff.member.email


def test_an_exclusion_without_a_reason_in_dutch_is_refused_next_to_the_field(staff, session):
    product = make_product(session, "Atlantis 15 g")
    fields = product_form(staff, product)
    fields.update(is_withdrawal_excluded="yes", withdrawal_reason_en=FRESH_EN)

    response = staff.post(f"/admin/products/{product.id}", data=fields)

    assert response.status_code == 422
    error = Page.of(response).texts('p.field-error[id="f-withdrawal_reason_nl-error"]')
    assert error == [
        "Please say in Dutch why it cannot be returned, like “Fresh truffles spoil quickly.”"
    ]
    session.rollback()
    assert session.get(Product, product.id).is_withdrawal_excluded is False


def test_the_demo_shop_excludes_its_fresh_truffles_and_kits_but_not_the_rest(session):
    load_demo_shop(session, now=CREATED)

    excluded = dict(session.execute(select(Product.slug, Product.is_withdrawal_excluded)).all())
    assert excluded["truffles-mexicana-10g"] is True
    assert excluded["microdosing-kit-starter"] is True
    assert excluded["digital-scale-0-01g"] is False
    assert excluded["lions-mane-capsules"] is False
    truffles = session.scalar(select(Product).where(Product.slug == "truffles-atlantis-15g"))
    assert "spoil" in truffles.withdrawal_reason("en")
    assert "bederven" in truffles.withdrawal_reason("nl")
