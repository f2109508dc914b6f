"""The checkout page as a customer meets it: every warning of every product in full, one box
to acknowledge them that is never ticked for them, each problem told next to its field, the
age checked on Amsterdam's date, and an order that reserves its stock or is refused in words.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from shop.clock import frozen_at
from shop.models import Disclaimer, Order, OrderStatus, Product
from shop.rules.promotions import window_from_local
from shop.services.products import AllergyDraft, DisclaimerDraft, unpublish_product
from tests.helpers import AMSTERDAM, CREATED, csrf_token, make_code, make_product, pass_age_gate
from tests.pages import Page, words

NOON_ON_15_MARCH_2026 = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
# Still 14 March in London, already 15 March in Amsterdam.
HALF_PAST_MIDNIGHT_ON_15_MARCH_IN_AMSTERDAM = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)

CUSTOMER = {
    "email": "Anna.de.Vries@Example.nl",
    "name": "Anna de Vries",
    "street": "Prinsengracht 263",
    "postcode": "1016 GV",
    "city": "Amsterdam",
    "country": "NL",
    "day": "23",
    "month": "11",
    "year": "1987",
    "acknowledged": "yes",
}

DOSAGE = DisclaimerDraft(
    kind="dosage",
    text_en="Start with a low dose; never combine with alcohol or medication.",
    text_nl="Begin met een lage dosis; nooit combineren met alcohol of medicijnen.",
)
LEGAL = DisclaimerDraft(
    kind="legal",
    text_en="Sold to adults for legal use in the Netherlands only.",
    text_nl="Alleen verkocht aan volwassenen voor legaal gebruik in Nederland.",
)
NO_ALLERGENS = AllergyDraft(has_no_known_allergens=True)
NUTS_AND_FUNGI = AllergyDraft(
    has_no_known_allergens=False,
    allergens=[("fungi", "contains"), ("nuts", "may_contain")],
    warning_en="Do not use if you are allergic to mushrooms or nuts.",
    warning_nl="Niet gebruiken als je allergisch bent voor paddenstoelen of noten.",
)


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOON_ON_15_MARCH_2026) as now:
        yield now


# --- reading pages ----------------------------------------------------------------------------


def page(response) -> Page:  # type: ignore[no-untyped-def]
    return Page.of(response)


def words_at(shown: Page, css: str) -> str:
    return words(shown.one(css).get_text(" "))


def error_for(shown: Page, control_id: str) -> str:
    """The message a screen reader reads with the control, which sits right beside it."""
    control = shown.one(f"#{control_id}")
    described = str(control.get("aria-describedby", "")).split()
    errors = [shown.one(f"#{i}") for i in described if i.endswith("-error")]
    assert len(errors) == 1, f"{control_id} is described by no error"
    assert errors[0].parent is control.parent, "the error is not next to its field"
    return words(errors[0].get_text(" "))


# --- a customer's moves -------------------------------------------------------------------


def fill_cart(client, *products: Product, quantity: int = 1) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(f"/products/{products[0].slug}").get_data(as_text=True))
    for product in products:
        form = {"csrf_token": token, "product_id": product.id, "quantity": str(quantity)}
        assert client.post("/cart/add", data=form).status_code == 303


def open_checkout(client) -> Page:  # type: ignore[no-untyped-def]
    response = client.get("/checkout")
    assert response.status_code == 200, response.status_code
    return page(response)


def submit(client, form_page: Page | None = None, **changes: str | None):  # type: ignore[no-untyped-def]
    """Fill in the checkout form as shown (token, digest, code) and send it."""
    shown = form_page or open_checkout(client)
    sent = shown.form("form.checkout-form")
    form = {
        "csrf_token": sent["csrf_token"],
        "warnings_digest": sent["warnings_digest"],
        "code": sent["code"],
        **CUSTOMER,
    }
    for name, value in changes.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return client.post("/checkout", data=form)


def order_count(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(Order))


# --- the page -------------------------------------------------------------------------------


def test_every_warning_of_every_product_is_on_the_page_in_full(session, verified_client):
    first = make_product(session, "Golden Teacher 15 g")
    second = make_product(
        session,
        "Lion's Mane capsules",
        disclaimers=[DOSAGE, LEGAL],
        allergy=NUTS_AND_FUNGI,
    )
    third = make_product(session, "Grow kit", allergy=NO_ALLERGENS)
    fill_cart(verified_client, first, second, third)

    shown = open_checkout(verified_client)

    for warning in (
        "Health: Not medical advice. No proven effect in humans.",
        "Allergy: Do not use if you are allergic to mushrooms. Contains fungi (mushrooms).",
        "Dosage: Start with a low dose; never combine with alcohol or medication.",
        "Legal: Sold to adults for legal use in the Netherlands only.",
        "Allergy: Do not use if you are allergic to mushrooms or nuts. "
        "May contain traces of nuts. Contains fungi (mushrooms).",
        "Allergy: No known allergens.",
    ):
        assert warning in shown.text
    assert not shown.select("main details"), "warnings behind a click"


def test_the_acknowledgement_box_is_never_ticked_for_the_customer(session, verified_client):
    fill_cart(verified_client, make_product(session))

    first_visit = open_checkout(verified_client)
    after_an_error = page(submit(verified_client, email="anna"))

    for shown in (first_visit, after_an_error):
        box = shown.one("#f-acknowledged")
        assert box["type"] == "checkbox"
        assert not box.has_attr("checked")
        assert box.has_attr("required")


def test_an_empty_cart_cannot_check_out(verified_client):
    response = verified_client.get("/checkout")

    assert response.status_code == 303
    assert response.headers["Location"] == "/cart"
    assert "Your cart is empty." in page(verified_client.get("/cart")).text


def test_the_code_from_the_cart_is_carried_over_and_priced(session, client):
    product = make_product(session, price_cents=2000)
    window = window_from_local(date(2026, 3, 1), date(2026, 3, 31), AMSTERDAM)
    make_code(session, "LENTE10", value=10, window=window)
    pass_age_gate(client)
    fill_cart(client, product)
    cart = client.get("/cart").get_data(as_text=True)
    client.post("/cart/code", data={"csrf_token": csrf_token(cart), "code": "lente10"})

    shown = open_checkout(client)

    assert shown.one("#f-code")["value"] == "lente10"
    assert "Discount (LENTE10) −€2.00" in shown.text
    assert "Total incl. VAT €18.00" in shown.text


# --- what the server refuses ----------------------------------------------------------------


def test_missing_acknowledgement_is_told_next_to_the_box(session, verified_client):
    fill_cart(verified_client, make_product(session))

    response = submit(verified_client, acknowledged=None)

    assert response.status_code == 422
    shown = page(response)
    message = "Please confirm that you have read the warnings and allergy information."
    assert error_for(shown, "f-acknowledged") == message
    summary = shown.one(".error-summary")
    assert summary["role"] == "alert"
    assert message in words(summary.get_text(" "))
    assert order_count(session) == 0


BAD_FIELDS = {
    "email": [
        ("", "Please enter your e-mail address."),
        ("anna", "Please enter a valid e-mail address, like name@example.com."),
        ("anna@example", "Please enter a valid e-mail address, like name@example.com."),
        ("anna de vries@example.nl", "Please enter a valid e-mail address, like name@example.com."),
    ],
    "postcode": [
        ("", "Please enter your postcode."),
        ("0123 AB", "Please enter a Dutch postcode like 1234 AB."),
        ("1234 SA", "Please enter a Dutch postcode like 1234 AB."),
        ("1234 sd", "Please enter a Dutch postcode like 1234 AB."),
        ("1234SS", "Please enter a Dutch postcode like 1234 AB."),
        ("12345", "Please enter a Dutch postcode like 1234 AB."),
        ("1234 ABC", "Please enter a Dutch postcode like 1234 AB."),
    ],
    "name": [("", "Please enter your name."), ("x" * 201, "Please use at most 200 characters.")],
    "street": [("  ", "Please enter your street and house number.")],
    "city": [("", "Please enter your town or city.")],
    "country": [("US", "Please choose a country from the list.")],
}


@pytest.mark.parametrize("field_name", list(BAD_FIELDS))
def test_a_bad_field_is_told_next_to_it(session, verified_client, field_name):
    fill_cart(verified_client, make_product(session))
    form_page = open_checkout(verified_client)

    for value, message in BAD_FIELDS[field_name]:
        response = submit(verified_client, form_page, **{field_name: value})

        assert response.status_code == 422, value
        shown = page(response)
        assert error_for(shown, f"f-{field_name}") == message, value
        assert shown.one(f"#f-{field_name}")["aria-invalid"] == "true"
    assert order_count(session) == 0


def test_a_postcode_elsewhere_in_the_eu_is_up_to_ten_characters(session, verified_client):
    fill_cart(verified_client, make_product(session))
    form_page = open_checkout(verified_client)

    for postcode in ("", "12345678901", "D02 X285 !"):
        response = submit(verified_client, form_page, country="IE", postcode=postcode)
        assert response.status_code == 422, postcode
        assert error_for(page(response), "f-postcode"), postcode

    response = submit(verified_client, form_page, country="IE", postcode="d02 x285")
    assert response.status_code == 303
    order = session.scalars(select(Order)).one()
    assert (order.country, order.postcode) == ("IE", "D02 X285")


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "11", "1987", "Please enter your full date of birth."),
        ("2x", "11", "1987", "Day, month and year must be numbers."),
        ("31", "4", "1987", "That date does not exist. Please check the day and month."),
        ("1", "1", "2031", "A date of birth cannot be in the future."),
        ("1", "1", "1850", "Please enter a year of birth from 1900 on."),
    ],
)
def test_a_bad_date_of_birth_is_told_next_to_it(
    session, verified_client, day, month, year, message
):
    fill_cart(verified_client, make_product(session))

    response = submit(verified_client, day=day, month=month, year=year)

    assert response.status_code == 422
    shown = page(response)
    assert words_at(shown, "#dob-error") == message
    assert "dob-error" in shown.one("#f-day")["aria-describedby"]
    assert order_count(session) == 0


def test_someone_a_day_short_of_18_in_amsterdam_is_refused(session, client):
    with frozen_at(HALF_PAST_MIDNIGHT_ON_15_MARCH_IN_AMSTERDAM):
        pass_age_gate(client)
        fill_cart(client, make_product(session))

        response = submit(client, day="16", month="3", year="2008")

    assert response.status_code == 422
    assert words_at(page(response), "#dob-error") == (
        "You must be 18 or older to order from this shop."
    )
    assert order_count(session) == 0


def test_someone_who_turns_18_today_in_amsterdam_may_order(session, client):
    with frozen_at(HALF_PAST_MIDNIGHT_ON_15_MARCH_IN_AMSTERDAM):
        pass_age_gate(client)
        fill_cart(client, make_product(session))

        response = submit(client, day="15", month="3", year="2008")

    assert response.status_code == 303
    assert order_count(session) == 1


def test_a_product_for_21_and_over_needs_a_customer_of_21(session, verified_client):
    strong = make_product(session, "Hollandia Strong", min_age=21)
    fill_cart(verified_client, make_product(session), strong)
    form_page = open_checkout(verified_client)
    assert "sold only to customers aged 21 or older" in words_at(form_page, "#dob-hint")

    too_young = submit(verified_client, form_page, day="16", month="3", year="2005")

    assert too_young.status_code == 422
    assert words_at(page(too_young), "#dob-error") == (
        "You must be 21 or older to buy Hollandia Strong."
    )
    assert order_count(session) == 0
    old_enough = submit(verified_client, form_page, day="15", month="3", year="2005")
    assert old_enough.status_code == 303


# --- placing the order ----------------------------------------------------------------------


def test_a_checkout_places_an_order_and_leads_to_its_page(session, verified_client):
    product = make_product(session, "Golden Teacher 15 g", price_cents=1995, stock=5)
    fill_cart(verified_client, product, quantity=2)

    response = submit(verified_client, postcode=" 1016gv ")

    assert response.status_code == 303
    order = session.scalars(select(Order)).one()
    assert response.headers["Location"] == f"/orders/{order.token}"
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert (order.email, order.postcode, order.total_cents) == (
        "anna.de.vries@example.nl",
        "1016 GV",
        3990,
    )
    assert session.get(Product, product.id).stock == 3
    order_page = page(verified_client.get(response.headers["Location"]))
    assert "Not medical advice. No proven effect in humans." in order_page.text
    assert "Do not use if you are allergic to mushrooms." in order_page.text
    cart = page(verified_client.get("/cart"))
    assert "Your cart is empty." in cart.text
    assert not cart.select(".cart-count")


def test_a_warning_changed_after_the_page_was_shown_is_refused(session, verified_client):
    product = make_product(session)
    fill_cart(verified_client, product)
    form_page = open_checkout(verified_client)
    disclaimer = session.scalars(
        select(Disclaimer).where(Disclaimer.product_id == product.id)
    ).one()
    disclaimer.text_en = "Not medical advice. Do not drive for 12 hours after use."
    disclaimer.content_hash = disclaimer.compute_hash()
    session.commit()

    response = submit(verified_client, form_page)

    assert response.status_code == 409
    shown = page(response)
    assert "warnings of a product in your order changed" in error_for(shown, "f-acknowledged")
    assert "Do not drive for 12 hours after use." in shown.text
    assert order_count(session) == 0
    assert submit(verified_client, shown).status_code == 303


def test_a_product_sold_out_meanwhile_is_refused_with_a_message(session, verified_client):
    product = make_product(session, "Mexicana 15 g", stock=5)
    fill_cart(verified_client, product, quantity=2)
    form_page = open_checkout(verified_client)
    session.execute(update(Product).where(Product.id == product.id).values(stock=1))
    session.commit()

    response = submit(verified_client, form_page)

    assert response.status_code == 409
    notice = page(response).one(".notice")
    assert notice["role"] == "alert"
    assert "Sorry, only 1 left of Mexicana 15 g." in words(notice.get_text(" "))
    assert order_count(session) == 0
    assert session.get(Product, product.id).stock == 1


@pytest.mark.parametrize(
    "second_address",
    ["ANNA.de.vries@example.nl", "anna.de.vries+2@example.nl", "Anna.De.Vries+shop@EXAMPLE.nl"],
)
def test_a_once_per_customer_code_is_refused_the_second_time(
    session, verified_client, second_address
):
    """The same mailbox however it is spelled: in capitals or with a +tag."""
    product = make_product(session, price_cents=2000, stock=20)
    window = window_from_local(date(2026, 3, 1), None, AMSTERDAM)
    make_code(session, "WELKOM", kind="amount", value=500, window=window, per_customer_limit=1)
    fill_cart(verified_client, product)
    assert submit(verified_client, code="WELKOM").status_code == 303
    fill_cart(verified_client, product)

    response = submit(verified_client, code="welkom", email=second_address)

    assert response.status_code == 422
    assert error_for(page(response), "f-code") == "You have already used this code."
    assert [o.discount_cents for o in session.scalars(select(Order))] == [500]


def test_checkout_attempts_are_throttled_per_visitor(session, verified_client):
    fill_cart(verified_client, make_product(session))
    form_page = open_checkout(verified_client)

    answers = [submit(verified_client, form_page, code=f"GUESS{n}") for n in range(21)]

    assert [a.status_code for a in answers] == [422] * 20 + [429]
    assert re.search(r"Please wait \d+ seconds? and try again\.", page(answers[-1]).text)
    assert verified_client.get("/checkout").status_code == 200
    assert order_count(session) == 0


def visitor_at_checkout(app, product, address: str):  # type: ignore[no-untyped-def]
    """A visitor who has never been here (a new cookie, a new session), with the checkout
    form open, and the page it was shown."""
    visitor = app.test_client()
    visitor.environ_base["REMOTE_ADDR"] = address
    pass_age_gate(visitor)
    fill_cart(visitor, product)
    return visitor, open_checkout(visitor)


def test_checkouts_from_one_address_are_throttled_whatever_the_cookie(app, session):
    product = make_product(session)
    # Every visitor is ready first, so that only the checkouts themselves fall in the
    # throttle's moving minute, however slowly a busy machine prepares them.
    visitors = [visitor_at_checkout(app, product, "198.51.100.40") for _ in range(62)]

    answers = [submit(v, shown, code=f"GUESS{n}") for n, (v, shown) in enumerate(visitors)]

    assert [a.status_code for a in answers] == [422] * 60 + [429] * 2
    assert page(answers[60]).texts("h1") == ["Too many attempts"]
    elsewhere, shown = visitor_at_checkout(app, product, "198.51.100.41")
    assert submit(elsewhere, shown, code="GUESS").status_code == 422
    assert order_count(session) == 0


def test_a_product_taken_off_sale_meanwhile_leaves_the_order_with_a_message(
    session, verified_client
):
    kept, gone = make_product(session, "Kept"), make_product(session, "Gone")
    fill_cart(verified_client, kept, gone)
    form_page = open_checkout(verified_client)
    unpublish_product(session, gone.id, now=CREATED)

    response = submit(verified_client, form_page)

    assert response.status_code == 409
    shown = page(response)
    assert "no longer available" in shown.text
    assert "Gone" not in shown.text
    assert order_count(session) == 0
    assert submit(verified_client, shown).status_code == 303
    assert [line.product_name for line in session.scalars(select(Order)).one().lines] == ["Kept"]


def test_a_date_of_birth_under_18_at_checkout_closes_the_shop_for_that_visitor(
    session, verified_client
):
    """The visitor said yes at the gate; the date of birth says otherwise: the strict reading."""
    fill_cart(verified_client, make_product(session))

    response = submit(verified_client, day="15", month="3", year="2010")

    assert response.status_code == 422
    after = verified_client.get("/")
    assert after.status_code == 303
    assert after.headers["Location"].startswith("/age-gate/refused")


def test_a_date_of_birth_too_young_only_for_a_21_plus_product_keeps_the_shop_open(
    session, verified_client
):
    fill_cart(verified_client, make_product(session, min_age=21))

    response = submit(verified_client, day="15", month="3", year="2007")

    assert response.status_code == 422
    assert verified_client.get("/").status_code == 200
