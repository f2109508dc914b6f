"""Refuse input no page can use, before any view sees it: a NUL character anywhere in the
URL or in the form of a route that reads one, a query string that is not UTF-8, and an id
in a URL too large for the database's integer columns.

No text the shop handles may contain NUL, and PostgreSQL refuses it outright ("text fields
cannot contain NUL"); an undecodable query cannot be read by any view. Either would
otherwise surface as a 500 from deep inside a request.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from shop.web.request_bodies import reads_form


def _has_nul(pairs: object) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)  # type: ignore[attr-defined]


# The ids in URLs are INTEGER columns. A larger number matched `<int:…>` and reached the
# database, which refused it (SQLite: "Python int too large", PostgreSQL: out of range): a
# 500 for what is simply a page that does not exist.
LARGEST_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every route: 0 to the largest INTEGER, else the URL matches nothing (404)."""

    def __init__(
        self,
        map: object,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = LARGEST_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)  # type: ignore[arg-type]


def install(app: Flask) -> None:
    # Before any route is added: a rule takes its converter when it is added.
    app.url_map.converters["int"] = DatabaseIdConverter

    @app.before_request
    def refuse_nul_characters() -> None:
        try:
            query = list(request.args.items(multi=True))
        except UnicodeDecodeError:
            abort(400)
        if "\x00" in request.path or _has_nul(query):
            abort(400)
        # Only where the route reads a form: parsing one nobody reads (a GET's body, the
        # webhook's JSON, a URL that matches nothing) is work an attacker chooses for us.
        if reads_form():
            try:
                fields = list(request.form.items(multi=True))
            except UnicodeDecodeError:
                abort(400)
            if _has_nul(fields):
                abort(400)
