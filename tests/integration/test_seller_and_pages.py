"""Who sells and the information pages: the seller in every footer, the contact, shipping,
returns and FAQ pages in both languages, staff editing them (audited), and the icons."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select

from shop import create_app
from shop.extensions import db
from shop.models import AuditEntry, Role, ShopPage
from tests.admin_support import signed_in
from tests.conftest import _migrate, settings_for
from tests.helpers import make_product
from tests.pages import Page, words

INFO_PAGES = ["/contact", "/shipping", "/returns", "/faq"]
TITLES = {
    ("/contact", "en"): "Contact",
    ("/contact", "nl"): "Contact",
    ("/shipping", "en"): "Shipping and delivery",
    ("/shipping", "nl"): "Verzending en levering",
    ("/returns", "en"): "Returns and the right of withdrawal",
    ("/returns", "nl"): "Retourneren en herroepingsrecht",
    ("/faq", "en"): "Frequently asked questions",
    ("/faq", "nl"): "Veelgestelde vragen",
}


def page_in(client, path: str, language: str) -> Page:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, (path, response.status_code)
    return Page.of(response)


@pytest.fixture
def manager(app, session):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    browser.member = signed_in(browser, session, Role.MANAGER)
    return browser


# --- the footer --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/cart", "/articles", "/products/{slug}", "/contact"])
def test_every_storefront_page_names_the_seller_in_its_footer(session, verified_client, path):
    product = make_product(session, "Mexicana 10 g")

    footer = page_in(verified_client, path.format(slug=product.slug), "en").one("footer")

    text = words(footer.get_text(" "))
    assert "Testpaddo B.V." in text
    assert "KvK 12345678" in text
    assert "VAT id NL123456789B01" in text
    links = [a["href"] for a in footer.select("a")]
    assert "mailto:hallo@testpaddo.example" in links
    assert {"/contact", "/shipping", "/returns", "/faq", "/legal/terms"} <= set(links)


def test_the_age_gate_names_the_seller_too(client):
    footer = page_in(client, "/age-gate", "nl").one("footer")

    assert "Testpaddo B.V." in footer.get_text()
    assert "Btw-id NL123456789B01" in words(footer.get_text(" "))


# --- the pages, in both languages, before the gate ----------------------------------------


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("path", INFO_PAGES)
def test_each_information_page_opens_before_the_age_gate_in_both_languages(client, path, language):
    page = page_in(client, path, language)

    assert page.one("h1").get_text(strip=True) == TITLES[(path, language)]
    assert page.one("html")["lang"] == language
    assert len(page.one(".info-page-body").get_text()) > 300


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_contact_page_gives_the_seller_in_full(client, language):
    page = page_in(client, "/contact", language)

    details = words(page.one(".seller").get_text(" "))
    for value in ("Testpaddo B.V.", "Proefweg 7", "3511 AA Utrecht", "12345678", "NL123456789B01"):
        assert value in details
    assert ("Netherlands" if language == "en" else "Nederland") in details
    assert "mailto:hallo@testpaddo.example" in page.attributes(".seller a", "href")


def test_a_phone_number_is_a_link_to_call(database_url):
    app = create_app(settings_for(database_url, SHOP_SELLER_PHONE="+31 30 123 4567"))
    with app.app_context():
        page = page_in(app.test_client(), "/contact", "en")
        db.engine.dispose()

    assert "tel:+31301234567" in page.attributes(".seller a", "href")


@pytest.mark.parametrize(
    ("language", "heading", "opening"),
    [
        ("en", "Model withdrawal form", "withdraw from my/our (*) purchase"),
        ("nl", "Modelformulier voor herroeping", "de koop van de volgende producten"),
    ],
)
def test_the_returns_page_has_the_withdrawal_form_addressed_to_the_seller(
    client, language, heading, opening
):
    form = page_in(client, "/returns", language).one(".withdrawal-form")

    text = words(form.get_text(" "))
    assert heading in text
    assert opening in text
    assert "Testpaddo B.V." in text
    assert "Proefweg 7, 3511 AA Utrecht" in text
    assert "hallo@testpaddo.example" in text


def test_staff_cannot_open_a_page_that_is_not_one_of_the_four(manager):
    assert manager.get("/admin/pages/nothing").status_code == 404
    assert manager.post("/admin/pages/nothing", data={}).status_code in {400, 404}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_terms_name_the_seller_and_cover_what_a_customer_needs(client, language):
    page = page_in(client, "/legal/terms", language)

    text = words(page.text)
    assert "Testpaddo B.V." in text
    assert "12345678" in text
    assert len(page.select("article h2")) >= 8
    assert "/returns" in page.attributes("article a", "href")


# --- staff edit them -----------------------------------------------------------------------


def edit_form(browser, slug: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = browser.get(f"/admin/pages/{slug}")
    assert response.status_code == 200
    return Page.of(response).form(f'form[action="/admin/pages/{slug}"]')


def test_a_manager_changes_the_faq_and_visitors_read_the_new_text(manager, session, client):
    fields = edit_form(manager, "faq")
    fields["body_md_nl"] = "## Bezorgen jullie op zaterdag?\n\nJa, in heel Nederland."
    fields["title_nl"] = "Vragen en antwoorden"

    response = manager.post("/admin/pages/faq", data=fields)

    assert response.status_code == 303
    page = page_in(client, "/faq", "nl")
    assert page.one("h1").get_text(strip=True) == "Vragen en antwoorden"
    assert "Ja, in heel Nederland." in page.one(".info-page-body").get_text()
    assert page_in(client, "/faq", "en").one("h1").get_text(strip=True) == (
        "Frequently asked questions"
    )
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "ShopPage")).one()
    changes = json.loads(entry.changes)
    assert entry.staff_email == manager.member.email
    assert set(changes) == {"body_md_nl", "title_nl"}
    assert changes["title_nl"] == ["Veelgestelde vragen", "Vragen en antwoorden"]


def test_saving_an_untouched_page_changes_nothing_and_audits_nothing(manager, session):
    response = manager.post("/admin/pages/returns", data=edit_form(manager, "returns"))

    assert response.status_code == 303
    assert "Nothing changed." in manager.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        session.scalars(select(AuditEntry).where(AuditEntry.object_type == "ShopPage")).all() == []
    )


def test_a_page_without_a_title_is_refused_next_to_the_field(manager, client):
    fields = {**edit_form(manager, "shipping"), "title_en": "  "}

    response = manager.post("/admin/pages/shipping", data=fields)

    assert response.status_code == 422
    error = Page.of(response).texts('p.field-error[id="f-title_en-error"]')
    assert error == ["Please give the page a title."]
    assert page_in(client, "/shipping", "en").one("h1").get_text(strip=True) == (
        "Shipping and delivery"
    )


def test_html_in_a_page_is_shown_as_text_not_run(manager, client):
    fields = {**edit_form(manager, "faq"), "body_md_en": "<script>alert(1)</script> Hello"}

    assert manager.post("/admin/pages/faq", data=fields).status_code == 303

    body = page_in(client, "/faq", "en").one(".info-page-body")
    assert body.select("script") == []
    assert "Hello" in body.get_text()


def test_a_viewer_reads_the_pages_but_may_not_save_them(app, session):
    viewer = app.test_client()
    signed_in(viewer, session, Role.VIEWER)

    assert viewer.get("/admin/pages").status_code == 200
    fields = edit_form(viewer, "contact")
    assert viewer.post("/admin/pages/contact", data=fields).status_code == 403


def test_the_back_office_lists_the_four_pages(manager):
    page = Page.of(manager.get("/admin/pages"))

    assert page.texts("table.pages-table th a") == [
        "Contact",
        "Shipping and delivery",
        "Returns and the right of withdrawal",
        "Frequently asked questions",
    ]


def test_the_migrations_make_the_four_pages_with_their_default_texts(tmp_path):
    """Made by migration 0013, not by the demo: a fresh production shop has them."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _migrate(url)

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = dict(connection.execute(select(ShopPage.slug, ShopPage.title_nl)).all())
    finally:
        engine.dispose()
    assert rows == {
        "contact": "Contact",
        "shipping": "Verzending en levering",
        "returns": "Retourneren en herroepingsrecht",
        "faq": "Veelgestelde vragen",
    }


# --- the icons -----------------------------------------------------------------------------


def test_the_favicon_answers_a_visitor_who_has_not_passed_the_gate(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response.mimetype.startswith("image/")
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_names_its_icons_and_the_manifest_lists_them(client):
    page = page_in(client, "/age-gate", "en")

    assert page.attributes('link[rel="icon"]', "href")
    (touch,) = page.attributes('link[rel="apple-touch-icon"]', "href")
    (manifest_url,) = page.attributes('link[rel="manifest"]', "href")
    assert client.get(touch).mimetype == "image/png"
    manifest = client.get(manifest_url)
    assert manifest.status_code == 200
    sizes = {icon["sizes"] for icon in json.loads(manifest.data)["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in json.loads(manifest.data)["icons"]:
        assert client.get(icon["src"]).status_code == 200


@pytest.mark.parametrize("path", INFO_PAGES)
def test_an_information_page_costs_one_query_besides_the_category_menu(verified_client, path):
    from tests.integration.test_query_counts import counting_queries

    with counting_queries() as queries:
        assert verified_client.get(path).status_code == 200

    assert len([q for q in queries if "FROM pages" in q]) == 1
    assert len(queries) == 2, queries
