"""CSRF protection for every state-changing request, checked after the age gate, and the
visitor's token for the pages' forms.

Flask-WTF's automatic check is switched off (`WTF_CSRF_CHECK_DEFAULT = False`) only so that
this hook can run after the gate's; it then calls the same `csrf.protect()`. Exempt are
endpoints that machines call with their own authentication (Stripe's signed webhook).

`visitor_token` is Flask-WTF's `generate_csrf` without signing the same secret again on
every page: a visitor's token signed in the last `REUSE_SECONDS` is handed out again. It is
the same kind of token (the visitor's secret from the session, signed with a time), so
`csrf.protect()` accepts it for `WTF_CSRF_TIME_LIMIT` from when it was signed: a page
shows a token at most a minute older than it would have. Signing took ~5 % of a page
answered from the page cache.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from shop.extensions import csrf

REUSE_SECONDS = 60.0
MAX_KEPT = 10_000  # visitors signed for in the last minute, per process
_FIELD = "csrf_token"  # Flask-WTF's default WTF_CSRF_FIELD_NAME: its key in session and g
_SIGNED = "shop.csrf_signed"  # per app (its own keys): the visitor's secret -> (signed at, token)
_clock = time.monotonic  # tests move it


def visitor_token() -> str:
    """The CSRF token for this request's forms (see the module's docstring)."""
    if _FIELD in g:
        return str(g.get(_FIELD))
    signed: dict[str, tuple[float, str]] = current_app.extensions.setdefault(_SIGNED, {})
    secret = session.get(_FIELD)
    now = _clock()
    kept = signed.get(secret) if isinstance(secret, str) else None
    if kept is not None and now - kept[0] < REUSE_SECONDS:
        setattr(g, _FIELD, kept[1])  # as generate_csrf keeps it for the rest of the request
        return kept[1]
    token = str(generate_csrf())
    secret = session.get(_FIELD)  # made by generate_csrf for a visitor who had none
    if isinstance(secret, str):
        if len(signed) >= MAX_KEPT:
            signed.clear()
        signed[secret] = (now, token)
    return token


EXEMPT_BLUEPRINTS = frozenset({"webhooks"})


def install(app: Flask) -> None:
    @app.before_request
    def check_csrf_token() -> None:
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        if request.blueprint in EXEMPT_BLUEPRINTS or request.url_rule is None:
            return  # exempt, or a 404/405 that routing answers anyway
        csrf.protect()
