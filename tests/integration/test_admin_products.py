"""Products in the back office: the list, the form with its warnings, publishing, the price
history and the audit log, as a staff member uses them.

Forms are filled the way a browser fills them: the page is loaded, the values it shows are
read from its HTML, a few are changed, and the whole form is sent back.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from shop.models import (
    AcknowledgedWarning,
    AllergyStatement,
    AuditEntry,
    Disclaimer,
    OrderLine,
    PriceChange,
    Product,
    Role,
)
from shop.rules.input import Unreadable, parse_euros
from tests.admin_support import signed_in
from tests.helpers import make_category, make_product
from tests.integration.payment_support import place
from tests.pages import Page

NEW = "/admin/products/new"

DOSAGE_EN = "Start with a low dose and wait two hours before taking more."
DOSAGE_NL = "Begin met een lage dosis en wacht twee uur voordat je meer neemt."
FUNGI_EN = "Do not use if you are allergic to mushrooms."
FUNGI_NL = "Niet gebruiken als je allergisch bent voor paddenstoelen."


# --- a browser's view of a form ----------------------------------------------------------


def form_on(client: Any, page: str, action: str | None = None) -> dict[str, str]:
    """The fields of the product form on `page`, as the browser would send them."""
    response = client.get(page)
    assert response.status_code == 200, response.status_code
    fields = Page.of(response).form(f'form[action="{action or page}"]')
    assert "csrf_token" in fields, "no CSRF token in the form"
    return fields


def submit(client: Any, url: str, fields: dict[str, str], **changes: str) -> Any:
    """Send the form to `url` with some fields changed, as the browser would."""
    return client.post(url, data={**fields, **changes})


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def followed(client: Any, response: Any) -> str:
    assert response.status_code == 303, (response.status_code, text_of(response)[:2000])
    return text_of(client.get(response.headers["Location"]))


def field_error(html: str, name: str) -> str | None:
    found = Page(html).texts(f'p.field-error[id="f-{name}-error"]')
    return found[0] if found else None


def product_by_slug(session, slug: str) -> Product | None:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(Product).where(Product.slug == slug))


def audit_of(session, product_id: int) -> list[tuple[str, dict[str, list[Any]], str]]:  # type: ignore[no-untyped-def]
    session.rollback()
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "Product", AuditEntry.object_id == str(product_id))
        .order_by(AuditEntry.id)
    )
    return [(entry.action, json.loads(entry.changes), entry.staff_email) for entry in entries]


@pytest.fixture
def staff(app, session):  # type: ignore[no-untyped-def]
    """A signed-in manager's browser."""
    browser = app.test_client()
    browser.member = signed_in(browser, session, Role.MANAGER)
    return browser


def new_product_fields(staff, category, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    fields = form_on(staff, NEW)
    fields.update(
        name_en="Golden Teacher truffles 15 g",
        name_nl="Golden Teacher truffels 15 g",
        category_id=str(category.id),
        summary_en="Our mildest truffle.",
        price="19,95",
        stock="12",
    )
    fields.update(changes)
    return fields


def with_warnings(fields: dict[str, str]) -> dict[str, str]:
    return {
        **fields,
        "disclaimers-0-kind": "dosage",
        "disclaimers-0-text_en": DOSAGE_EN,
        "disclaimers-0-text_nl": DOSAGE_NL,
        "allergy_mode": "listed",
        "allergen-fungi": "contains",
        "allergy_warning_en": FUNGI_EN,
        "allergy_warning_nl": FUNGI_NL,
    }


# --- creating and publishing -------------------------------------------------------------


def test_publishing_without_warnings_is_refused_with_the_reason_and_the_product_kept_as_draft(
    staff, session, verified_client
):
    category = make_category(session, slug="truffles")

    response = submit(staff, NEW, new_product_fields(staff, category), publish="yes")

    page = followed(staff, response)
    assert "Saved as a draft, not published." in page
    assert "a disclaimer (in English and Dutch)" in page
    assert "an allergy statement" in page
    product = product_by_slug(session, "golden-teacher-truffles-15-g")
    assert product is not None and product.is_active is False
    assert product.price_cents == 1995 and product.stock == 12
    assert verified_client.get(f"/products/{product.slug}").status_code == 404


def test_adding_the_warnings_publishes_the_product_and_customers_see_them(
    staff, session, verified_client
):
    category = make_category(session, slug="truffles")
    followed(staff, submit(staff, NEW, new_product_fields(staff, category), publish="yes"))
    product = product_by_slug(session, "golden-teacher-truffles-15-g")
    assert product is not None
    edit = f"/admin/products/{product.id}"

    response = submit(staff, edit, with_warnings(form_on(staff, edit)), publish="yes")

    assert "Saved. The product is in the shop." in followed(staff, response)
    product = product_by_slug(session, product.slug)
    assert product is not None and product.is_active is True
    shop_page = text_of(verified_client.get(f"/products/{product.slug}"))
    assert "Golden Teacher truffles 15 g" in shop_page
    assert DOSAGE_EN in shop_page
    assert FUNGI_EN in shop_page


def test_a_complete_new_product_is_published_at_once(staff, session, verified_client):
    category = make_category(session, slug="truffles")

    response = submit(staff, NEW, with_warnings(new_product_fields(staff, category)), publish="yes")

    assert "Saved. The product is in the shop." in followed(staff, response)
    assert verified_client.get("/products/golden-teacher-truffles-15-g").status_code == 200


def test_a_viewer_sees_the_list_and_the_product_but_may_not_save(app, session):
    product = make_product(session, "Psilocybe Tampanensis 15 g")
    viewer = app.test_client()
    signed_in(viewer, session, Role.VIEWER)
    edit = f"/admin/products/{product.id}"

    listing = text_of(viewer.get("/admin/products"))
    page = viewer.get(edit)
    saving = submit(viewer, edit, form_on(viewer, edit), price="1,00")

    assert "Psilocybe Tampanensis 15 g" in listing
    assert page.status_code == 200
    assert '<fieldset class="form-body" disabled>' in text_of(page)
    assert 'value="save"' not in text_of(page)
    assert saving.status_code == 403
    assert viewer.get(NEW).status_code == 403
    assert product_by_slug(session, product.slug).price_cents == 1995  # type: ignore[union-attr]


def test_saving_an_unchanged_form_changes_nothing(staff, session):
    product = make_product(session)
    edit = f"/admin/products/{product.id}"

    page = followed(staff, submit(staff, edit, form_on(staff, edit)))

    assert "Nothing changed." in page
    assert audit_of(session, product.id) == []


# --- warnings ----------------------------------------------------------------------------


def test_editing_a_disclaimer_makes_a_new_version_and_an_earlier_order_keeps_the_old_text(
    staff, session, verified_client
):
    product = make_product(session, "Golden Teacher truffles 15 g")
    old = session.scalars(select(Disclaimer).where(Disclaimer.product_id == product.id)).one()
    old_id, old_hash, old_text = old.id, old.content_hash, old.text_en
    order = place(session, product)
    edit = f"/admin/products/{product.id}"
    fields = form_on(staff, edit)
    assert fields["disclaimers-0-text_en"] == old_text

    response = submit(
        staff,
        edit,
        fields,
        **{"disclaimers-0-text_en": "Not medical advice. Talk to your doctor first."},
    )

    followed(staff, response)
    session.rollback()
    rows = session.scalars(select(Disclaimer).where(Disclaimer.product_id == product.id)).all()
    assert len(rows) == 1
    assert rows[0].id != old_id
    assert rows[0].content_hash != old_hash
    assert rows[0].text_en == "Not medical advice. Talk to your doctor first."
    assert session.get(Product, product.id).is_active is True  # type: ignore[union-attr]
    kept = session.scalars(
        select(AcknowledgedWarning)
        .join(OrderLine)
        .where(OrderLine.order_id == order.id, AcknowledgedWarning.kind == "health")
    ).one()
    assert kept.content_hash == old_hash
    assert kept.text == old_text
    shop_page = text_of(verified_client.get(f"/products/{product.slug}"))
    assert "Talk to your doctor first." in shop_page
    assert old_text not in shop_page


def test_the_form_offers_blank_rows_for_new_disclaimers_and_emptying_one_removes_it(staff, session):
    product = make_product(session)
    edit = f"/admin/products/{product.id}"
    fields = form_on(staff, edit)
    blank = [i for i in range(1, 4) if fields.get(f"disclaimers-{i}-text_en") == ""]
    assert blank == [1, 2, 3]

    followed(
        staff,
        submit(
            staff,
            edit,
            fields,
            **{
                "disclaimers-1-kind": "dosage",
                "disclaimers-1-text_en": DOSAGE_EN,
                "disclaimers-1-text_nl": DOSAGE_NL,
            },
        ),
    )
    fields = form_on(staff, edit)
    followed(
        staff,
        submit(staff, edit, fields, **{"disclaimers-0-text_en": "", "disclaimers-0-text_nl": ""}),
    )

    session.rollback()
    rows = session.scalars(select(Disclaimer).where(Disclaimer.product_id == product.id)).all()
    assert [(row.kind, row.text_en) for row in rows] == [("dosage", DOSAGE_EN)]


def test_a_disclaimer_in_one_language_only_is_an_error_next_to_it(staff, session):
    product = make_product(session, publish=False)
    edit = f"/admin/products/{product.id}"

    response = submit(
        staff,
        edit,
        form_on(staff, edit),
        **{"disclaimers-1-text_en": DOSAGE_EN, "disclaimers-1-text_nl": ""},
    )

    assert response.status_code == 422
    assert "in English and in Dutch" in (field_error(text_of(response), "disclaimers-1") or "")
    assert DOSAGE_EN in text_of(response)  # what was typed is still there


def test_a_product_in_the_shop_is_not_saved_without_its_warnings(staff, session):
    product = make_product(session)
    edit = f"/admin/products/{product.id}"
    fields = form_on(staff, edit)

    response = submit(
        staff,
        edit,
        fields,
        price="25,00",
        allergy_mode="unstated",
        **{"allergen-fungi": "", "disclaimers-0-text_en": "", "disclaimers-0-text_nl": ""},
    )

    assert response.status_code == 422
    message = field_error(text_of(response), "publish") or ""
    assert "must keep its warnings" in message
    assert "an allergy statement" in message
    session.rollback()
    kept = session.get(Product, product.id)
    assert kept is not None and kept.is_active and kept.price_cents == 1995
    assert len(kept.disclaimers) == 1 and kept.allergy_statement is not None


def test_changing_the_allergy_statement_of_a_product_in_the_shop_replaces_it(staff, session):
    product = make_product(session)
    old_statement = session.scalars(
        select(AllergyStatement).where(AllergyStatement.product_id == product.id)
    ).one()
    old_id, old_hash = old_statement.id, old_statement.content_hash
    edit = f"/admin/products/{product.id}"

    followed(
        staff,
        submit(
            staff, edit, form_on(staff, edit), allergy_mode="none_known", **{"allergen-fungi": ""}
        ),
    )

    session.rollback()
    kept = session.get(Product, product.id)
    assert kept is not None and kept.is_active
    statement = kept.allergy_statement
    assert statement is not None and statement.has_no_known_allergens
    assert (statement.id, statement.content_hash) != (old_id, old_hash)


def test_allergens_must_be_named_with_a_warning_in_both_languages(staff, session):
    category = make_category(session)
    fields = new_product_fields(staff, category, allergy_mode="listed", allergy_warning_en=FUNGI_EN)

    response = submit(staff, NEW, fields)

    html = text_of(response)
    assert response.status_code == 422
    assert "Mark at least one allergen" in (field_error(html, "allergens") or "")
    assert "in Dutch" in (field_error(html, "allergy_warning_nl") or "")
    assert product_by_slug(session, "golden-teacher-truffles-15-g") is None


def test_unticking_in_the_shop_takes_the_product_out(staff, session, verified_client):
    product = make_product(session)
    edit = f"/admin/products/{product.id}"
    fields = form_on(staff, edit)
    fields.pop("publish")

    page = followed(staff, submit(staff, edit, fields))

    assert "The product is not in the shop." in page
    assert verified_client.get(f"/products/{product.slug}").status_code == 404
    assert audit_of(session, product.id)[-1][0] == "unpublish"


# --- price, audit ------------------------------------------------------------------------


def test_a_price_change_is_recorded_in_the_price_history_and_the_audit_log(staff, session):
    product = make_product(session, price_cents=1995)
    edit = f"/admin/products/{product.id}"

    page = followed(staff, submit(staff, edit, form_on(staff, edit), price="21.95"))

    session.rollback()
    prices = session.scalars(
        select(PriceChange.price_cents)
        .where(PriceChange.product_id == product.id)
        .order_by(PriceChange.id)
    ).all()
    assert prices == [1995, 2195]
    ((action, changes, email),) = audit_of(session, product.id)
    assert action == "update"
    assert changes == {"price_cents": [1995, 2195]}
    assert email == staff.member.email
    assert "21,95" in page  # the form shows the new price


def test_every_save_is_in_the_audit_log_with_before_and_after(staff, session):
    category = make_category(session, slug="truffles")
    followed(staff, submit(staff, NEW, new_product_fields(staff, category)))
    product = product_by_slug(session, "golden-teacher-truffles-15-g")
    assert product is not None
    edit = f"/admin/products/{product.id}"
    followed(staff, submit(staff, edit, form_on(staff, edit), stock="3"))
    followed(staff, submit(staff, edit, with_warnings(form_on(staff, edit)), publish="yes"))

    entries = audit_of(session, product.id)

    assert [action for action, _, _ in entries] == ["create", "update", "publish"]
    created, updated, published = (changes for _, changes, _ in entries)
    assert created["name_en"] == [None, "Golden Teacher truffles 15 g"]
    assert created["price_cents"] == [None, 1995]
    assert created["is_active"] == [None, False]
    assert updated == {"stock": [12, 3]}
    assert published["is_active"] == [False, True]
    assert published["disclaimers"][0] == []
    assert DOSAGE_EN in published["disclaimers"][1][0]
    assert published["allergy"][0] is None and "fungi (contains)" in published["allergy"][1]
    assert {email for _, _, email in entries} == {staff.member.email}


def test_a_form_saved_by_someone_else_in_between_is_not_overwritten(app, staff, session):
    product = make_product(session, stock=10)
    edit = f"/admin/products/{product.id}"
    colleague = app.test_client()
    signed_in(colleague, session, Role.MANAGER)
    mine, theirs = form_on(staff, edit), form_on(colleague, edit)
    followed(colleague, submit(colleague, edit, theirs, stock="4"))

    response = submit(staff, edit, mine, price="9,99")

    assert response.status_code == 409
    assert "Someone else saved this product" in text_of(response)
    session.rollback()
    kept = session.get(Product, product.id)
    assert kept is not None and (kept.stock, kept.price_cents) == (4, 1995)


# --- form errors -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["12,505", "-1", "abc", "1e3", "1.234,50", "", "0", "12,50 €"])
def test_a_price_that_is_not_plainly_euros_and_cents_is_a_form_error(staff, session, typed):
    category = make_category(session)

    response = submit(staff, NEW, new_product_fields(staff, category, price=typed))

    assert response.status_code == 422
    assert field_error(text_of(response), "price")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Product)) == 0


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("12,50", 1250), ("12.50", 1250), ("12,5", 1250), ("12", 1200), ("€ 7,05", 705)],
)
def test_prices_are_read_as_euros_and_cents(typed, cents):
    assert parse_euros(typed) == cents


@pytest.mark.parametrize("typed", ["12,505", "-1", "abc", "1e3", "١٢", "1 000", "12,-"])
def test_anything_else_is_not_read_as_a_price(typed):
    with pytest.raises(Unreadable):
        parse_euros(typed)


@pytest.mark.parametrize(
    ("name", "typed"),
    [("stock", "-1"), ("stock", "lots"), ("min_age", "16"), ("slug", "Not A Slug!")],
)
def test_other_bad_values_are_errors_next_to_their_field(staff, session, name, typed):
    category = make_category(session)

    response = submit(staff, NEW, new_product_fields(staff, category, **{name: typed}))

    assert response.status_code == 422
    assert field_error(text_of(response), name)
    assert f'href="#f-{name}"' in text_of(response)  # the summary leads to the field


def test_a_slug_another_product_has_is_refused(staff, session):
    make_product(session, slug="golden-teacher")
    category = make_category(session)

    response = submit(staff, NEW, new_product_fields(staff, category, slug="golden-teacher"))

    assert response.status_code == 422
    assert "Another product has this slug" in (field_error(text_of(response), "slug") or "")


def test_the_preview_shows_the_description_as_customers_will_see_it_without_saving(staff, session):
    category = make_category(session)
    source = (
        "## Taste\n\n**Nutty**, not bitter.\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    )

    response = submit(
        staff, NEW, new_product_fields(staff, category, description_md_en=source), action="preview"
    )

    html = text_of(response)
    assert response.status_code == 200
    preview = html[html.index('class="prose preview-en"') :]
    preview = preview[: preview.index("</div>")]
    assert "<h2>Taste</h2>" in preview and "<strong>Nutty</strong>" in preview
    assert "<script>" not in preview and "href=" not in preview
    assert "&lt;script&gt;" in preview  # shown as text, never run
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Product)) == 0


# --- the list ----------------------------------------------------------------------------


def listed_names(html: str) -> list[str]:
    return Page(html).texts('th[scope="row"] > a[href^="/admin/products/"]')


@pytest.fixture
def catalogue(session):  # type: ignore[no-untyped-def]
    category = make_category(session)
    make_product(session, "Golden Teacher", category=category, slug="golden-teacher")
    make_product(session, "Mexicana", category=category, publish=False)
    make_product(session, "Tampanensis", category=category, stock=0)
    make_product(
        session, "Atlantis", category=category, publish=False, disclaimers=[], allergy=None
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Atlantis", "Golden Teacher", "Mexicana", "Tampanensis"]),
        ("?q=golden", ["Golden Teacher"]),
        ("?q=GOLDEN-teach", ["Golden Teacher"]),
        ("?q=100%25", []),
        ("?status=active", ["Golden Teacher", "Tampanensis"]),
        ("?status=inactive", ["Atlantis", "Mexicana"]),
        ("?status=sold_out", ["Tampanensis"]),
        ("?status=missing_warnings", ["Atlantis"]),
        ("?status=active&q=tampa", ["Tampanensis"]),
        ("?status=nonsense", ["Atlantis", "Golden Teacher", "Mexicana", "Tampanensis"]),
    ],
)
def test_the_list_is_searched_by_name_or_slug_and_filtered(staff, catalogue, query, expected):
    response = staff.get("/admin/products" + query)

    assert response.status_code == 200
    assert listed_names(text_of(response)) == expected


def test_the_list_says_whose_warnings_are_incomplete(staff, catalogue):
    html = text_of(staff.get("/admin/products?q=atlantis"))

    assert "No: warnings missing" in html
    assert "Draft" in html


def test_products_are_in_the_back_office_navigation(staff):
    assert 'href="/admin/products"' in text_of(staff.get("/admin/"))


# --- the product's kind -------------------------------------------------------------------


def test_staff_choose_the_kind_and_customers_can_filter_by_it(staff, session, verified_client):
    category = make_category(session, slug="truffles")
    fields = with_warnings(new_product_fields(staff, category))
    assert fields["kind"] == "other"  # a new product's kind until staff choose

    response = submit(staff, NEW, fields, kind="truffles", publish="yes")

    followed(staff, response)
    product = product_by_slug(session, "golden-teacher-truffles-15-g")
    assert product is not None and product.kind == "truffles"
    assert form_on(staff, f"/admin/products/{product.id}")["kind"] == "truffles"
    page = Page.of(verified_client.get("/category/truffles?kind=truffles"))
    assert page.texts(".product-card h3 a") == ["Golden Teacher truffles 15 g"]


def test_a_kind_that_is_not_in_the_list_is_a_form_error(staff, session):
    category = make_category(session, slug="truffles")

    response = submit(staff, NEW, with_warnings(new_product_fields(staff, category)), kind="mug")

    assert response.status_code == 422
    assert field_error(text_of(response), "kind") == "Please choose one of the kinds in the list."
