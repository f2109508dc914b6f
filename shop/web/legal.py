"""Legal pages a visitor may read before passing the age gate."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("legal", __name__, url_prefix="/legal")


@bp.route("/terms")
def terms() -> str:
    """Show the terms of sale."""
    return render_template("legal/terms.html")


@bp.route("/privacy")
def privacy() -> str:
    """Show what the shop stores about visitors and customers."""
    return render_template("legal/privacy.html")
