"""Staff login and logout: one answer for an unknown e-mail and a wrong password, a new
session at login, throttling per account and per client address (only failures count)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from shop import clock
from shop.extensions import db, limiter
from shop.rules.promotions import normalise_email
from shop.services.staff import authenticate, end_sessions
from shop.web.admin import Access, bp, requires
from shop.web.redirects import safe_next

LOGIN_FAILED = 401


def _account_key() -> str:
    return "staff-login:" + normalise_email(request.form.get("email", ""))[:320]


def _failed(response: Response) -> bool:
    return response.status_code == LOGIN_FAILED


def _admin_next() -> str:
    target = safe_next(request.values.get("next"), default="/admin/")
    # Browsers resolve "." and ".." segments (also as %2e), so "/admin/../cart" means "/cart".
    if {".", ".."} & set(unquote(urlsplit(target).path).split("/")):
        return "/admin/"
    return target if target.startswith("/admin/") or target == "/admin" else "/admin/"


@bp.route("/login", methods=["GET", "POST"])
@requires(Access.PUBLIC)
@limiter.limit(
    "5 per minute;20 per hour", key_func=_account_key, methods=["POST"], deduct_when=_failed
)
@limiter.limit("30 per minute", methods=["POST"], deduct_when=_failed)
def login() -> Response | tuple[str, int] | str:
    """Sign a staff member in."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_admin_next(), code=303)
        return render_template("admin/login.html", next_path=_admin_next())
    member = authenticate(
        db.session, request.form.get("email", ""), request.form.get("password", ""), now=clock.now()
    )
    if member is None:
        return (
            render_template(
                "admin/login.html",
                next_path=_admin_next(),
                error="That e-mail address and password do not match an account.",
                email=request.form.get("email", "")[:320],
            ),
            LOGIN_FAILED,
        )
    target = _admin_next()
    # A new session: nothing from before the login (a planted session id, say) carries over.
    session.clear()
    login_user(member)
    return redirect(target, code=303)


@bp.post("/logout")
@requires(Access.VIEW)
def logout() -> Response:
    """Sign out here and end this account's sessions everywhere else."""
    end_sessions(db.session, current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"), code=303)
