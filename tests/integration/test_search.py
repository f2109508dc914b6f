"""Search as a visitor uses it: words find products, and no input can break the page."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from shop.services.products import unpublish_product
from tests.helpers import CREATED, make_category, make_product
from tests.pages import Page


def names_in(page: Page) -> list[str]:
    """The names of the products listed, in order."""
    return page.texts("li.product-card a")


def search(client, query: str, **params: object) -> Page:  # type: ignore[no-untyped-def]
    response = client.get("/search?" + urlencode({"q": query, **params}))
    assert response.status_code == 200, response.status_code
    return Page.of(response)


def found(client, query: str, **params: object) -> list[str]:  # type: ignore[no-untyped-def]
    return names_in(search(client, query, **params))


@pytest.fixture
def catalogue(session):  # type: ignore[no-untyped-def]
    """A small shop: truffles and a grow kit, with English and Dutch names."""
    truffles = make_category(session, "truffles")
    make_product(
        session,
        "Golden Teacher truffles",
        category=truffles,
        name_nl="Golden Teacher truffels",
        summary_en="A classic, mild and friendly.",
    )
    make_product(
        session,
        "Mexicana truffles",
        category=truffles,
        name_nl="Mexicaanse truffels",
        summary_en="The gentlest magic truffle.",
    )
    make_product(
        session,
        "Lion's Mane capsules",
        name_nl="Pruikzwam capsules",
        summary_en="Medicinal mushroom extract.",
        description_md_en="Made from **organic** fruiting bodies.",
    )
    make_product(session, "Grow kit Golden Halo", name_nl="Kweekset Golden Halo")
    return truffles


def test_a_word_of_the_name_finds_the_product(verified_client, catalogue):
    assert found(verified_client, "teacher") == ["Golden Teacher truffles"]


def test_search_ignores_case(verified_client, catalogue):
    assert found(verified_client, "TEACHER") == ["Golden Teacher truffles"]


def test_a_name_match_ranks_above_a_description_only_match(session, verified_client):
    # Made first, so the order by id alone would put it on top.
    make_product(
        session,
        "Mckennaii truffles",
        summary_en="Strong and fast.",
        description_md_en="A golden colour after drying, and a golden taste.",
    )
    make_product(session, "Golden Teacher truffles", summary_en="A classic.")

    assert found(verified_client, "golden") == ["Golden Teacher truffles", "Mckennaii truffles"]


def test_dutch_words_find_dutch_names(verified_client, catalogue):
    assert found(verified_client, "pruikzwam") == ["Lion's Mane capsules"]
    assert found(verified_client, "kweekset") == ["Grow kit Golden Halo"]
    assert sorted(found(verified_client, "truffels")) == [
        "Golden Teacher truffles",
        "Mexicana truffles",
    ]


def test_a_dutch_visitor_sees_the_dutch_names_of_what_was_found(verified_client, catalogue):
    response = verified_client.get("/search?q=pruikzwam", headers={"Accept-Language": "nl"})

    assert names_in(Page.of(response)) == ["Pruikzwam capsules"]


def test_the_start_of_a_word_is_enough(verified_client, catalogue):
    assert sorted(found(verified_client, "truf")) == [
        "Golden Teacher truffles",
        "Mexicana truffles",
    ]
    assert found(verified_client, "caps") == ["Lion's Mane capsules"]


def test_summaries_and_descriptions_are_searched_too(verified_client, catalogue):
    assert found(verified_client, "gentlest") == ["Mexicana truffles"]
    assert found(verified_client, "organic") == ["Lion's Mane capsules"]


def test_every_word_must_match(verified_client, catalogue):
    assert sorted(found(verified_client, "golden")) == [
        "Golden Teacher truffles",
        "Grow kit Golden Halo",
    ]
    assert found(verified_client, "golden teacher") == ["Golden Teacher truffles"]
    assert found(verified_client, "teacher golden") == ["Golden Teacher truffles"]
    assert found(verified_client, "golden capsules") == []


def test_unpublished_products_never_appear(session, verified_client):
    make_product(session, "Golden Teacher truffles")
    make_product(session, "Golden draft", publish=False)
    withdrawn = make_product(session, "Golden withdrawn")
    unpublish_product(session, withdrawn.id, now=CREATED)

    assert found(verified_client, "golden") == ["Golden Teacher truffles"]
    assert found(verified_client, "draft") == []
    assert found(verified_client, "withdrawn") == []


def test_a_renamed_product_is_found_by_its_new_name_only(session, verified_client):
    product = make_product(session, "Golden Teacher truffles", summary_en="A classic.")

    product.name_en = product.name_nl = "Tampanensis truffles"
    session.commit()

    assert found(verified_client, "tampanensis") == ["Tampanensis truffles"]
    assert found(verified_client, "teacher") == []


def test_a_search_without_words_asks_for_one(verified_client, catalogue):
    for query in ("", "   "):
        response = verified_client.get("/search?" + urlencode({"q": query}))

        assert response.status_code == 200
        assert names_in(Page.of(response)) == []


def test_a_search_without_q_asks_for_a_word(verified_client, catalogue):
    response = verified_client.get("/search")

    assert response.status_code == 200
    assert "Type a word to search the shop." in response.get_data(as_text=True)


# --- hostile input ------------------------------------------------------------------------

# Query-language syntax of FTS5 and tsquery, SQL, and odd characters around real words.
HOSTILE_AROUND_REAL_WORDS = [
    '"golden teacher',
    'golden" teacher"',
    "golden' teacher",
    "'golden' 'teacher'",
    "golden* teacher*",
    "*golden *teacher",
    "golden -teacher",
    "-golden teacher",
    "golden:teacher",
    "golden&|!teacher",
    "golden & teacher | !",
    ")(golden)(teacher(",
    "{golden} [teacher]",
    "golden^teacher~",
    "golden\\teacher",
    "🍄 golden 🌈 teacher 🧙",
    "golden\u200bteacher",
    "golden;teacher",
    "golden%teacher_",
    "  golden\t\nteacher  ",
    "golden teacher " + '"*()&|!:^' * 1000,
]


@pytest.mark.parametrize("query", HOSTILE_AROUND_REAL_WORDS)
def test_syntax_around_real_words_is_ignored_and_the_words_still_find(
    verified_client, catalogue, query
):
    assert found(verified_client, query) == ["Golden Teacher truffles"]


HOSTILE_ON_THEIR_OWN = [
    '"',
    "'",
    "*",
    '""',
    "NEAR(",
    "NEAR(golden teacher, 2)",
    "golden OR xyzzy",
    "name_en:golden",
    "<script>alert(1)</script> golden",
    "golden AND NOT teacher",
    "OR",
    "AND",
    "NOT",
    "-",
    ":",
    ":*",
    "&|!",
    ")(",
    "'; DROP TABLE products; --",
    "1' OR '1'='1",
    "🍄🍄🍄",
    "_",
    "__init__",
    "½ ² ⅷ",
    "漢字",
    "x" * 10_000,
    "golden " * 2_000,
    "ab " * 4_000,
]


def test_hostile_input_answers_a_normal_results_page(verified_client, catalogue):
    # One loop rather than a parameter each: the point is "never a 500", and it keeps the
    # suite fast on PostgreSQL.
    for query in HOSTILE_ON_THEIR_OWN:
        page = search(verified_client, query)

        # The shop's own script (the cards' add to cart) is the only one, and has no body.
        scripts = page.select("script")
        sources = [(s.get("src", "").split("?v=")[0], s.string) for s in scripts]
        assert sources == [("/static/js/cart.js", None)]
        assert any(not h1.attrs for h1 in page.select("h1")), repr(query)


def test_operators_are_plain_words_not_query_syntax(verified_client, catalogue):
    # As query syntax, OR would find golden products and NOT would remove the teacher.
    assert found(verified_client, "golden OR xyzzy") == []
    assert found(verified_client, "golden NOT teacher") == []


def test_sql_in_the_query_leaves_the_catalogue_intact(verified_client, catalogue):
    search(verified_client, "'; DROP TABLE products; --")
    search(verified_client, '"; DELETE FROM products; --')

    assert found(verified_client, "mexicana") == ["Mexicana truffles"]


def test_the_query_is_shown_back_as_text(verified_client, catalogue):
    response = verified_client.get("/search?" + urlencode({"q": '<b onmouseover="x">golden'}))

    html = response.get_data(as_text=True)
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=" in html


# --- pagination --------------------------------------------------------------------------


def test_search_results_are_paginated(session, verified_client):
    category = make_category(session)
    for n in range(1, 31):
        make_product(session, f"Truffle {n:02}", category=category)

    first = search(verified_client, "truffle")
    second = search(verified_client, "truffle", page=2)

    assert len(names_in(first)) == 24
    assert len(names_in(second)) == 6
    assert sorted(names_in(first) + names_in(second)) == [f"Truffle {n:02}" for n in range(1, 31)]
    next_links = first.attributes('[rel~="next"]', "href")
    assert len(next_links) == 1
    assert "q=truffle" in next_links[0]
    assert "page=2" in next_links[0]
    assert second.select('[rel~="next"]') == []


def test_a_bad_search_page_never_breaks(verified_client, catalogue):
    for page in ["abc", "-1", "0", "1e3", str(10**9), "3", "99999", "٢"]:
        response = verified_client.get("/search?" + urlencode({"q": "golden", "page": page}))

        assert response.status_code in {200, 404}, page


def test_a_nul_character_in_the_query_is_a_clean_400(verified_client, catalogue):
    response = verified_client.get("/search?q=golden%00teacher")

    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
