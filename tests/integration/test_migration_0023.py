"""Migration 0023 on a database with an order and age checks from before it: nothing old
changes (no product needs a verified age, old checks have no provider), the new method and
outcome are accepted, and the way back refuses while a row names them (the old CHECKs could
not hold it), then works once they are gone. On SQLite and PostgreSQL, in a database of its
own."""

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

AGE_CHECK = (
    "INSERT INTO age_checks (checked_at, outcome, method, policy_version, min_age) "
    "VALUES (CURRENT_TIMESTAMP, :outcome, :method, 1, 18)"
)


def _execute(sql: str, **values: object) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql), values)


def test_old_rows_stay_and_the_new_method_and_outcome_fit_only_after_it(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0019")
        insert_an_old_order(scratch_url, vat_rate="reduced")
        _execute(AGE_CHECK, outcome="passed", method="dob")
        with pytest.raises(IntegrityError):
            _execute(AGE_CHECK, outcome="failed", method="oidc")

        upgrade(revision="0023")

        with db.engine.connect() as connection:
            needs = connection.execute(text("SELECT needs_verified_age FROM products"))
            assert not needs.scalar_one()  # SQLite answers 0
            assert tuple(
                connection.execute(text("SELECT provider, reference FROM age_checks")).one()
            ) == (None, None)
        _execute(AGE_CHECK, outcome="failed", method="oidc")
        _execute("UPDATE orders SET age_check_method = 'oidc'")
        with pytest.raises(IntegrityError):
            _execute(AGE_CHECK, outcome="maybe", method="oidc")

        # Flask-Migrate logs the migration's RuntimeError and exits.
        with pytest.raises(SystemExit):
            downgrade(revision="0019")
        _execute("DELETE FROM age_checks WHERE method = 'oidc'")
        _execute("UPDATE orders SET age_check_method = 'dob'")
        downgrade(revision="0019")

        with pytest.raises(IntegrityError):
            _execute(AGE_CHECK, outcome="passed", method="oidc")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM orders")).scalar_one() == 1
            assert connection.execute(text("SELECT count(*) FROM age_checks")).scalar_one() == 1
        upgrade()
        db.engine.dispose()
