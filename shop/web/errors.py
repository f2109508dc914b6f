"""Error pages in the shop's style, in the visitor's language; JSON when the client asked for
JSON. Never a traceback or an exception's own text: those go to the log only.

Every error answer, whoever raised it (routing, `abort()`, Flask-WTF's CSRF check, the
throttle, an unexpected exception), goes through `_render`. Each status has a title and a
sentence of its own saying what to do next; the page links back to the shop (or, under
/admin, to the back office). Pages under /admin use the back office's layout. A visitor
without a staff session never sees an error page there: every /admin URL, known or not and
whatever the method, sends them to the sign-in page (see `shop.web.admin`).

A database that is down, hung, locked or out of connections gives 503 with `Retry-After`:
the page tells the visitor to come back soon, and is drawn from the request and the
session cookie alone, never from the database (not even for the signed-in staff member).
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.wrappers import Response

from shop.extensions import db, limiter
from shop.web.request_bodies import BodyKind, current_kind

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/admin"
# When to try again after the database failed to answer: long enough for a restart or a
# failover, short enough that a visitor who waits is not sent away for long.
DATABASE_RETRY_AFTER_SECONDS = 30


def is_admin_path() -> bool:
    """Is this request for the back office (a URL under /admin, known or not)?"""
    return request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/")


def wants_json() -> bool:
    """Did the client ask for JSON: by its Accept header, or by sending a JSON body?"""
    if request.is_json:
        return True
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", "application/json"])
    return best == "application/json" and accept[best] > accept["text/html"]


def is_database_unavailable(error: Exception) -> bool:
    """Did the database fail to answer (unreachable, hung past its time limits, locked past
    SQLite's busy timeout, no free connection in the pool), rather than refuse a query?"""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    # SQLite calls a missing table an OperationalError too, a bug and not an outage: of its
    # errors only "busy" and "locked" are (psycopg's OperationalErrors all are).
    sqlite_error = getattr(error.orig, "sqlite_errorname", None)
    return sqlite_error is None or sqlite_error.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


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
        if current_kind() not in {BodyKind.UPLOAD, BodyKind.NEW_PRODUCT}:
            # Each kind of page has its own limit (shop.web.request_bodies); only the
            # picture upload's is one staff can act on by choosing a smaller file.
            return _("That is too large"), _(
                "What you sent is more than this page accepts. Please go back and try again "
                "with less."
            )
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
    if code == 503:
        return _("Temporarily unavailable"), _(
            "The shop cannot reach its records for a moment. Please try again in a minute."
        )
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
    retry_after = _retry_after_seconds(error) if code in {429, 503} else None
    default_title, default_message = error_text(code, retry_after=retry_after)
    title, message = title or default_title, message or default_message
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    allowed = dict(error.get_headers()).get("Allow")
    if code == 405 and allowed:
        headers["Allow"] = allowed
    if wants_json():
        return jsonify(error=title, message=message, status=code), code, headers  # type: ignore[return-value]
    if request_ctx.url_adapter is None:
        # A Host outside SHOP_TRUSTED_HOSTS: no URL can be built for it, and a page linking
        # to a host the shop does not answer to would help nobody. Plain text, no traceback.
        return Response(f"{code} {title}", status=code, headers=headers, mimetype="text/plain")
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
        return {"error_text": error_text, "error_is_admin": is_admin_path}

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

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeoutError)
    def database_failed(error: SQLAlchemyError) -> Response | tuple[Response | str, int]:
        if not is_database_unavailable(error):
            return unexpected(error)
        # The driver's own words only: SQLAlchemy's text would add the query's parameters.
        log.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.path,
            getattr(error, "orig", None) or type(error).__name__,
        )
        try:
            # Ends the failed transaction; a dropped connection is already out of the pool,
            # so the next request opens a new one and works again once the database does.
            db.session.rollback()
        except SQLAlchemyError:
            log.warning("rollback after the database failure failed too", exc_info=True)
        # Flask-Login puts `current_user` in every template, and for a staff session that
        # asks the database again: the loader reads this and finds no one (shop.web.admin).
        g.database_down = True
        return _render(ServiceUnavailable(retry_after=DATABASE_RETRY_AFTER_SECONDS))
