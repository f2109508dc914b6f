"""Refuse input no page can use, before any view sees it: a NUL character anywhere in the
URL or a form, and a query string that is not UTF-8.

No text the shop handles may contain NUL, and PostgreSQL refuses it outright ("text fields
cannot contain NUL"); an undecodable query cannot be read by any view. Either would
otherwise surface as a 500 from deep inside a request.
"""

from __future__ import annotations

from flask import Flask, abort, request

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _has_nul(pairs: object) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)  # type: ignore[attr-defined]


def install(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters() -> None:
        try:
            query = list(request.args.items(multi=True))
        except UnicodeDecodeError:
            abort(400)
        if "\x00" in request.path or _has_nul(query):
            abort(400)
        if request.mimetype in FORM_TYPES:
            try:
                fields = list(request.form.items(multi=True))
            except UnicodeDecodeError:
                abort(400)
            if _has_nul(fields):
                abort(400)
