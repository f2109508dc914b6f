"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shop.db import include_in_migrations
from shop.extensions import db


def test_migrations_and_models_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": include_in_migrations},
        )
        differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_the_suite_runs_on_the_database_it_was_asked_for(app, database_url):
    expected = "postgresql" if database_url.startswith("postgresql") else "sqlite"

    assert db.engine.dialect.name == expected


def test_only_the_testing_configuration_skips_sqlite_disk_syncs(tmp_path):
    """`PRAGMA synchronous`: 0 is OFF (tests only), 1 is NORMAL (production, development)."""
    from sqlalchemy import text

    from shop import create_app
    from tests.conftest import settings_for

    modes = {}
    for env in ("testing", "production"):
        settings = settings_for(
            f"sqlite:///{tmp_path / env}.db", SHOP_ENV=env, SHOP_ALLOW_TEST_PAYMENTS="true"
        )
        app = create_app(settings)
        with app.app_context(), db.engine.connect() as connection:
            modes[env] = connection.execute(text("PRAGMA synchronous")).scalar_one()
        with app.app_context():
            db.engine.dispose()

    assert modes == {"testing": 0, "production": 1}
