"""The publishing rule: no active product without a disclaimer and an allergy statement.

The service refuses first and says what is missing; the database refuses whatever gets
around the service (a raw UPDATE, an INSERT, deleting the warnings of a product on sale).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, StatementError

from shop.models import AllergenEntry, AllergyStatement, Disclaimer, Product
from shop.services.products import (
    AllergyDraft,
    DisclaimerDraft,
    InvalidProduct,
    MissingWarning,
    ProductDraft,
    ProductNotPublishable,
    create_product,
    publish_product,
    unpublish_product,
)
from tests.helpers import CREATED, MUSHROOM_WARNING, NOT_MEDICAL_ADVICE, make_category, make_product

DOSAGE = DisclaimerDraft("dosage", "Start with a low dose.", "Begin met een lage dosis.")


def draft_for(session, **overrides) -> ProductDraft:  # type: ignore[no-untyped-def]
    values = {
        "slug": "golden-teacher",
        "category_id": make_category(session).id,
        "name_en": "Golden Teacher 15 g",
        "price_cents": 1995,
        "stock": 10,
        "disclaimers": [NOT_MEDICAL_ADVICE],
        "allergy": MUSHROOM_WARNING,
    }
    values.update(overrides)
    return ProductDraft(**values)


def rows_in(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def is_active(session, product_id: int) -> bool:  # type: ignore[no-untyped-def]
    return session.scalar(select(Product.is_active).where(Product.id == product_id))


def refused_by_database(session, sql: str, **params: object) -> None:  # type: ignore[no-untyped-def]
    """Run raw SQL that skips the service and expect the database to refuse it."""
    with pytest.raises(DBAPIError):
        session.execute(text(sql), params)
        session.flush()
    session.rollback()


# --- the service ----------------------------------------------------------------------------


def test_a_product_without_a_disclaimer_is_not_published_and_not_saved(session):
    draft = draft_for(session, disclaimers=[])

    with pytest.raises(ProductNotPublishable) as refused:
        create_product(session, draft, now=CREATED, publish=True)

    assert refused.value.missing == (MissingWarning.DISCLAIMER,)
    assert rows_in(session, Product) == 0
    assert rows_in(session, AllergyStatement) == 0


def test_a_product_without_an_allergy_statement_is_not_published_and_not_saved(session):
    draft = draft_for(session, allergy=None)

    with pytest.raises(ProductNotPublishable) as refused:
        create_product(session, draft, now=CREATED, publish=True)

    assert refused.value.missing == (MissingWarning.ALLERGY_STATEMENT,)
    assert rows_in(session, Product) == 0
    assert rows_in(session, Disclaimer) == 0


def test_a_product_without_any_safety_information_names_everything_missing(session):
    draft = draft_for(session, disclaimers=[], allergy=None)

    with pytest.raises(ProductNotPublishable) as refused:
        create_product(session, draft, now=CREATED, publish=True)

    assert len(refused.value.missing) == 2


@pytest.mark.parametrize(
    "allergy",
    [
        AllergyDraft(False, [("fungi", "contains")], warning_en="", warning_nl=""),
        AllergyDraft(False, [("fungi", "contains")], warning_en="Do not use.", warning_nl=""),
        AllergyDraft(False, [("fungi", "contains")], warning_en="  ", warning_nl="  "),
        AllergyDraft(False, [], warning_en="Do not use.", warning_nl="Niet gebruiken."),
    ],
    ids=["no-warning", "no-dutch-warning", "blank-warning", "warning-naming-nothing"],
)
def test_listed_allergens_need_a_warning_in_both_languages_to_be_published(session, allergy):
    draft = draft_for(session, allergy=allergy)

    with pytest.raises(ProductNotPublishable) as refused:
        create_product(session, draft, now=CREATED, publish=True)

    assert MissingWarning.ALLERGY_WARNING in refused.value.missing
    assert rows_in(session, Product) == 0


def test_a_disclaimer_needs_its_dutch_text_to_count(session):
    draft = draft_for(session, disclaimers=[DisclaimerDraft("health", "Not medical advice.", "")])

    with pytest.raises(ProductNotPublishable) as refused:
        create_product(session, draft, now=CREATED, publish=True)

    assert MissingWarning.DISCLAIMER in refused.value.missing
    assert rows_in(session, Product) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"disclaimers": [DisclaimerDraft("health", "Not medical advice.", " ")]},
        {"disclaimers": [NOT_MEDICAL_ADVICE, DisclaimerDraft("dosage", "", "Lage dosis.")]},
        {"allergy": AllergyDraft(False, [("fungi", "contains")])},
    ],
    ids=["blank-dutch-disclaimer", "second-disclaimer-without-english", "allergens-no-warning"],
)
def test_a_draft_with_half_written_warnings_is_refused_with_a_reason(session, overrides):
    draft = draft_for(session, **overrides)

    with pytest.raises(InvalidProduct) as refused:
        create_product(session, draft, now=CREATED, publish=False)

    assert refused.value.field in {"disclaimers", "allergy"}
    assert rows_in(session, Product) == 0


def test_a_draft_without_warnings_is_saved_inactive(session):
    product = create_product(session, draft_for(session, disclaimers=[], allergy=None), now=CREATED)

    assert not is_active(session, product.id)


def test_a_complete_product_is_published_with_hashes_of_its_wording(session):
    product = create_product(session, draft_for(session), now=CREATED, publish=True)

    assert is_active(session, product.id)
    assert product.disclaimers[0].content_hash == product.disclaimers[0].compute_hash()
    assert product.allergy_statement.content_hash == product.allergy_statement.compute_hash()


def test_publishing_an_incomplete_draft_is_refused_and_it_stays_unpublished(session):
    product = make_product(session, disclaimers=[], publish=False)

    with pytest.raises(ProductNotPublishable) as refused:
        publish_product(session, product.id, now=CREATED)

    assert MissingWarning.DISCLAIMER in refused.value.missing
    session.expire_all()
    assert not is_active(session, product.id)


def test_publishing_a_complete_draft_puts_it_in_the_shop(session, verified_client):
    product = make_product(session, "Golden Teacher 15 g", publish=False)
    assert verified_client.get(f"/products/{product.slug}").status_code == 404

    publish_product(session, product.id, now=CREATED + timedelta(days=1))

    assert is_active(session, product.id)
    response = verified_client.get(f"/products/{product.slug}")
    assert response.status_code == 200
    assert "Golden Teacher 15 g" in response.get_data(as_text=True)


def test_an_unpublished_product_may_lose_its_warnings(session):
    product = make_product(session)
    unpublish_product(session, product.id, now=CREATED)

    session.execute(text("DELETE FROM disclaimers WHERE product_id = :id"), {"id": product.id})
    session.execute(
        text("DELETE FROM allergy_statements WHERE product_id = :id"), {"id": product.id}
    )
    session.commit()

    assert rows_in(session, Disclaimer) == 0


# --- the database backs the rule ----------------------------------------------------------


def test_a_raw_update_cannot_activate_a_product_without_warnings(session):
    no_disclaimer = make_product(session, disclaimers=[], publish=False)
    no_allergy = make_product(session, allergy=None, publish=False)

    for product_id in (no_disclaimer.id, no_allergy.id):
        refused_by_database(
            session, "UPDATE products SET is_active = true WHERE id = :id", id=product_id
        )

        assert not is_active(session, product_id)


def test_the_orm_cannot_activate_a_product_without_warnings(session):
    product = make_product(session, allergy=None, publish=False)

    product.is_active = True
    with pytest.raises(DBAPIError):
        session.commit()
    session.rollback()

    assert not is_active(session, product.id)


def test_a_raw_update_may_activate_a_product_with_its_warnings(session):
    product = make_product(session, publish=False)

    session.execute(text("UPDATE products SET is_active = true WHERE id = :id"), {"id": product.id})
    session.commit()

    assert is_active(session, product.id)


def test_a_product_cannot_be_inserted_active(session):
    category = make_category(session)

    refused_by_database(
        session,
        "INSERT INTO products (slug, category_id, name_en, name_nl, summary_en, summary_nl,"
        " description_md_en, description_md_nl, price_cents, stock, is_active, is_featured,"
        " min_age, created_at, updated_at)"
        " VALUES ('sneaky', :category_id, 'Sneaky', 'Stiekem', '', '', '', '', 995, 5, true,"
        " false, 18, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        category_id=category.id,
    )

    assert rows_in(session, Product) == 0


def test_the_last_disclaimer_of_a_product_on_sale_cannot_be_deleted_with_the_orm(session):
    product = make_product(session)

    session.delete(product.disclaimers[0])
    with pytest.raises(DBAPIError):
        session.commit()
    session.rollback()

    assert rows_in(session, Disclaimer) == 1


def test_the_last_disclaimer_of_a_product_on_sale_cannot_be_deleted_with_sql(session):
    product = make_product(session)

    refused_by_database(session, "DELETE FROM disclaimers WHERE product_id = :id", id=product.id)

    assert rows_in(session, Disclaimer) == 1


def test_all_disclaimers_of_a_product_on_sale_cannot_be_deleted_at_once(session):
    product = make_product(session, disclaimers=[NOT_MEDICAL_ADVICE, DOSAGE])

    refused_by_database(session, "DELETE FROM disclaimers WHERE product_id = :id", id=product.id)

    assert rows_in(session, Disclaimer) == 2


def test_the_last_disclaimer_cannot_be_moved_to_another_product(session):
    on_sale = make_product(session)
    draft = make_product(session, publish=False)

    refused_by_database(
        session,
        "UPDATE disclaimers SET product_id = :other WHERE product_id = :id",
        id=on_sale.id,
        other=draft.id,
    )

    assert len(session.get(Product, on_sale.id).disclaimers) == 1


def test_one_of_two_disclaimers_of_a_product_on_sale_may_be_deleted(session):
    product = make_product(session, disclaimers=[NOT_MEDICAL_ADVICE, DOSAGE, DOSAGE])

    session.delete(product.disclaimers[0])
    session.commit()
    session.execute(
        text("DELETE FROM disclaimers WHERE id = :id"), {"id": product.disclaimers[-1].id}
    )
    session.commit()

    session.expire_all()
    assert [d.kind for d in session.get(Product, product.id).disclaimers] == ["dosage"]
    assert is_active(session, product.id)


def test_the_allergy_statement_of_a_product_on_sale_cannot_be_deleted_with_the_orm(session):
    product = make_product(session)

    product.allergy_statement = None
    with pytest.raises(DBAPIError):
        session.commit()
    session.rollback()

    assert rows_in(session, AllergyStatement) == 1
    assert rows_in(session, AllergenEntry) == 1


def test_the_allergy_statement_of_a_product_on_sale_cannot_be_deleted_with_sql(session):
    product = make_product(session)

    refused_by_database(
        session, "DELETE FROM allergy_statements WHERE product_id = :id", id=product.id
    )

    assert rows_in(session, AllergyStatement) == 1


def test_the_allergy_statement_cannot_be_moved_off_a_product_on_sale(session):
    on_sale = make_product(session)
    draft = make_product(session, allergy=None, publish=False)

    refused_by_database(
        session,
        "UPDATE allergy_statements SET product_id = :other WHERE product_id = :id",
        id=on_sale.id,
        other=draft.id,
    )

    assert session.get(Product, on_sale.id).allergy_statement is not None


# --- CHECK constraints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE products SET stock = -1 WHERE id = :id",
        "UPDATE products SET price_cents = -1 WHERE id = :id",
        "UPDATE products SET min_age = 121 WHERE id = :id",
        "UPDATE products SET slug = '' WHERE id = :id",
    ],
    ids=["stock", "price", "min-age", "slug"],
)
def test_the_database_refuses_impossible_product_values(session, sql):
    product = make_product(session, price_cents=1995, stock=10)

    refused_by_database(session, sql, id=product.id)

    session.expire_all()
    stored = session.get(Product, product.id)
    assert (stored.price_cents, stored.stock) == (1995, 10)


def test_the_orm_cannot_store_negative_stock(session):
    product = make_product(session, stock=1)

    product.stock = -1
    with pytest.raises(DBAPIError):
        session.commit()
    session.rollback()


def test_the_database_refuses_an_allergen_outside_the_vocabulary(session):
    product = make_product(session)

    refused_by_database(
        session,
        "INSERT INTO allergen_entries (statement_id, allergen, presence)"
        " VALUES (:statement_id, 'chocolate', 'contains')",
        statement_id=product.allergy_statement.id,
    )

    assert rows_in(session, AllergenEntry) == 1


def test_the_service_refuses_an_allergen_outside_the_vocabulary(session):
    draft = draft_for(session, allergy=AllergyDraft(False, [("chocolate", "contains")], "W", "W"))

    with pytest.raises(InvalidProduct):
        create_product(session, draft, now=CREATED)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE disclaimers SET text_nl = '' WHERE product_id = :id",
        "UPDATE disclaimers SET text_en = '' WHERE product_id = :id",
        "INSERT INTO disclaimers (product_id, kind, text_en, text_nl, content_hash, position)"
        " VALUES (:id, 'legal', 'Adults only.', '', 'x', 1)",
        "INSERT INTO disclaimers (product_id, kind, text_en, text_nl, content_hash, position)"
        " VALUES (:id, 'gossip', 'Adults only.', 'Alleen volwassenen.', 'x', 1)",
        "UPDATE allergy_statements SET warning_nl = '' WHERE product_id = :id",
    ],
    ids=[
        "empty-dutch-disclaimer",
        "empty-english-disclaimer",
        "new-disclaimer-without-dutch",
        "unknown-kind",
        "empty-dutch-allergy-warning",
    ],
)
def test_the_database_refuses_warnings_missing_a_language(session, sql):
    product = make_product(session)

    refused_by_database(session, sql, id=product.id)

    session.expire_all()
    assert session.get(Product, product.id).disclaimers[0].text_nl


# --- UTC datetimes --------------------------------------------------------------------------


def test_a_naive_datetime_is_refused(session):
    product = make_product(session)

    product.updated_at = datetime(2026, 3, 1, 12, 0)  # naive: the point of the test
    with pytest.raises((ValueError, StatementError), match="naive datetime"):
        session.flush()
    session.rollback()


def test_datetimes_come_back_aware_in_utc(session):
    product = make_product(session, now=CREATED)
    session.expire_all()

    created_at = session.get(Product, product.id).created_at

    assert created_at == CREATED
    assert created_at.utcoffset() == timedelta(0)


def test_a_datetime_in_another_zone_is_stored_as_the_same_instant(session):
    product = make_product(session)
    summer_afternoon = datetime(2026, 7, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))

    product.updated_at = summer_afternoon
    session.commit()
    session.expire_all()
    stored = session.get(Product, product.id).updated_at

    assert stored == summer_afternoon
    assert stored == datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)
    # Ordering and comparison in SQL use the instant too, not the wall-clock digits.
    later = session.scalar(
        select(func.count())
        .select_from(Product)
        .where(Product.updated_at > datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    )
    assert later == 1
