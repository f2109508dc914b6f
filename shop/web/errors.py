"""Error pages in the shop's style, in the visitor's language; JSON when the client asked for
JSON. Never a traceback or an exception's own text: those go to the log only.

Every error answer, whoever raised it (routing, `abort()`, Flask-WTF's CSRF check, the
throttle, an unexpected exception), goes through `_render`. Each status has a title and a
sentence of its own saying what to do next; the page links back to the shop (or, under
/admin, to the back office). Pages under /admin use the back office's layout, which shows
nothing but its name to a visitor who is not signed in: an unknown admin URL and a known one
look the same to them, as they did before.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from shop.extensions import db, limiter

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/admin"


def _is_admin_path() -> bool:
    return request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/")


def wants_json() -> bool:
    """Did the client ask for JSON: by its Accept header, or by sending a JSON body?"""
    if request.is_json:
        return True
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", "application/json"])
    return best == "application/json" and accept[best] > accept["text/html"]


def _retry_after_seconds(error: HTTPException) -> int | None:
    """How long the client should wait: the throttle's window, or the error's own header."""
    if isinstance(error, RateLimitExceeded):
        current = limiter.current_limit
        if current is not None:
            return max(1, math.ceil(current.reset_at - time.time()))
    raw = dict(error.get_headers()).get("Retry-After", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


def error_text(code: int, *, retry_after: int | None = None) -> tuple[str, str]:
    """The page's title and its sentence for a status code, in the visitor's language."""
    if code == 404:
        return _("Page not found"), _(
            "We could not find that page. It may have moved or no longer exist."
        )
    if code == 403:
        return _("Not allowed"), _("You do not have access to this page.")
    if code == 405:
        return _("Not allowed this way"), _(
            "This page cannot be used like that. Please go back and use the page's own links "
            "and buttons."
        )
    if code == 413:
        mb = current_app.config["SHOP_MAX_UPLOAD_MB"]
        return _("That is too large"), _(
            "What you sent is larger than the %(mb)s MB we accept. Please go back and send "
            "something smaller, such as a smaller picture.",
            mb=mb,
        )
    if code == 429:
        if retry_after:
            wait = ngettext(
                "Please wait %(num)s second and try again.",
                "Please wait %(num)s seconds and try again.",
                retry_after,
            )
        else:
            wait = _("Please wait a moment and try again.")
        return _("Too many attempts"), wait
    if code >= 500:
        return _("Something went wrong"), _(
            "Our apologies: an error on our side. Please try again in a moment."
        )
    # 400 and any other refusal of the request itself (409, 415, 422, …).
    return _("That request could not be handled"), _(
        "Something in it was not as we expected. Please go back and try again."
    )


def too_many_attempts_page(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """The cart's and checkout's own page for a throttled visitor (it keeps the cart's
    layout and its way back), saying how long to wait: a minute's limit or an hour's."""
    retry_after = _retry_after_seconds(error)
    _title, wait = error_text(429, retry_after=retry_after)
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return render_template("cart/too_many_attempts.html", wait=wait), 429, headers


def _render(
    error: HTTPException, *, title: str | None = None, message: str | None = None
) -> Response | tuple[Response | str, int]:
    code = error.code or 500
    retry_after = _retry_after_seconds(error) if code == 429 else None
    default_title, default_message = error_text(code, retry_after=retry_after)
    title, message = title or default_title, message or default_message
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    allowed = dict(error.get_headers()).get("Allow")
    if code == 405 and allowed:
        headers["Allow"] = allowed
    if wants_json():
        return jsonify(error=title, message=message, status=code), code, headers  # type: ignore[return-value]
    try:
        page = render_template(
            "errors/error.html",
            code=code,
            title=title,
            message=message,
        )
    except Exception:  # the error page itself must not fail: a plain one then
        log.exception("error page for %s failed to render", code)
        db.session.rollback()
        return Response(f"{code} {title}", status=code, headers=headers, mimetype="text/plain")
    return page, code, headers  # type: ignore[return-value]


def register(app: Flask) -> None:
    @app.context_processor
    def _error_text() -> dict[str, object]:
        # For error pages rendered by a blueprint's own handler (the back office's 413).
        return {"error_text": error_text, "error_is_admin": _is_admin_path}

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> Response | tuple[Response | str, int]:
        return _render(
            error,
            title=_("The form expired"),
            message=_("The form expired or was sent from elsewhere. Please try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[Response | str, int]:
        if (error.code or 500) >= 500:
            db.session.rollback()
        return _render(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response | tuple[Response | str, int]:
        # The exception's text may hold data (SQL, values): the log has it, the page never.
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _render(InternalServerError())
