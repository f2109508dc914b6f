"""Migration 0022 on a database with a product from before it: the product becomes "other"
until staff choose its kind, the CHECK refuses a kind outside the list, and down and up
again loses nothing. On SQLite and PostgreSQL, in a database of its own."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shop import create_app
from shop.extensions import db
from tests.conftest import settings_for
from tests.integration.migration_support import insert_an_old_order
from tests.integration.test_migration_0009 import scratch_url  # noqa: F401

BEFORE = "0021"  # the revision 0022 follows (migration chains are re-linked at merge)


def test_products_become_other_and_the_kinds_are_checked(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        insert_an_old_order(scratch_url, vat_rate="reduced")

        upgrade(revision="0022")

        def kinds() -> list[str]:
            with db.engine.connect() as connection:
                return list(connection.execute(text("SELECT kind FROM products")).scalars())

        assert kinds() == ["other"]
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE products SET kind = 'mug'"))
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE products SET kind = 'truffles'"))
        assert kinds() == ["truffles"]

        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM products")).scalar_one() == 1
            assert connection.execute(text("SELECT count(*) FROM order_lines")).scalar_one() == 1
        upgrade(revision="0022")
        assert kinds() == ["other"]
        db.engine.dispose()
