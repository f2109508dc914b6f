"""Operations endpoints: health check, robots.txt, the favicon and the web app manifest
(outside the age gate: browsers fetch them on their own, with no verified session)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify, request, send_from_directory, url_for
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


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Serve the shop's icon where browsers look for it without being told."""
    folder = Path(current_app.static_folder or "static") / "icons"
    return send_from_directory(folder, "favicon.ico", mimetype="image/x-icon", max_age=86400)


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    """Describe the shop to phones that add it to their home screen."""
    icons = [
        {
            "src": url_for("static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
        }
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": url_for("static", filename="icons/icon.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
        }
    )
    body = {
        "name": "Paddo & Co.",
        "short_name": "Paddo & Co.",
        "start_url": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": "#5a3e8e",
        "icons": icons,
    }
    return Response(json.dumps(body), mimetype="application/manifest+json")
