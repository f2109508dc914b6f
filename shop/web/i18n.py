"""Which language a page is in: the visitor's choice, else the browser's, else the default.

The choice is made with the switcher every page carries (a small POST form to `/language`)
and kept in a cookie of its own for a year. Not in the session: the session cookie lasts
only as long as the browser for a visitor who has not ticked "remember me" at the age gate,
and a language is not a secret worth signing (an unknown value is simply ignored). The
switcher works before the age gate is passed (the gate exempts this blueprint; the form
still carries its CSRF token).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from babel import Locale
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    has_app_context,
    has_request_context,
    redirect,
    request,
    session,
)
from flask_babel import get_translations
from werkzeug.wrappers import Response

from shop.web.redirects import safe_next

SUPPORTED_LOCALES = ("nl", "en")
_LOCALES = {code: Locale.parse(code) for code in SUPPORTED_LOCALES}
LOCALE_KEY = "locale"  # the session key older cookies may still carry
COOKIE_NAME = "locale"
REMEMBER_FOR = timedelta(days=365)
# Outside a request (the CLI, a staff tool kept in English) messages are English.
NO_REQUEST_LOCALE = "en"

# The language names as each language calls itself, so a visitor finds their own.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

bp = Blueprint("language", __name__)


def cookie_name() -> str:
    # Over HTTPS the cookie is `__Host-` prefixed like the session's: the browser then
    # refuses it from plain HTTP and from sibling subdomains.
    return f"__Host-{COOKIE_NAME}" if current_app.config["SHOP_HTTPS"] else COOKIE_NAME


def chosen_locale() -> str | None:
    """The language the visitor picked with the switcher, if any."""
    chosen = request.cookies.get(cookie_name())
    if chosen in SUPPORTED_LOCALES:
        return chosen
    chosen = session.get(LOCALE_KEY)
    return chosen if chosen in SUPPORTED_LOCALES else None


def select_locale() -> str | Locale:
    """Flask-Babel's locale selector. A supported language comes back as its Babel `Locale`,
    made once per process: Flask-Babel would otherwise parse the code on every request."""
    if not has_request_context():
        return NO_REQUEST_LOCALE
    chosen = chosen_locale()
    if chosen is None:
        chosen = request.accept_languages.best_match(SUPPORTED_LOCALES)
    if chosen is None:
        chosen = current_app.config["SHOP_DEFAULT_LOCALE"]
    return _LOCALES.get(chosen, chosen)


def request_translations() -> Any:
    """This request's translations in its current language, looked up once per language.

    Flask-Babel finds them again for every message (its context, the locale, the domain, the
    cache: ~130 times on a cart page); here they are kept on its own per-request context
    beside the locale they are for, so `force_locale` (an e-mail in the customer's language,
    an allergen sentence) still gets its own."""
    if not has_app_context():
        return get_translations()
    context = getattr(g, "_flask_babel", None)
    kept = getattr(context, "shop_translations", None)
    if kept is not None and kept[0] is getattr(context, "babel_locale", None):
        return kept[1]
    translations = get_translations()
    context = getattr(g, "_flask_babel", None)
    locale = getattr(context, "babel_locale", None)
    if locale is not None:
        context.shop_translations = (locale, translations)  # type: ignore[union-attr]
    return translations


def install_template_gettext(app: Flask) -> None:
    """Templates translate through `request_translations` (after Flask-Babel's init)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def select_timezone() -> str:
    return current_app.config["SHOP_TIMEZONE"]


def stored_text(text: str | None) -> str:
    """A message kept as data (marked with `shop.labels.N_`) in the visitor's language; any
    other text (a payment provider's own words) as it is."""
    return get_translations().gettext(text) if text else ""


def language_return_path() -> str:
    """Where switching the language leads back to: this page, when it can be fetched again."""
    if request.method not in {"GET", "HEAD"}:
        return "/"
    if not request.query_string:
        return request.path
    return safe_next(f"{request.path}?{request.query_string.decode('utf-8', 'replace')}")


@bp.record_once
def _install_globals(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    app.jinja_env.globals["language_return_path"] = language_return_path
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
    app.jinja_env.globals["stored_text"] = stored_text

    @app.after_request
    def vary_by_language(response: Response) -> Response:
        # A page's language comes from the cookie or Accept-Language: a cache must not hand
        # one visitor's Dutch page to another who asked for English.
        if response.mimetype == "text/html":
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response


@bp.post("/language")
def choose() -> Response:
    """Remember the visitor's language and go back to the page they were on."""
    locale = request.form.get("locale", "")
    if locale not in SUPPORTED_LOCALES:
        abort(400)
    session.pop(LOCALE_KEY, None)
    # `return_to`, not `next`: a page's own form (the gate's, the login's) owns that name.
    response = redirect(safe_next(request.form.get("return_to")), code=303)
    response.set_cookie(
        cookie_name(),
        locale,
        max_age=int(REMEMBER_FOR.total_seconds()),
        path="/",
        secure=current_app.config["SHOP_HTTPS"],
        httponly=True,
        samesite="Lax",
    )
    return response
