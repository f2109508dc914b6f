"""Flask extensions, created unbound here and bound to the app in `create_app`: the
libraries' (database, migrations, CSRF, languages, throttles, sign-in) and the shop's own
two, the payment gateway and the mailer, which any blueprint or command asks for here."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from shop.db import Base

if TYPE_CHECKING:
    from shop.mail import Mailer
    from shop.payments import Gateway

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()


class Payments:
    """The payment gateway the settings ask for (Stripe, or the built-in test gateway),
    made on first use and kept for the app: importing Stripe's library is not free, and a
    page that takes no payment should not pay for it."""

    def init_app(self, app: Flask) -> None:
        from shop.payments import uses_test_gateway

        app.extensions["shop_payments"] = {}
        if uses_test_gateway(app.config) and app.config["SHOP_ENV"] == "production":
            _warn_of_test_payments_in_production()

    @property
    def gateway(self) -> Gateway:
        from shop.payments import gateway_for

        made = current_app.extensions["shop_payments"]
        if "gateway" not in made:
            made["gateway"] = gateway_for(current_app.config)
        return made["gateway"]


class Mail:
    """The mailer the settings ask for (SMTP, or the log when no server is set)."""

    def init_app(self, app: Flask) -> None:
        from shop.mail import mailer_for

        app.extensions["shop_mail"] = mailer_for(app.config)

    @property
    def mailer(self) -> Mailer:
        return current_app.extensions["shop_mail"]


_test_payments_warned = False


def _warn_of_test_payments_in_production() -> None:
    # Once per process: a worker that builds its app again need not repeat it, but every
    # worker's log shows it.
    global _test_payments_warned
    if _test_payments_warned:
        return
    _test_payments_warned = True
    logging.getLogger("shop.payments").warning(
        "TEST PAYMENTS ARE ON IN PRODUCTION (SHOP_ALLOW_TEST_PAYMENTS=true, no "
        "SHOP_STRIPE_SECRET_KEY): any customer can mark their own order paid without paying. "
        "Set the Stripe keys and remove SHOP_ALLOW_TEST_PAYMENTS before taking real orders."
    )


payments = Payments()
mail = Mail()
