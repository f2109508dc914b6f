"""Migration 0024 on a database with a product on sale from before it: search still finds it,
follows its renaming and its withdrawal (PostgreSQL's narrow search table and its trigger;
SQLite's index is unchanged), and down and up again loses nothing. On SQLite and PostgreSQL,
in a database of its own."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, text

from shop import create_app
from shop.extensions import db
from shop.services.catalog import search_products
from tests.conftest import settings_for
from tests.integration.migration_support import insert_an_old_order
from tests.integration.test_migration_0009 import _filled, scratch_url  # noqa: F401

BEFORE = "0023"


def found(query: str) -> list[str]:
    """The English names search lists for `query`, as the search page would."""
    page = search_products(db.session, query, number=1, size=24)
    names = [card.name_en for card in page.items]
    db.session.rollback()
    return names


def in_names(word: str) -> list[int]:
    """The products whose names the search index holds `word` for (the name matches' tier)."""
    if db.engine.dialect.name == "sqlite":
        statement = "SELECT rowid FROM product_names_fts WHERE product_names_fts MATCH :query"
        query = word
    else:
        statement = (
            "SELECT product_id FROM product_search "
            "WHERE search_vector @@ to_tsquery('simple', :query)"
        )
        query = f"{word}:A"
    with db.engine.connect() as connection:
        return list(connection.execute(text(statement), {"query": query}).scalars())


def change(statement: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(statement))


def put_on_sale() -> None:
    """Give product 1 its warnings and publish it, as an older schema held them."""
    meta = MetaData()
    meta.reflect(db.engine, only=("disclaimers", "allergy_statements"))
    disclaimers, statements = meta.tables["disclaimers"], meta.tables["allergy_statements"]
    with db.engine.begin() as connection:
        connection.execute(
            disclaimers.insert().values(**_filled(disclaimers, product_id=1, kind="health"))
        )
        connection.execute(statements.insert().values(**_filled(statements, product_id=1)))
    change("UPDATE products SET is_active = true")


def test_search_follows_products_across_the_migration(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        insert_an_old_order(
            scratch_url,
            name_en="Golden Teacher truffles",
            name_nl="Golden Teacher truffels",
            vat_rate="reduced",
            kind="truffles",
        )
        put_on_sale()

        upgrade(revision="0024")

        assert found("teacher") == ["Golden Teacher truffles"]
        assert in_names("teacher") == [1]
        change("UPDATE products SET name_en = 'Tampanensis truffles', name_nl = 'Tampanensis'")
        assert found("tampanensis") == ["Tampanensis truffles"]
        assert found("teacher") == []
        assert (in_names("teacher"), in_names("tampanensis")) == ([], [1])
        change("UPDATE products SET stock = 3, price_cents = 1999")
        assert found("tampanensis") == ["Tampanensis truffles"]
        change("UPDATE products SET is_active = false")
        assert found("tampanensis") == []
        change("UPDATE products SET is_active = true")
        assert found("tampanensis") == ["Tampanensis truffles"]

        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM products")).scalar_one() == 1
            if db.engine.dialect.name == "postgresql":
                matches = connection.execute(
                    text(
                        "SELECT count(*) FROM products "
                        "WHERE search_vector @@ to_tsquery('simple', 'tampanensis:*A')"
                    )
                )
                assert matches.scalar_one() == 1
        upgrade(revision="0024")
        assert found("tampanensis") == ["Tampanensis truffles"]
        assert in_names("tampanensis") == [1]
        change("DELETE FROM order_lines")
        change("UPDATE products SET is_active = false")
        change("DELETE FROM disclaimers")
        change("DELETE FROM allergy_statements")
        change("DELETE FROM products")
        assert in_names("tampanensis") == []
        db.engine.dispose()
