"""The 18+ gate: the gate and refusal pages, and the hook that closes the storefront.

The law (Dutch and EU consumer rules for these products) and the seller's own policy want
only adults in the shop, so the check is made by the server on every request, not by a
pop-up a browser's developer tools could remove. Exempt are the pages a minor may see or
that machines call: static files, the gate itself, legal and information pages (who sells,
how to return), health checks, robots.txt, the favicon, Stripe's webhook and the staff back
office (which has its own login).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.models import AgeCheckMethod, AgeCheckOutcome
from shop.rules.age import InvalidBirthDate, age_on, local_today, parse_birth_date
from shop.services.agegate import Verification, record_age_check
from shop.web.errors import is_admin_path
from shop.web.redirects import safe_next
from shop.web.visitor import REFUSED_KEY, SESSION_KEY
from shop.web.wording import refusal_text

bp = Blueprint("agegate", __name__)


# "language": the switcher must work before the gate is passed (the gate page has it too).
EXEMPT_BLUEPRINTS = frozenset({"agegate", "legal", "pages", "ops", "admin", "webhooks", "language"})
EXEMPT_ENDPOINTS = frozenset({"static"})


def current_verification() -> Verification | None:
    """The visitor's verification if it is still valid under the current settings."""
    verification = Verification.from_session(session.get(SESSION_KEY))
    if verification is None:
        return None
    config = current_app.config
    if not verification.is_valid(
        now=clock.now(),
        policy_version=config["SHOP_AGE_POLICY_VERSION"],
        min_age=config["SHOP_MIN_AGE"],
        remember_days=config["SHOP_AGE_GATE_REMEMBER_DAYS"],
    ):
        return None
    return verification


def _has_refused() -> bool:
    return session.get(REFUSED_KEY) == current_app.config["SHOP_AGE_POLICY_VERSION"]


def _is_exempt() -> bool:
    if request.endpoint in EXEMPT_ENDPOINTS:
        return True
    # Every /admin URL, even one that matches no route or not this method: the back office
    # answers those itself (sign-in for visitors, 404/405 for staff), so the gate would only
    # tell a visitor which admin URLs exist.
    return request.blueprint in EXEMPT_BLUEPRINTS or is_admin_path()


def _gate_target() -> str:
    if request.method in {"GET", "HEAD"}:
        if not request.query_string:
            return request.path
        # Not `request.full_path`: it decodes the raw query as strict UTF-8 and a stray
        # byte (a raw 0xFF rather than `%FF`) would turn the redirect into a 500.
        return f"{request.path}?{request.query_string.decode('utf-8', 'replace')}"
    # A form posted without verification cannot be replayed; send them back to its page.
    return request.path


def install_gate(app: Flask) -> None:
    """Close every non-exempt URL (and method) to visitors without a valid verification."""

    @app.before_request
    def require_age_verification() -> Response | None:
        if request.routing_exception is not None and not isinstance(
            request.routing_exception, NotFound | MethodNotAllowed
        ):
            return None  # a bad host or method: Flask answers it (400/405), nothing to guard
        if request.blueprint == "agegate":
            g.age_gated = True
            return None
        if _is_exempt():
            return None
        g.age_gated = True
        if current_verification() is not None:
            return None
        # The gate answers before the CSRF check (see shop.web.csrf): an unverified visitor's
        # POST goes to the gate like any other request, not to a "form expired" page.
        if _has_refused():
            return redirect(url_for("agegate.refused"), code=303)
        return redirect(url_for("agegate.gate", next=_gate_target()), code=303)

    @app.after_request
    def keep_gated_pages_private(response: Response) -> Response:
        # A page behind the gate must never be served from a shared cache to someone who
        # has not passed it.
        if g.get("age_gated"):
            # A page that asked to be kept nowhere (it holds a key: "My orders") stays so.
            if "no-store" not in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = "private, no-cache"
            response.vary.add("Cookie")
        return response


def _pass(method: AgeCheckMethod, proven_age: int, remember: bool) -> None:
    config = current_app.config
    now = clock.now()
    session.pop(REFUSED_KEY, None)
    session[SESSION_KEY] = Verification(
        verified_at=now,
        method=method,
        policy_version=config["SHOP_AGE_POLICY_VERSION"],
        proven_age=proven_age,
        remember=remember,
    ).to_session()
    session.permanent = remember
    record_age_check(
        db.session(),
        outcome=AgeCheckOutcome.PASSED,
        method=method,
        policy_version=config["SHOP_AGE_POLICY_VERSION"],
        min_age=config["SHOP_MIN_AGE"],
        now=now,
    )


def _refuse(method: AgeCheckMethod) -> Response:
    config = current_app.config
    session.pop(SESSION_KEY, None)
    session[REFUSED_KEY] = config["SHOP_AGE_POLICY_VERSION"]
    record_age_check(
        db.session(),
        outcome=AgeCheckOutcome.REFUSED,
        method=method,
        policy_version=config["SHOP_AGE_POLICY_VERSION"],
        min_age=config["SHOP_MIN_AGE"],
        now=clock.now(),
    )
    return redirect(url_for("agegate.refused"), code=303)


def _render_gate(status: int = 200, error: str | None = None, **values: str) -> tuple[str, int]:
    config = current_app.config
    return (
        render_template(
            "agegate/gate.html",
            mode=config["SHOP_AGE_GATE_MODE"],
            min_age=config["SHOP_MIN_AGE"],
            remember_days=config["SHOP_AGE_GATE_REMEMBER_DAYS"],
            next_path=safe_next(request.values.get("next")),
            error=error,
            values=values,
        ),
        status,
    )


@bp.route("/age-gate", methods=["GET", "POST"])
def gate() -> Response | tuple[str, int]:
    """Ask the visitor's age; on a pass, go on to the page first asked for."""
    next_path = safe_next(request.values.get("next"))
    if _has_refused():
        return redirect(url_for("agegate.refused"), code=303)
    if request.method == "GET":
        if current_verification() is not None:
            return redirect(next_path, code=303)
        return _render_gate()

    remember = request.form.get("remember") == "yes"
    mode = current_app.config["SHOP_AGE_GATE_MODE"]
    min_age = current_app.config["SHOP_MIN_AGE"]
    if mode == "confirm":
        answer = request.form.get("answer")
        if answer == "yes":
            _pass(AgeCheckMethod.CONFIRM, min_age, remember)
            return redirect(next_path, code=303)
        if answer == "no":
            return _refuse(AgeCheckMethod.CONFIRM)
        return _render_gate(400, error=_("Please answer yes or no."))

    fields = {name: request.form.get(name, "") for name in ("day", "month", "year")}
    today = local_today(clock.now(), clock.shop_timezone())
    try:
        birth_date = parse_birth_date(fields["day"], fields["month"], fields["year"], today)
    except InvalidBirthDate as invalid:
        return _render_gate(
            422, error=refusal_text(invalid), **{k: v[:8] for k, v in fields.items()}
        )
    age = age_on(birth_date, today)
    if age < min_age:
        return _refuse(AgeCheckMethod.DOB)
    _pass(AgeCheckMethod.DOB, age, remember)
    return redirect(next_path, code=303)


@bp.route("/age-gate/refused")
def refused() -> str:
    """Tell the visitor the shop is for adults only."""
    return render_template("agegate/refused.html", min_age=current_app.config["SHOP_MIN_AGE"])
