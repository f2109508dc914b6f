"""Operations endpoints: health check and robots.txt (outside the age gate)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from shop.extensions import db

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """Answer 200 when the app can reach its database, 503 when it cannot."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


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
