"""The shop: an age-gated Flask web shop. `create_app()` is the application factory.

Gunicorn: `gunicorn 'shop:create_app()'`. Migrations are never run from here: the deploy
step runs `flask --app shop db upgrade`, and `make run`'s `flask --app shop serve` upgrades
a database that is behind before it serves (shop/quickstart.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from shop.config import build_flask_config, environment_with_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    settings: Mapping[str, Any] | None = None, *, instance_path: Path | None = None
) -> Flask:
    """Build the app. `settings`: `SHOP_*` values that win over the environment, and Flask keys;
    `instance_path`: where the development key and SQLite file go (default `instance/`)."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(instance_path or PROJECT_ROOT / "instance"),
    )
    overrides = dict(settings or {})
    environ = environment_with_dotenv()
    environ.update({k: str(v) for k, v in overrides.items() if k.startswith("SHOP_")})
    app.config.update(build_flask_config(environ, Path(app.instance_path)))
    app.config.update({k: v for k, v in overrides.items() if not k.startswith("SHOP_")})
    hops = app.config["SHOP_PROXY_HOPS"]
    if hops:
        # Behind reverse proxies the visitor's address (throttling), the scheme and the host
        # are in their X-Forwarded-* headers; trusted for exactly that many hops, no more, or
        # a client could choose its own address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    _init_extensions(app)
    _register_blueprints(app)

    from shop import cli

    cli.register(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def _init_extensions(app: Flask) -> None:
    from shop import models  # noqa: F401  (registers the models with the metadata)
    from shop.db import configure_postgresql, configure_sqlite
    from shop.extensions import babel, csrf, db, login_manager, mail, migrate, payments
    from shop.instance import keep_sqlite_database_private
    from shop.web.i18n import install_template_gettext, select_locale, select_timezone

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # Before SQLite's first connection creates the file with the umask's permissions.
            keep_sqlite_database_private(db.engine.url, instance_path=Path(app.instance_path))
            configure_sqlite(
                db.engine,
                busy_timeout_ms=app.config["SHOP_SQLITE_BUSY_TIMEOUT_MS"],
                # Never in development or production: only a test database may lose writes.
                durable=not app.config["TESTING"],
            )
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(
                db.engine,
                connect_timeout_s=app.config["SHOP_DB_CONNECT_TIMEOUT_SECONDS"],
                statement_timeout_ms=app.config["SHOP_DB_STATEMENT_TIMEOUT_MS"],
            )
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)
    login_manager.init_app(app)
    payments.init_app(app)
    mail.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from shop.web import (
        admin,
        age_verification,
        agegate,
        articles,
        banners,
        cards,
        cart,
        checkout,
        compression,
        errors,
        formatting,
        fragments,
        head,
        i18n,
        images,
        input_guard,
        invoices,
        legal,
        my_orders,
        ops,
        orders,
        page_cache,
        pages,
        payment,
        request_bodies,
        security_headers,
        static_urls,
        storefront,
        webhooks,
    )
    from shop.web import csrf as csrf_hook

    formatting.register(app)
    pages.register(app)
    head.register(app)
    fragments.install(app)
    errors.register(app)
    # First of the after-request hooks registered, so the last to run: it compresses the
    # body every other hook has finished with.
    compression.install(app)
    request_bodies.install(app)  # first of all request hooks: limits before any body is read
    input_guard.install(app)  # next: refuses NULs before any view sees them
    security_headers.install(app)
    static_urls.install(app)
    cards.install(app)
    ops.install(app)  # before the age gate's and CSRF's hooks, which never see a health check
    app.register_blueprint(ops.bp)
    app.register_blueprint(legal.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(agegate.bp)
    app.register_blueprint(age_verification.bp)
    app.register_blueprint(storefront.bp)
    app.register_blueprint(cart.bp)
    app.register_blueprint(checkout.bp)
    app.register_blueprint(orders.bp)
    invoices.register(app)
    app.register_blueprint(my_orders.bp)
    app.register_blueprint(payment.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(banners.bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(articles.bp)
    # Before the gate's hooks are installed: its after-request hook must run before the
    # pictures' own (see shop.web.images).
    app.register_blueprint(images.bp)
    admin.register(app)
    agegate.install_gate(app)
    # After the gate: a POST from an unverified visitor goes to the gate first.
    csrf_hook.install(app)
    # Only a visitor the gate let through is answered from a kept page, and its
    # after-request hook is among the first to run, on the body as the view made it.
    page_cache.install(app)
    # Last, so its hook runs after every other: a kept page is answered without looking up
    # a throttle (the catalogue has none), and a request is counted against its throttle
    # once it has passed the age gate and the CSRF check (one they refuse costs no attempt).
    from shop.extensions import limiter

    limiter.init_app(app)
