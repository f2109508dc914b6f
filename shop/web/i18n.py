"""Which language a page is in: the visitor's choice, else the browser's, else the default."""

from __future__ import annotations

from flask import current_app, request, session

SUPPORTED_LOCALES = ("nl", "en")
LOCALE_KEY = "locale"


def select_locale() -> str:
    chosen = session.get(LOCALE_KEY)
    if chosen in SUPPORTED_LOCALES:
        return chosen
    best = request.accept_languages.best_match(SUPPORTED_LOCALES)
    return best or current_app.config["SHOP_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["SHOP_TIMEZONE"]
