"""The catalogue as a visitor sees it: home, category pages, product pages, operations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.services.products import AllergyDraft, DisclaimerDraft, unpublish_product
from tests.helpers import CREATED, make_category, make_product
from tests.pages import Page

NBSP = "\u00a0"


def parse(response) -> Page:  # type: ignore[no-untyped-def]
    return Page.of(response)


def exact_texts(page: Page, css: str) -> list[str]:
    """The text of each match as the browser shows it: a no-break space (as in "€ 12,50")
    is kept, unlike in `Page.texts`."""
    return [tag.get_text().strip() for tag in page.select(css)]


def card_names(page: Page) -> list[str]:
    """The product names of the listing, in the order shown."""
    return page.texts(".product-card h3 a")


def assert_shown_openly(page: Page, words: str) -> None:
    """The words are in the page's main content, not folded away or hidden."""
    found = page.soup.find(string=lambda text: words in " ".join(str(text).split()))
    assert found is not None, f"{words!r} is not on the page"
    ancestors = list(found.parents)
    assert any(e.name == "main" for e in ancestors), f"{words!r} is outside the main content"
    for element in ancestors:
        # The warnings sit in a <details> that starts open: a summary line, the texts in place.
        is_closed = element.name == "details" and not element.has_attr("open")
        assert not is_closed, f"{words!r} is behind a click (a closed <details>)"
        assert not element.has_attr("hidden"), f"{words!r} is hidden"
        assert element.get("aria-hidden") != "true", f"{words!r} is aria-hidden"
        style = str(element.get("style") or "").replace(" ", "").lower()
        assert "display:none" not in style and "visibility:hidden" not in style


# --- product page -------------------------------------------------------------------------


def test_product_page_shows_name_and_dutch_price_to_a_dutch_visitor(session, verified_client):
    product = make_product(session, "Golden Teacher 15 g", price_cents=1250)

    response = verified_client.get(f"/products/{product.slug}", headers={"Accept-Language": "nl"})

    assert response.status_code == 200
    page = parse(response)
    assert page.texts("h1") == ["Golden Teacher 15 g"]
    assert f"€{NBSP}12,50" in exact_texts(page, "main .price")


def test_product_page_shows_english_price_to_an_english_visitor(session, verified_client):
    product = make_product(session, price_cents=1250)

    response = verified_client.get(f"/products/{product.slug}", headers={"Accept-Language": "en"})

    assert "€12.50" in exact_texts(parse(response), "main .price")


@pytest.mark.parametrize(
    ("stock", "state"), [(40, "In stock"), (6, "In stock"), (3, "Only 3 left"), (0, "Sold out")]
)
def test_product_page_shows_the_stock_state(session, verified_client, stock, state):
    product = make_product(session, stock=stock)

    page = parse(verified_client.get(f"/products/{product.slug}"))

    assert state in page.texts("main .stock")


def test_a_product_for_older_customers_shows_its_age_badge(session, verified_client):
    product = make_product(session, "Philosopher's Stone", min_age=21)

    page = parse(verified_client.get(f"/products/{product.slug}"))

    assert page.texts("h1") == ["Philosopher's Stone 21+"]
    assert page.texts("h1 .badge.age") == ["21+"]


def test_a_product_for_every_adult_has_no_age_badge(session, verified_client):
    product = make_product(session, "Golden Teacher 15 g", min_age=18)

    page = parse(verified_client.get(f"/products/{product.slug}"))

    assert page.texts("h1") == ["Golden Teacher 15 g"]
    assert page.select("h1 .badge") == []


def test_product_page_shows_every_disclaimer_and_the_allergy_warning_before_the_description(
    session, verified_client
):
    product = make_product(
        session,
        disclaimers=[
            DisclaimerDraft("health", "Not medical advice.", "Geen medisch advies."),
            DisclaimerDraft("dosage", "Start with a low dose.", "Begin met een lage dosis."),
            DisclaimerDraft("legal", "Sold for adults only.", "Alleen voor volwassenen."),
        ],
        allergy=AllergyDraft(
            has_no_known_allergens=False,
            allergens=[("fungi", "contains"), ("gluten", "may_contain")],
            warning_en="Do not use if you are allergic to mushrooms.",
            warning_nl="Niet gebruiken als je allergisch bent voor paddenstoelen.",
        ),
        description_md_en="Grown in the Netherlands from a classic strain.",
    )

    page = parse(verified_client.get(f"/products/{product.slug}"))

    description_at = page.text.find("Grown in the Netherlands")
    assert description_at >= 0
    for words in (
        "Not medical advice.",
        "Start with a low dose.",
        "Sold for adults only.",
        "Do not use if you are allergic to mushrooms.",
        "Contains fungi (mushrooms).",
        "May contain traces of cereals containing gluten.",
    ):
        assert_shown_openly(page, words)
        assert page.text.find(words) < description_at, f"{words!r} comes after the description"


def test_product_page_shows_the_warnings_in_dutch_to_a_dutch_visitor(session, verified_client):
    product = make_product(session)

    response = verified_client.get(f"/products/{product.slug}", headers={"Accept-Language": "nl"})

    page = parse(response)
    assert_shown_openly(page, "Geen medisch advies. Geen bewezen effect bij mensen.")
    assert_shown_openly(page, "Niet gebruiken als je allergisch bent voor paddenstoelen.")


def test_a_product_with_no_known_allergens_says_so(session, verified_client):
    product = make_product(session, "Lion's Mane capsules", allergy=AllergyDraft(True))

    page = parse(verified_client.get(f"/products/{product.slug}"))

    assert_shown_openly(page, "No known allergens.")
    assert "Do not use if you are allergic" not in page.text


def test_an_unknown_product_is_not_found_in_the_shops_style(verified_client):
    response = verified_client.get("/products/no-such-truffle")

    assert response.status_code == 404
    page = parse(response)
    assert page.select(".site-header")
    assert "Page not found" in page.texts("h1")


def test_an_unpublished_product_is_not_found(session, verified_client):
    draft = make_product(session, "Draft truffle", publish=False)
    withdrawn = make_product(session, "Withdrawn truffle")
    unpublish_product(session, withdrawn.id, now=CREATED)

    assert verified_client.get(f"/products/{draft.slug}").status_code == 404
    assert verified_client.get(f"/products/{withdrawn.slug}").status_code == 404


# --- Markdown descriptions ---------------------------------------------------------------


def test_the_description_is_rendered_from_markdown(session, verified_client):
    product = make_product(
        session, description_md_en="Grown **slowly**.\n\n- dried\n- [Guide](https://example.org/)"
    )

    page = parse(verified_client.get(f"/products/{product.slug}"))

    assert "slowly" in page.texts("strong")
    assert "dried" in page.texts("li")
    assert "https://example.org/" in page.attributes("a", "href")


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "<img src=x onerror=alert(1)>",
        "![x](x)<img src=x onerror=alert(1)>",
        '<iframe src="https://evil.example/"></iframe>',
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
    ],
)
def test_the_description_never_carries_live_html(session, verified_client, hostile):
    product = make_product(session, description_md_en=f"Intro.\n\n{hostile}\n\nOutro.")

    response = verified_client.get(f"/products/{product.slug}")

    assert response.status_code == 200
    page = parse(response)
    elements = page.select("*")
    assert not {e.name for e in elements} & {"script", "iframe", "svg", "object", "embed"}
    for element in elements:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), f"live event attribute {name}={value!r}"
            if name in {"href", "src"}:
                assert not str(value).strip().lower().startswith("javascript:")
    assert "Outro." in page.texts("main p")


# --- category pages ------------------------------------------------------------------------


def test_a_category_shows_24_products_per_page_and_page_2_shows_the_rest(session, verified_client):
    category = make_category(session, "truffles")
    names = [f"Truffle {n:02}" for n in range(1, 31)]
    for name in names:
        make_product(session, name, category=category)

    first = parse(verified_client.get("/category/truffles"))
    second_response = verified_client.get("/category/truffles?page=2")
    second = parse(second_response)

    assert card_names(first) == names[:24]
    assert second_response.status_code == 200
    assert card_names(second) == names[24:]
    assert first.texts("main .count") == ["30 products"]


def test_category_pagination_links_lead_to_the_next_and_previous_page(session, verified_client):
    category = make_category(session, "kits")
    for n in range(1, 27):
        make_product(session, f"Kit {n:02}", category=category, price_cents=100 * n)

    first = parse(verified_client.get("/category/kits?sort=price_desc"))
    (next_link,) = first.attributes('[rel~="next"]', "href")
    second = parse(verified_client.get(next_link))
    (previous_link,) = second.attributes('[rel~="prev"]', "href")

    assert "Page 1 of 2" in first.texts("nav span")
    assert first.select('[rel~="prev"]') == []
    # The sort order is kept from page to page.
    assert card_names(second) == ["Kit 02", "Kit 01"]
    assert second.select('[rel~="next"]') == []
    assert "page=1" in previous_link
    assert "sort=price_desc" in previous_link


def test_a_category_that_fits_one_page_has_no_pagination(session, verified_client):
    category = make_category(session, "grow-kits")
    make_product(session, "Grow kit", category=category)

    page = parse(verified_client.get("/category/grow-kits"))

    assert card_names(page) == ["Grow kit"]
    assert page.select('[rel~="next"], [rel~="prev"]') == []


@pytest.fixture
def sortable_category(session):  # type: ignore[no-untyped-def]
    category = make_category(session, "mixed")
    for name, price, days_old in [
        ("Mexicana", 1495, 30),
        ("albino A+", 2495, 2),
        ("Dragon's Tongue", 995, 10),
        ("Golden Teacher", 1995, 20),
    ]:
        make_product(
            session, name, category=category, price_cents=price, now=CREATED - timedelta(days_old)
        )
    return category


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["albino A+", "Dragon's Tongue", "Golden Teacher", "Mexicana"]),
        ("price", ["Dragon's Tongue", "Mexicana", "Golden Teacher", "albino A+"]),
        ("price_desc", ["albino A+", "Golden Teacher", "Mexicana", "Dragon's Tongue"]),
        ("newest", ["albino A+", "Dragon's Tongue", "Golden Teacher", "Mexicana"]),
    ],
)
def test_a_category_is_sorted_as_asked(verified_client, sortable_category, sort, expected):
    page = parse(verified_client.get(f"/category/mixed?sort={sort}"))

    assert card_names(page) == expected


def test_a_category_is_sorted_by_name_by_default(verified_client, sortable_category):
    page = parse(verified_client.get("/category/mixed"))

    assert card_names(page) == [
        "albino A+",
        "Dragon's Tongue",
        "Golden Teacher",
        "Mexicana",
    ]


def test_a_dutch_visitor_sees_the_category_sorted_by_the_names_shown(session, verified_client):
    category = make_category(session, "mushrooms")
    make_product(session, "Zwavelkop", category=category, name_nl="Zwavelkop")
    # No Dutch name yet: Dutch visitors see the English one and expect it sorted as such.
    make_product(session, "Lion's Mane", category=category, name_nl="")
    make_product(session, "Reishi", category=category, name_nl="Glanzende lakzwam")

    response = verified_client.get("/category/mushrooms", headers={"Accept-Language": "nl"})

    assert card_names(parse(response)) == ["Glanzende lakzwam", "Lion's Mane", "Zwavelkop"]


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=0",
        "page=",
        f"page={10**9}",
        "page=99999999999999999999999",
        "page=1e3",
        "page=2.5",
        "page=%D9%A2",  # an Arabic-Indic digit two
        "page=1&page=2",
        "sort=cheapest",
        "sort=",
        "sort=name%3B%20DROP%20TABLE%20products",
        "sort=price&page=abc",
    ],
)
def test_a_bad_page_or_sort_never_breaks_the_category_page(session, verified_client, query):
    category = make_category(session, "odd")
    make_product(session, "Golden Teacher", category=category)

    response = verified_client.get(f"/category/odd?{query}")

    assert response.status_code in {200, 404}
    page = parse(response)
    if response.status_code == 200:
        assert card_names(page) == ["Golden Teacher"]
    else:
        assert "Page not found" in page.texts("h1")


def test_a_page_past_the_end_of_a_category_is_not_found(session, verified_client):
    category = make_category(session, "small")
    make_product(session, "Golden Teacher", category=category)

    assert verified_client.get("/category/small?page=2").status_code == 404
    assert verified_client.get("/category/small?page=9999").status_code == 404


def test_an_empty_category_still_has_its_first_page(session, verified_client):
    make_category(session, "coming-soon")

    response = verified_client.get("/category/coming-soon")

    assert response.status_code == 200
    assert card_names(parse(response)) == []


def test_an_unknown_category_is_not_found(verified_client):
    response = verified_client.get("/category/no-such-category")

    assert response.status_code == 404
    assert "Page not found" in parse(response).texts("h1")


def test_a_category_lists_only_its_published_products(session, verified_client):
    category = make_category(session, "truffles")
    make_product(session, "On sale", category=category)
    make_product(session, "Draft", category=category, publish=False)
    withdrawn = make_product(session, "Withdrawn", category=category)
    unpublish_product(session, withdrawn.id, now=CREATED)
    make_product(session, "Elsewhere")

    page = parse(verified_client.get("/category/truffles"))

    assert card_names(page) == ["On sale"]
    assert page.texts("main .count") == ["1 product"]


# --- home ----------------------------------------------------------------------------------


def test_home_lists_the_categories_and_only_featured_products_on_sale(session, verified_client):
    truffles = make_category(session, "truffles", name_en="Magic truffles")
    make_category(session, "kits", name_en="Microdosing kits")
    make_product(session, "Featured truffle", category=truffles, is_featured=True)
    make_product(session, "Ordinary truffle", category=truffles)
    make_product(session, "Featured draft", category=truffles, is_featured=True, publish=False)
    withdrawn = make_product(session, "Featured withdrawn", category=truffles, is_featured=True)
    unpublish_product(session, withdrawn.id, now=CREATED)

    response = verified_client.get("/")

    assert response.status_code == 200
    page = parse(response)
    main = page.one("main").get_text()
    assert "Magic truffles" in main
    assert "Microdosing kits" in main
    assert card_names(page) == ["Featured truffle"]


def test_home_shows_featured_prices_in_dutch_to_a_dutch_visitor(session, verified_client):
    make_product(session, "Featured truffle", price_cents=1250, is_featured=True)

    page = parse(verified_client.get("/", headers={"Accept-Language": "nl"}))

    assert f"€{NBSP}12,50" in exact_texts(page, "main .price")


# --- operations ----------------------------------------------------------------------------


def test_health_check_answers_ok_without_the_age_gate(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["status"] == "ok"


def test_robots_txt_is_plain_text_without_the_age_gate(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "User-agent: *" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/products/a%00b", "/search?q=a%00b", "/category/x%00", "/orders/%00/pay"]
)
def test_a_nul_character_in_the_address_is_a_clean_400(verified_client, path):
    response = verified_client.get(path)

    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
