"""Alembic environment for the shop, run through Flask-Migrate (`flask --app shop db …`).

The engine and metadata come from the app. Objects that exist only in one dialect and are
made by hand in the migrations (SQLite's FTS5 search table, PostgreSQL's search vector)
are left out of autogenerate's comparison by `shop.db.include_in_migrations`.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from shop.db import include_in_migrations, render_migration_item, without_time_limits

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db


def _skip_empty_autogenerate(context, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_online() -> None:
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", _skip_empty_autogenerate)
    options.pop("render_as_batch", None)
    # No statement timeout for a migration (shop.db.without_time_limits).
    with db.engine.connect() as connection, without_time_limits(connection):
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            include_object=include_in_migrations,
            render_item=render_migration_item,
            render_as_batch=connection.dialect.name == "sqlite",
            **options,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
