"""Dutch and English: the visitor's choice, else the browser's, else the shop's default (nl);
every page says which language it is in, and prices and dates are written the local way."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from shop.clock import frozen_at
from shop.models import Order, Role
from shop.rules.promotions import Kind, window_from_local
from shop.services.promotions import PromoDraft, create_promo_code
from tests.admin_support import signed_in
from tests.conftest import settings_for
from tests.helpers import csrf_token, make_product, pass_age_gate
from tests.integration.payment_support import emails_of

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DURING_HALLOWEEN = datetime(2025, 10, 25, 12, 0, tzinfo=UTC)
AFTER_HALLOWEEN = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
NBSP = "\u00a0"

CUSTOMER = {
    "email": "anna@example.nl",
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


@pytest.fixture
def app_settings(database_url: str) -> dict[str, object]:
    """The shop as it ships: Dutch unless the browser or the visitor says otherwise."""
    return settings_for(database_url, SHOP_DEFAULT_LOCALE="nl")


# --- a visitor's moves --------------------------------------------------------------------


def choose_language(client, locale: str, return_to: str = "/") -> object:  # type: ignore[no-untyped-def]
    """Press a language in the switcher (of the terms page, open to anyone)."""
    page = client.get("/legal/terms").get_data(as_text=True)
    return client.post(
        "/language",
        data={"csrf_token": csrf_token(page), "locale": locale, "return_to": return_to},
    )


def html(client, path: str, **headers: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def words(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def lang_of(page: str) -> str:
    found = re.search(r'<html lang="([^"]*)"', page)
    assert found, "no <html lang>"
    return found.group(1)


def add_to_cart(client, product) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(html(client, f"/products/{product.slug}"))
    form = {"csrf_token": token, "product_id": product.id, "quantity": "2"}
    assert client.post("/cart/add", data=form).status_code == 303


def check_out(client) -> str:  # type: ignore[no-untyped-def]
    """Place the cart's order through the checkout page; the order page's path."""
    page = html(client, "/checkout")
    form = {
        "csrf_token": csrf_token(page),
        "warnings_digest": re.search(r'name="warnings_digest" value="([^"]*)"', page).group(1),
        "code": "",
        **CUSTOMER,
    }
    response = client.post("/checkout", data=form)
    assert response.status_code == 303, words(response.get_data(as_text=True))[:500]
    return response.headers["Location"]


def halloween(session, **overrides) -> None:  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "code": "HALLOWEEN2025",
        "kind": Kind.PERCENT,
        "value": 15,
        "window": window_from_local(date(2025, 10, 21), date(2025, 11, 2), AMSTERDAM),
        "is_public": True,
        "banner_title_en": "Halloween 2025",
        "banner_title_nl": "Halloween 2025",
    }
    values.update(overrides)
    create_promo_code(session, PromoDraft(**values), now=datetime(2025, 10, 1, tzinfo=UTC))


@pytest.fixture
def truffles(session):  # type: ignore[no-untyped-def]
    return make_product(
        session,
        "Mexicana truffles 15 g",
        name_nl="Mexicana truffels 15 g",
        price_cents=1250,
        slug="mexicana",
    )


# --- which language -------------------------------------------------------------------------


def test_without_any_preference_the_shop_speaks_dutch(client) -> None:
    page = html(client, "/age-gate")

    assert lang_of(page) == "nl"
    assert "Ben je 18 jaar of ouder?" in page


def test_a_browser_asking_for_english_gets_english(client) -> None:
    page = html(client, "/age-gate", **{"Accept-Language": "en-GB,en;q=0.9"})

    assert lang_of(page) == "en"
    assert "Are you 18 or older?" in page


def test_a_browser_asking_for_a_language_the_shop_lacks_gets_the_default(client) -> None:
    page = html(client, "/age-gate", **{"Accept-Language": "fr-FR,fr;q=0.9"})

    assert lang_of(page) == "nl"


def test_the_visitors_choice_beats_the_browsers_language(client) -> None:
    choose_language(client, "en")

    page = html(client, "/age-gate", **{"Accept-Language": "nl-NL,nl;q=0.9"})

    assert lang_of(page) == "en"
    assert "Are you 18 or older?" in page


def test_the_switcher_works_before_the_age_gate_and_goes_back_to_the_page(client) -> None:
    response = choose_language(client, "en", return_to="/age-gate?next=/cart")

    assert response.status_code == 303
    assert response.headers["Location"] == "/age-gate?next=/cart"
    assert "Are you 18 or older?" in html(client, "/age-gate?next=/cart")


def test_the_choice_is_kept_for_a_year_not_only_for_the_browser_session(client) -> None:
    response = choose_language(client, "en")

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("locale=en;")
    assert "Max-Age=31536000" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_tell_caches_that_their_language_depends_on_the_request(client) -> None:
    response = client.get("/legal/terms")

    assert {"Accept-Language", "Cookie"} <= set(response.vary)


@pytest.mark.parametrize(
    "return_to", ["https://evil.example/", "//evil.example/", "/\\evil.example", "", "cart"]
)
def test_the_switcher_only_goes_back_to_a_page_of_this_shop(client, return_to) -> None:
    response = choose_language(client, "en", return_to=return_to)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("locale", ["fr", "", "nl-NL", "../en"])
def test_a_language_the_shop_does_not_have_is_a_bad_request(client, locale) -> None:
    response = choose_language(client, locale)

    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or "locale=" not in response.headers["Set-Cookie"]


def test_the_switcher_needs_its_csrf_token(client) -> None:
    response = client.post("/language", data={"locale": "en", "return_to": "/"})

    assert response.status_code == 400
    assert lang_of(html(client, "/age-gate")) == "nl"


def test_every_page_carries_the_switcher_with_both_languages_named_in_themselves(
    client,
) -> None:
    page = html(client, "/age-gate")

    assert '<form class="language-switcher" method="post" action="/language"' in page
    assert 'lang="nl" aria-current="true"' in page
    assert '<button type="submit" name="locale" value="en" lang="en">English</button>' in page


# --- the pages in Dutch, and in English -----------------------------------------------------


def test_the_storefront_age_gate_and_checkout_in_dutch(client, truffles) -> None:
    gate = html(client, "/age-gate")
    assert "Deze winkel verkoopt producten voor volwassenen." in gate
    pass_age_gate(client)

    home = html(client, "/")
    product = html(client, "/products/mexicana")
    add_to_cart(client, truffles)
    cart = html(client, "/cart")
    checkout = html(client, "/checkout")

    for page in (gate, home, product, cart, checkout):
        assert lang_of(page) == "nl"
        assert "Verkoopvoorwaarden" in page  # the footer
    assert "Zoeken" in home and "Winkelwagen" in home
    assert "Mexicana truffels 15 g" in product
    assert "In winkelwagen" in product
    assert f"€{NBSP}12,50" in product
    assert "Je winkelwagen" in cart and "Naar afrekenen" in cart
    assert f"€{NBSP}25,00" in cart
    assert "Contact en bezorging" in checkout and "Bestellen en betalen" in checkout
    assert "Waarschuwingen en allergie-informatie" in checkout


def test_the_same_pages_in_english_after_switching(client, truffles) -> None:
    pass_age_gate(client)
    choose_language(client, "en")

    product = html(client, "/products/mexicana")
    add_to_cart(client, truffles)
    cart = html(client, "/cart")

    assert lang_of(product) == "en"
    assert "Mexicana truffles 15 g" in product and "Add to cart" in product
    assert "€12.50" in product
    assert "Your cart" in cart and "€25.00" in cart


def test_the_refusal_page_in_dutch_and_in_english(client) -> None:
    page = html(client, "/age-gate")
    client.post("/age-gate", data={"csrf_token": csrf_token(page), "answer": "no", "next": "/"})

    dutch = html(client, "/age-gate/refused")
    choose_language(client, "en", return_to="/age-gate/refused")
    english = html(client, "/age-gate/refused")

    assert lang_of(dutch) == "nl"
    assert "Sorry, je kunt niet verder" in dutch
    assert "Je moet 18 jaar of ouder zijn om deze website te bezoeken." in dutch
    assert lang_of(english) == "en"
    assert "You must be 18 years of age or older to visit this website." in english


def test_the_back_office_in_dutch(client, session) -> None:
    signed_in(client, session, Role.MANAGER)

    dashboard = html(client, "/admin/")
    products = html(client, "/admin/products")

    assert lang_of(dashboard) == "nl"
    assert "Uitloggen" in dashboard
    assert "Bestellingen per status" in dashboard
    assert "Nieuw product" in products
    assert '<form class="language-switcher"' in dashboard


def test_the_back_office_in_english_once_chosen(client, session) -> None:
    signed_in(client, session, Role.MANAGER)
    choose_language(client, "en", return_to="/admin/")

    dashboard = html(client, "/admin/")

    assert lang_of(dashboard) == "en"
    assert "Sign out" in dashboard and "Orders by status" in dashboard


def test_an_error_page_carries_the_switcher_and_speaks_the_visitors_language(client) -> None:
    pass_age_gate(client)

    response = client.get("/products/no-such-product")
    page = response.get_data(as_text=True)

    assert response.status_code == 404
    assert lang_of(page) == "nl"
    assert "Pagina niet gevonden" in page
    assert '<form class="language-switcher"' in page


def test_the_compiled_dutch_catalog_is_what_pages_use(app) -> None:
    from shop.i18n_catalogs import TRANSLATIONS_DIR

    assert (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.mo").is_file()
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        from flask_babel import gettext

        assert gettext("Add to cart") == "In winkelwagen"


# --- prices and dates the local way ---------------------------------------------------------


def test_the_promo_banner_in_dutch_and_english(client, session) -> None:
    halloween(session)

    with frozen_at(DURING_HALLOWEEN):
        pass_age_gate(client)
        dutch = words(html(client, "/"))
        choose_language(client, "en")
        english = words(html(client, "/"))

    assert "15% KORTING · code HALLOWEEN2025 · t/m 2 nov" in dutch
    assert "15% OFF · code HALLOWEEN2025 · until 2 Nov" in english


def test_a_fixed_amount_banner_writes_the_amount_the_local_way(client, session) -> None:
    halloween(session, kind=Kind.AMOUNT, value=1250)

    with frozen_at(DURING_HALLOWEEN):
        pass_age_gate(client)
        dutch = words(html(client, "/"))
        choose_language(client, "en")
        english = words(html(client, "/"))

    assert "€ 12,50 KORTING" in dutch  # (words() makes the no-break space a space)
    assert "€12.50 OFF" in english


@pytest.mark.parametrize(
    ("instant", "overrides", "dutch", "english"),
    [
        (
            AFTER_HALLOWEEN,
            {},
            "Deze code is afgelopen op 2 november 2025.",
            "This code ended on 2 November 2025.",
        ),
        (
            # A public code: one without a banner is answered like an unknown code until
            # it runs (a stranger must not learn that it exists).
            datetime(2025, 10, 20, 12, 0, tzinfo=UTC),
            {"is_public": True},
            "Deze code begint op 21 oktober 2025.",
            "This code starts on 21 October 2025.",
        ),
        (
            DURING_HALLOWEEN,
            {"min_subtotal_cents": 3000},
            f"Deze code vraagt een subtotaal van €{NBSP}30,00.",
            "This code needs a subtotal of €30.00.",
        ),
    ],
    ids=["ended", "not-started", "below-minimum"],
)
def test_a_refused_code_says_why_in_the_visitors_language(
    client, session, truffles, instant, overrides, dutch, english
) -> None:
    halloween(session, **({"is_public": False} | overrides))

    with frozen_at(instant):
        pass_age_gate(client)
        add_to_cart(client, truffles)
        said = {}
        for locale in ("nl", "en"):
            choose_language(client, locale)
            token = csrf_token(html(client, "/cart"))
            response = client.post(
                "/cart/code", data={"csrf_token": token, "code": "halloween2025"}
            )
            said[locale] = response.get_data(as_text=True)

    assert dutch in said["nl"]
    assert english in said["en"]


def test_the_order_page_in_dutch_and_english(client, truffles) -> None:
    pass_age_gate(client)
    add_to_cart(client, truffles)
    order_path = check_out(client)

    dutch = html(client, order_path)
    choose_language(client, "en")
    english = html(client, order_path)

    assert lang_of(dutch) == "nl"
    assert f"€{NBSP}25,00" in dutch and "Wat je hebt besteld" in dutch
    assert re.search(r"Je hebt op \d{1,2} [a-z]+ 20\d\d bevestigd", words(dutch))
    assert "€25.00" in english and "What you ordered" in english
    assert re.search(r"You confirmed on \d{1,2} [A-Z][a-z]+ 20\d\d", words(english))


# --- the confirmation e-mail in the language of the order -----------------------------------


def place_and_pay(client, product, locale: str):  # type: ignore[no-untyped-def]
    pass_age_gate(client)
    choose_language(client, locale)
    add_to_cart(client, product)
    order_path = check_out(client)
    token = order_path.rsplit("/", 1)[1]
    page = html(client, f"/orders/{token}/pay")
    paid = client.post(
        f"/orders/{token}/pay/test", data={"csrf_token": csrf_token(page), "action": "pay"}
    )
    assert paid.status_code == 303
    return token


def test_an_order_placed_in_dutch_is_confirmed_in_dutch(app, session, truffles) -> None:
    customer = app.test_client()
    token = place_and_pay(customer, truffles, "nl")
    order = session.scalars(select(Order).where(Order.token == token)).one()

    [email] = emails_of(session, order.id)

    assert order.locale == "nl"
    assert email.subject == f"Je bestelling {order.number} is betaald"
    assert '<html lang="nl">' in email.body_html
    for body in (email.body_text, email.body_html):
        assert "Bedankt voor je bestelling, Anna de Vries." in body
        assert "Mexicana truffels 15 g" in body
        assert f"€{NBSP}25,00" in body
        assert re.search(r"Geplaatst op \d{1,2} [a-z]+ 20\d\d", body)


def test_an_order_placed_in_english_is_confirmed_in_english_whatever_the_payer_speaks(
    app, session, truffles
) -> None:
    customer = app.test_client()
    token = place_and_pay(customer, truffles, "en")
    order = session.scalars(select(Order).where(Order.token == token)).one()

    [email] = emails_of(session, order.id)

    assert order.locale == "en"
    assert email.subject == f"Your order {order.number} is paid"
    assert '<html lang="en">' in email.body_html
    assert "Thank you for your order, Anna de Vries." in email.body_text
    assert "Total paid: €25.00" in email.body_text
    assert re.search(r"Placed on \d{1,2} [A-Z][a-z]+ 20\d\d", email.body_text)


def test_a_declined_payment_is_explained_in_the_visitors_language(client, truffles) -> None:
    pass_age_gate(client)
    add_to_cart(client, truffles)
    token = check_out(client).rsplit("/", 1)[1]
    page = html(client, f"/orders/{token}/pay")
    client.post(
        f"/orders/{token}/pay/test", data={"csrf_token": csrf_token(page), "action": "decline"}
    )

    dutch = html(client, f"/orders/{token}")
    choose_language(client, "en")
    english = html(client, f"/orders/{token}")

    assert "Je betaling is niet gelukt: Je kaart is geweigerd (testmodus)." in dutch
    assert "Your payment did not go through: Your card was declined (test mode)." in english


# --- product content in both languages ------------------------------------------------------


def test_an_empty_dutch_name_summary_or_description_falls_back_to_english(client, session) -> None:
    make_product(
        session,
        "Lion's Mane capsules",
        name_nl="",
        summary_en="Sixty capsules of Lion's Mane.",
        summary_nl="",
        description_md_en="Grown in the Netherlands.",
        description_md_nl="",
        slug="lions-mane",
    )
    make_product(
        session,
        "Golden Teacher 15 g",
        name_nl="Golden Teacher 15 gram",
        summary_nl="Vijftien gram truffels.",
        description_md_en="English text.",
        description_md_nl="Nederlandse tekst.",
        slug="golden-teacher",
    )
    pass_age_gate(client)

    fallback = html(client, "/products/lions-mane")
    dutch = html(client, "/products/golden-teacher")

    assert "Lion&#39;s Mane capsules" in fallback
    assert "Sixty capsules of Lion&#39;s Mane." in fallback
    assert "Grown in the Netherlands." in fallback
    assert "Golden Teacher 15 gram" in dutch
    assert "Vijftien gram truffels." in dutch
    assert "Nederlandse tekst." in dutch and "English text." not in dutch


def test_an_empty_english_text_falls_back_to_dutch(client, session) -> None:
    make_product(
        session,
        "Pruikzwam",
        summary_en="",
        summary_nl="Zestig capsules pruikzwam.",
        slug="pruikzwam",
    )
    pass_age_gate(client)
    choose_language(client, "en")

    page = html(client, "/products/pruikzwam")

    assert "Zestig capsules pruikzwam." in page
