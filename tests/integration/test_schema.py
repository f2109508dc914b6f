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
