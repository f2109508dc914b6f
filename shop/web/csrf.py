"""CSRF protection for every state-changing request, checked after the age gate.

Flask-WTF's automatic check is switched off (`WTF_CSRF_CHECK_DEFAULT = False`) only so that
this hook can run after the gate's; it then calls the same `csrf.protect()`. Exempt are
endpoints that machines call with their own authentication (Stripe's signed webhook).
"""

from __future__ import annotations

from flask import Flask, current_app, request

from shop.extensions import csrf

EXEMPT_BLUEPRINTS = frozenset({"webhooks"})


def install(app: Flask) -> None:
    @app.before_request
    def check_csrf_token() -> None:
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        if request.blueprint in EXEMPT_BLUEPRINTS or request.url_rule is None:
            return  # exempt, or a 404/405 that routing answers anyway
        csrf.protect()
