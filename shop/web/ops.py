"""Operations endpoints: health check and robots.txt (outside the age gate)."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response

from shop.extensions import db

bp = Blueprint("ops", __name__)

HEALTH_CHECK_PATH = "/healthz"


@bp.route(HEALTH_CHECK_PATH)
def healthz() -> tuple[Response, int]:
    """Answer 200 when the app can reach its database, 503 when it cannot."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


def install(app: Flask) -> None:
    """Answer health checks whatever Host they name, even with `SHOP_TRUSTED_HOSTS` set."""

    @app.before_request
    def answer_health_checks_by_address() -> tuple[Response, int] | None:
        # A load balancer asks each server by its address (Host: 10.0.0.5:8000), not by the
        # shop's name; Flask refuses that Host before routing. Only this one read-only path
        # is let through, and it says nothing but whether the database answers.
        if (
            isinstance(request.routing_exception, SecurityError)
            and request.path == HEALTH_CHECK_PATH
            and request.method in {"GET", "HEAD"}
        ):
            return healthz()
        return None


@bp.route("/robots.txt")
def robots() -> Response:
    """Keep crawlers out of the back office, the cart and the orders."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /cart",
        "Disallow: /checkout",
        "Disallow: /orders/",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")
