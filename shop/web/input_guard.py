"""Refuse a NUL character anywhere in the URL or a form before any view sees it.

No text the shop handles may contain one, and PostgreSQL refuses it outright ("text fields
cannot contain NUL"), which would otherwise surface as a 500 from deep inside a query.
"""

from __future__ import annotations

from flask import Flask, abort, request

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _has_nul(pairs: object) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)  # type: ignore[attr-defined]


def install(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters() -> None:
        if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
            abort(400)
        if request.mimetype in FORM_TYPES and _has_nul(request.form.items(multi=True)):
            abort(400)
