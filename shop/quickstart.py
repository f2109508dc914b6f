"""`flask --app shop serve`, what `make run` starts: the development server with its database
made ready first, all in one process, so the app is loaded once.

Each step costs nothing when there is nothing to do: the translation catalogs are compiled
only when stale, the migrations run only when the database's revision is not the scripts'
head, and the demo shop is loaded only into an empty catalogue. Then Flask's own `run`
command serves, with its options (`--debug`, `--reload`, …). `flask db upgrade`,
`flask seed-demo` and `flask run` still work on their own.
"""

from __future__ import annotations

import contextvars

import click
from flask import Flask, current_app
from flask.cli import run_command, with_appcontext

from shop.extensions import db


def migration_heads(app: Flask) -> tuple[set[str], set[str]]:
    """The revisions the database is at, and the heads of the migration scripts."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    script_heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        database_heads = set(MigrationContext.configure(connection).get_current_heads())
    return database_heads, script_heads


def upgrade_if_behind(app: Flask) -> bool:
    """Run the migrations unless the database is at the scripts' head; True if they ran."""
    database_heads, script_heads = migration_heads(app)
    if database_heads == script_heads:
        return False
    from flask_migrate import upgrade

    upgrade()
    return True


@click.command("serve", short_help="Migrate if behind, seed if empty, then run the server.")
@click.option("--host", "-h", default="127.0.0.1", show_default=True)
@click.option("--port", "-p", default=5000, show_default=True)
@click.pass_context
@with_appcontext
def serve(context: click.Context, host: str, port: int) -> None:
    """Bring the database to the migrations' head if it is behind, load the demo shop if the
    catalogue is empty, then run the development server (in this same process)."""
    from shop.cli import seed_demo
    from shop.i18n_catalogs import compile_catalogs

    compile_catalogs()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if upgrade_if_behind(app):
        click.echo("Database upgraded to the latest migration.")
    context.invoke(seed_demo, if_empty=True)
    # The server's requests get sessions of their own; none is left over from the above.
    db.session.remove()
    # Served from an empty context, as `flask run` serves: the app context this command runs
    # in must not be one a request could find and share (Flask reuses an active one).
    contextvars.Context().run(context.invoke, run_command, host=host, port=port)
