"""Product lists that sell (issue 17): each card says its stock (low from
`SHOP_LOW_STOCK_THRESHOLD`), a sold-out card has no add button, adding from a list comes back
to it (or answers JSON to the cards' script), every visitor gets their own CSRF token out of
the same cached list, and a product page shows related products: the staff's picks (chosen
in the back office), then others of its category."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.clock import frozen_at
from shop.models import AuditEntry, RelatedProduct, Role
from shop.services.products import unpublish_product
from shop.services.related import set_related_products
from tests.admin_support import signed_in
from tests.helpers import CREATED, make_category, make_product, pass_age_gate
from tests.integration.test_omnibus import DURING, NOTE, product_priced, public_code
from tests.integration.test_query_counts import counting_queries
from tests.pages import Page


@pytest.fixture
def app_settings(app_settings: dict[str, object]) -> dict[str, object]:
    # The cache on, as in production: what a visitor gets must not come from another's page.
    app_settings["SHOP_FRAGMENT_CACHE_SECONDS"] = "60"
    return app_settings


def page_of(client, path: str) -> Page:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return Page.of(response)


def card_of(page: Page, name: str):  # type: ignore[no-untyped-def]
    cards = [card for card in page.select(".product-card") if name in card.get_text(" ")]
    assert len(cards) == 1, name
    return cards[0]


def add_form(card) -> dict[str, str]:  # type: ignore[no-untyped-def]
    form = card.select_one("form.card-buy")
    assert form is not None, "no add-to-cart form on the card"
    return {field["name"]: field.get("value", "") for field in form.select("input")}


# --- stock on the cards ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stock", "says"),
    [(0, "Sold out"), (1, "Only 1 left"), (5, "Only 5 left"), (6, "In stock")],
)
def test_a_card_says_only_n_left_up_to_the_threshold(session, verified_client, stock, says):
    category = make_category(session, slug="truffles")
    make_product(session, "Mexicana", category=category, stock=stock)

    card = card_of(page_of(verified_client, "/category/truffles"), "Mexicana")

    assert card.select_one(".stock").get_text(strip=True) == says


def test_the_threshold_is_a_setting(app, session, verified_client):
    app.config["SHOP_LOW_STOCK_THRESHOLD"] = 2
    category = make_category(session, slug="truffles")
    make_product(session, "Two left", category=category, stock=2)
    make_product(session, "Three left", category=category, stock=3)

    page = page_of(verified_client, "/category/truffles")

    assert card_of(page, "Two left").select_one(".stock").get_text(strip=True) == "Only 2 left"
    assert card_of(page, "Three left").select_one(".stock").get_text(strip=True) == "In stock"


def test_a_sold_out_card_has_no_add_button(session, verified_client):
    category = make_category(session, slug="truffles")
    make_product(session, "Gone", category=category, stock=0)
    make_product(session, "Here", category=category, stock=3)

    page = page_of(verified_client, "/category/truffles")

    assert card_of(page, "Gone").select_one("form.card-buy") is None
    button = card_of(page, "Here").select_one("form.card-buy button")
    assert button.get_text(strip=True) == "Add to cart"
    assert button["aria-label"] == "Add to cart: Here"


# --- adding from a list ----------------------------------------------------------------------


def test_without_javascript_adding_comes_back_to_the_list_with_the_count(session, verified_client):
    category = make_category(session, slug="truffles")
    product = make_product(session, "Mexicana 15 g", category=category)
    path = "/category/truffles?sort=price&page=1"
    fields = add_form(card_of(page_of(verified_client, path), "Mexicana"))
    assert fields["quantity"] == "1" and fields["product_id"] == str(product.id)

    response = verified_client.post("/cart/add", data=fields)

    assert response.status_code == 303
    assert response.headers["Location"] == path
    back = page_of(verified_client, response.headers["Location"])
    assert "Mexicana 15 g added to your cart." in back.texts("[role=status]")
    assert back.texts("header .cart-count") == ["1"]


def test_the_cards_script_gets_the_new_count_and_what_to_announce(session, verified_client):
    category = make_category(session, slug="truffles")
    make_product(session, "Mexicana 15 g", category=category)
    fields = add_form(card_of(page_of(verified_client, "/category/truffles"), "Mexicana"))
    json_please = {"Accept": "application/json"}

    first = verified_client.post("/cart/add", data=fields, headers=json_please)
    second = verified_client.post("/cart/add", data=fields, headers=json_please)

    assert first.status_code == 200
    assert first.get_json() == {"count": 1, "message": "Mexicana 15 g added to your cart."}
    assert second.get_json()["count"] == 2
    # Nothing is left to show on the next page: the script has said it.
    assert "added to your cart" not in page_of(verified_client, "/cart").text


def test_the_cards_script_gets_a_refusal_in_words(session, verified_client):
    category = make_category(session, slug="truffles")
    product = make_product(session, "Last one", category=category, stock=1)
    fields = add_form(card_of(page_of(verified_client, "/category/truffles"), "Last one"))
    json_please = {"Accept": "application/json"}
    verified_client.post("/cart/add", data=fields, headers=json_please)

    refused = verified_client.post("/cart/add", data=fields, headers=json_please)

    assert refused.status_code == 409
    assert "Last one" in refused.get_json()["message"]
    unpublish_product(session, product.id, now=CREATED)
    gone = verified_client.post("/cart/add", data=fields, headers=json_please)
    assert gone.status_code == 404 and gone.get_json()["message"]


def test_two_visitors_never_get_each_others_token_from_the_cached_list(app, session):
    category = make_category(session, slug="truffles")
    make_product(session, "Mexicana", category=category)
    ann, bob = app.test_client(), app.test_client()
    pass_age_gate(ann)
    pass_age_gate(bob)

    ann_fields = add_form(card_of(page_of(ann, "/category/truffles"), "Mexicana"))
    bob_page = page_of(bob, "/category/truffles")  # the same cached list
    bob_fields = add_form(card_of(bob_page, "Mexicana"))

    assert ann_fields["csrf_token"] and bob_fields["csrf_token"]
    assert ann_fields["csrf_token"] != bob_fields["csrf_token"]
    assert ann_fields["csrf_token"] not in bob_page.soup.decode()
    assert "slot:" not in bob_page.soup.decode()
    # Each token is its visitor's: Ann's does not work for Bob.
    assert (
        bob.post(
            "/cart/add", data={**bob_fields, "csrf_token": ann_fields["csrf_token"]}
        ).status_code
        == 400
    )
    assert bob.post("/cart/add", data=bob_fields).status_code == 303


def test_home_and_search_cards_sell_too(session, verified_client):
    make_product(session, "Featured truffle", is_featured=True)

    for path in ("/", "/search?q=truffle"):
        fields = add_form(card_of(page_of(verified_client, path), "Featured truffle"))
        assert fields["next"] == path
        assert fields["csrf_token"]


# --- related products ------------------------------------------------------------------------


def related_names(client, product) -> list[str]:  # type: ignore[no-untyped-def]
    page = page_of(client, f"/products/{product.slug}")
    return page.texts(".related-products-section .product-card h3 a")


def test_related_are_the_staffs_picks_then_the_category_in_stock_first(session, verified_client):
    truffles, kits = make_category(session, slug="truffles"), make_category(session, slug="kits")
    product = make_product(session, "Mexicana", category=truffles)
    make_product(session, "A sold-out truffle", category=truffles, stock=0)
    make_product(session, "B truffle", category=truffles)
    make_product(session, "C truffle", category=truffles)
    make_product(session, "D truffle", category=truffles)
    kit = make_product(session, "Starter kit", category=kits)
    scale = make_product(session, "Scale", category=kits)
    set_related_products(session, product.id, [scale.slug, kit.slug], actor=None, now=CREATED)

    expected = ["Scale", "Starter kit", "B truffle", "C truffle"]
    assert related_names(verified_client, product) == expected


def test_related_never_shows_the_product_itself_or_what_is_not_for_sale(session, verified_client):
    truffles = make_category(session, slug="truffles")
    product = make_product(session, "Mexicana", category=truffles)
    hidden = make_product(session, "Hidden truffle", category=truffles)
    picked = make_product(session, "Picked", category=make_category(session, slug="kits"))
    set_related_products(session, product.id, [picked.slug, hidden.slug], actor=None, now=CREATED)
    unpublish_product(session, hidden.id, now=CREATED)
    unpublish_product(session, picked.id, now=CREATED)

    assert related_names(verified_client, product) == []
    assert "You may also like" not in page_of(verified_client, f"/products/{product.slug}").text


def test_sold_out_picks_give_way_to_products_in_stock(session, verified_client):
    truffles = make_category(session, slug="truffles")
    product = make_product(session, "Mexicana", category=truffles)
    sold_out = make_product(session, "Sold-out pick", category=make_category(session), stock=0)
    for name in ("B", "C", "D", "E"):
        make_product(session, f"{name} truffle", category=truffles)
    set_related_products(session, product.id, [sold_out.slug], actor=None, now=CREATED)

    assert related_names(verified_client, product) == [f"{n} truffle" for n in "BCDE"]


def test_related_cards_carry_the_visitors_token(session, verified_client):
    truffles = make_category(session, slug="truffles")
    product = make_product(session, "Mexicana", category=truffles)
    make_product(session, "Atlantis", category=truffles)

    page = page_of(verified_client, f"/products/{product.slug}")
    fields = add_form(card_of(page, "Atlantis"))

    assert fields["csrf_token"] == page.one("form.buy-form input[name=csrf_token]")["value"]
    assert fields["next"] == f"/products/{product.slug}"


# --- the staff's picks -----------------------------------------------------------------------


@pytest.fixture
def staff(app, session):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    browser.member = signed_in(browser, session, Role.MANAGER)
    return browser


def save_picks(staff, product, typed: str):  # type: ignore[no-untyped-def]
    form = page_of(staff, f"/admin/products/{product.id}")
    token = form.one("form[action$='/related'] input[name=csrf_token]")["value"]
    return staff.post(
        f"/admin/products/{product.id}/related", data={"csrf_token": token, "slugs": typed}
    )


def picks(session, product) -> list[int]:  # type: ignore[no-untyped-def]
    query = (
        select(RelatedProduct.related_id)
        .where(RelatedProduct.product_id == product.id)
        .order_by(RelatedProduct.position)
    )
    return list(session.scalars(query))


def test_staff_pick_related_products_by_slug_in_their_order(session, staff):
    product = make_product(session, "Mexicana", slug="mexicana")
    kit = make_product(session, "Kit", slug="starter-kit")
    scale = make_product(session, "Scale", slug="scale")

    response = save_picks(staff, product, "scale,  starter-kit\n")

    assert response.status_code == 303
    assert picks(session, product) == [scale.id, kit.id]
    form = page_of(staff, response.headers["Location"])
    assert form.one("#related textarea").get_text().strip() == "scale, starter-kit"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "related_products")).one()
    assert entry.staff_email == staff.member.email


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("no-such-thing, scale", "Not a product in the shop: no-such-thing."),
        ("scale, scale", "Each related product can be listed once: scale."),
        ("mexicana", "A product cannot be related to itself: mexicana."),
        (", ".join(f"p{n}" for n in range(9)), "At most 8 related products."),
    ],
)
def test_wrong_picks_are_refused_with_a_message_and_nothing_changes(session, staff, typed, message):
    product = make_product(session, "Mexicana", slug="mexicana")
    make_product(session, "Scale", slug="scale")

    response = save_picks(staff, product, typed)

    assert response.status_code == 422
    page = Page.of(response)
    assert any(message in text for text in page.texts("#related"))
    assert page.one("#related textarea").get_text().strip() == typed
    assert picks(session, product) == []


# --- the Omnibus note on the cards -----------------------------------------------------------


def category_page(client, slug: str) -> tuple[Page, int]:  # type: ignore[no-untyped-def]
    with frozen_at(DURING), counting_queries() as statements:
        response = client.get(f"/category/{slug}")
    assert response.status_code == 200
    return Page.of(response), len(statements)


def test_cards_show_the_omnibus_note_in_one_query_for_the_whole_list(session, client):
    category = make_category(session, slug="truffles")
    public_code(session)
    cheaper = product_priced(session, [(60, 1295), (10, 995), (2, 1295)], category=category)
    product_priced(session, [(60, 1495)], category=category, name="Steady")
    with frozen_at(DURING):
        pass_age_gate(client)  # while the code runs
    _, one_card = category_page(client, "truffles")
    for n in range(5):
        product_priced(session, [(60, 1495), (5, 1395)], category=category, name=f"More {n}")

    page, many_cards = category_page(client, "truffles")

    assert card_of(page, cheaper.name_en).select_one(".omnibus-price").get_text(strip=True) == (
        f"{NOTE}: €9.95"
    )
    assert card_of(page, "Steady").select_one(".omnibus-price").get_text(strip=True) == (
        f"{NOTE}: €14.95"
    )
    assert many_cards == one_card
