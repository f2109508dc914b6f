"""The catalogue as a visitor sees it: home, category pages, product pages, operations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from shop.services.products import AllergyDraft, DisclaimerDraft, unpublish_product
from tests.helpers import CREATED, make_category, make_product

NBSP = "\u00a0"
HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]


@dataclass
class TextNode:
    text: str
    ancestors: list[Element]


class ParsedPage(HTMLParser):
    """The page as a browser builds it: every element, and each text with its ancestors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.texts: list[TextNode] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in VOID_TAGS:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip():
            # Collapse HTML whitespace only: a no-break space (as in "€ 12,50") is kept.
            self.texts.append(TextNode(HTML_SPACE.sub(" ", data).strip(), list(self._open)))

    def text_index(self, words: str) -> int:
        """Where in reading order the first text containing `words` is (-1 when absent)."""
        return next((i for i, node in enumerate(self.texts) if words in node.text), -1)

    def node(self, words: str) -> TextNode:
        index = self.text_index(words)
        assert index >= 0, f"{words!r} is not on the page"
        return self.texts[index]

    def texts_inside(self, tag: str) -> list[str]:
        return [node.text for node in self.texts if any(e.tag == tag for e in node.ancestors)]

    def product_card_names(self) -> list[str]:
        """The product names of the listing, in the order shown."""
        return [
            node.text
            for node in self.texts
            if node.ancestors[-1].tag == "a"
            and any("product-card" in (e.attrs.get("class") or "") for e in node.ancestors)
        ]


def parse(response) -> ParsedPage:  # type: ignore[no-untyped-def]
    page = ParsedPage()
    page.feed(response.get_data(as_text=True))
    page.close()
    return page


def assert_shown_openly(page: ParsedPage, words: str) -> None:
    """The words are in the page's main content, not folded away or hidden."""
    node = page.node(words)
    tags = [e.tag for e in node.ancestors]
    assert "main" in tags, f"{words!r} is outside the main content"
    for element in node.ancestors:
        assert element.tag != "details", f"{words!r} is behind a click (<details>)"
        assert "hidden" not in element.attrs, f"{words!r} is hidden"
        assert element.attrs.get("aria-hidden") != "true", f"{words!r} is aria-hidden"
        style = (element.attrs.get("style") or "").replace(" ", "").lower()
        assert "display:none" not in style and "visibility:hidden" not in style


# --- product page -------------------------------------------------------------------------


def test_product_page_shows_name_and_dutch_price_to_a_dutch_visitor(session, verified_client):
    product = make_product(session, "Golden Teacher 15 g", price_cents=1250)

    response = verified_client.get(f"/products/{product.slug}", headers={"Accept-Language": "nl"})

    assert response.status_code == 200
    page = parse(response)
    assert "Golden Teacher 15 g" in page.texts_inside("h1")
    assert f"€{NBSP}12,50" in page.texts_inside("main")


def test_product_page_shows_english_price_to_an_english_visitor(session, verified_client):
    product = make_product(session, price_cents=1250)

    response = verified_client.get(f"/products/{product.slug}", headers={"Accept-Language": "en"})

    assert "€12.50" in parse(response).texts_inside("main")


@pytest.mark.parametrize(
    ("stock", "state"), [(40, "In stock"), (6, "In stock"), (3, "Only 3 left"), (0, "Sold out")]
)
def test_product_page_shows_the_stock_state(session, verified_client, stock, state):
    product = make_product(session, stock=stock)

    page = parse(verified_client.get(f"/products/{product.slug}"))

    assert state in page.texts_inside("main")


def test_a_product_for_older_customers_shows_its_age_badge(session, verified_client):
    product = make_product(session, "Philosopher's Stone", min_age=21)

    page = parse(verified_client.get(f"/products/{product.slug}"))

    assert page.texts_inside("h1") == ["Philosopher's Stone", "21+"]


def test_a_product_for_every_adult_has_no_age_badge(session, verified_client):
    product = make_product(session, "Golden Teacher 15 g", min_age=18)

    page = parse(verified_client.get(f"/products/{product.slug}"))

    assert page.texts_inside("h1") == ["Golden Teacher 15 g"]


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

    description_at = page.text_index("Grown in the Netherlands")
    assert description_at >= 0
    for words in (
        "Not medical advice.",
        "Start with a low dose.",
        "Sold for adults only.",
        "Do not use if you are allergic to mushrooms.",
        "Fungi (mushrooms)",
        "Cereals containing gluten",
    ):
        assert_shown_openly(page, words)
        assert page.text_index(words) < description_at, f"{words!r} comes after the description"


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
    assert page.text_index("Do not use if you are allergic") == -1


def test_an_unknown_product_is_not_found_in_the_shops_style(verified_client):
    response = verified_client.get("/products/no-such-truffle")

    assert response.status_code == 404
    page = parse(response)
    assert any("site-header" in (e.attrs.get("class") or "") for e in page.elements)
    assert "Page not found" in page.texts_inside("h1")


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

    assert "slowly" in page.texts_inside("strong")
    assert "dried" in page.texts_inside("li")
    links = [e.attrs.get("href") for e in page.elements if e.tag == "a"]
    assert "https://example.org/" in links


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
    tags = {e.tag for e in page.elements}
    assert not tags & {"script", "iframe", "svg", "object", "embed"}
    for element in page.elements:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), f"live event attribute {name}={value!r}"
            if name in {"href", "src"}:
                assert not (value or "").strip().lower().startswith("javascript:")
    assert "Outro." in page.texts_inside("main")


# --- category pages ------------------------------------------------------------------------


def test_a_category_shows_24_products_per_page_and_page_2_shows_the_rest(session, verified_client):
    category = make_category(session, "truffles")
    names = [f"Truffle {n:02}" for n in range(1, 31)]
    for name in names:
        make_product(session, name, category=category)

    first = parse(verified_client.get("/category/truffles"))
    second_response = verified_client.get("/category/truffles?page=2")
    second = parse(second_response)

    assert first.product_card_names() == names[:24]
    assert second_response.status_code == 200
    assert second.product_card_names() == names[24:]
    assert "30 products" in first.texts_inside("main")


def test_category_pagination_links_lead_to_the_next_and_previous_page(session, verified_client):
    category = make_category(session, "kits")
    for n in range(1, 27):
        make_product(session, f"Kit {n:02}", category=category, price_cents=100 * n)

    first = parse(verified_client.get("/category/kits?sort=price_desc"))
    next_link = next(e for e in first.elements if e.attrs.get("rel") == "next")
    second = parse(verified_client.get(next_link.attrs["href"]))
    previous_link = next(e for e in second.elements if e.attrs.get("rel") == "prev")

    assert "Page 1 of 2" in first.texts_inside("nav")
    assert not any(e.attrs.get("rel") == "prev" for e in first.elements)
    # The sort order is kept from page to page.
    assert second.product_card_names() == ["Kit 02", "Kit 01"]
    assert not any(e.attrs.get("rel") == "next" for e in second.elements)
    assert "page=1" in previous_link.attrs["href"]
    assert "sort=price_desc" in previous_link.attrs["href"]


def test_a_category_that_fits_one_page_has_no_pagination(session, verified_client):
    category = make_category(session, "grow-kits")
    make_product(session, "Grow kit", category=category)

    page = parse(verified_client.get("/category/grow-kits"))

    assert page.product_card_names() == ["Grow kit"]
    assert not any(e.attrs.get("rel") in {"next", "prev"} for e in page.elements)


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

    assert page.product_card_names() == expected


def test_a_category_is_sorted_by_name_by_default(verified_client, sortable_category):
    page = parse(verified_client.get("/category/mixed"))

    assert page.product_card_names() == [
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

    assert parse(response).product_card_names() == ["Glanzende lakzwam", "Lion's Mane", "Zwavelkop"]


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
        assert page.product_card_names() == ["Golden Teacher"]
    else:
        assert "Page not found" in page.texts_inside("h1")


def test_a_page_past_the_end_of_a_category_is_not_found(session, verified_client):
    category = make_category(session, "small")
    make_product(session, "Golden Teacher", category=category)

    assert verified_client.get("/category/small?page=2").status_code == 404
    assert verified_client.get("/category/small?page=9999").status_code == 404


def test_an_empty_category_still_has_its_first_page(session, verified_client):
    make_category(session, "coming-soon")

    response = verified_client.get("/category/coming-soon")

    assert response.status_code == 200
    assert parse(response).product_card_names() == []


def test_an_unknown_category_is_not_found(verified_client):
    response = verified_client.get("/category/no-such-category")

    assert response.status_code == 404
    assert "Page not found" in parse(response).texts_inside("h1")


def test_a_category_lists_only_its_published_products(session, verified_client):
    category = make_category(session, "truffles")
    make_product(session, "On sale", category=category)
    make_product(session, "Draft", category=category, publish=False)
    withdrawn = make_product(session, "Withdrawn", category=category)
    unpublish_product(session, withdrawn.id, now=CREATED)
    make_product(session, "Elsewhere")

    page = parse(verified_client.get("/category/truffles"))

    assert page.product_card_names() == ["On sale"]
    assert "1 product" in page.texts_inside("main")


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
    main = page.texts_inside("main")
    assert "Magic truffles" in main
    assert "Microdosing kits" in main
    assert page.product_card_names() == ["Featured truffle"]


def test_home_shows_featured_prices_in_dutch_to_a_dutch_visitor(session, verified_client):
    make_product(session, "Featured truffle", price_cents=1250, is_featured=True)

    page = parse(verified_client.get("/", headers={"Accept-Language": "nl"}))

    assert f"€{NBSP}12,50" in page.texts_inside("main")


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
