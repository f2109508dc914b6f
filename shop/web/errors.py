"""Error pages in the shop's style (JSON when the client asked for JSON); never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from shop.extensions import db

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _render(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if _wants_json():
        return jsonify(error=error.name, status=code), code
    try:
        return render_template("errors/error.html", error=error, code=code), code
    except Exception:  # the error page itself must not fail
        log.exception("error page failed to render")
        return f"{code} {error.name}", code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[Response | str, int]:
        error.description = "The form expired or was sent from elsewhere. Please try again."
        return _render(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        return _render(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _render(InternalServerError())
