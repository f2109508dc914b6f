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
from shop.services.age_verification import (
    AgeVerifier,
    BirthDateVerifier,
    SelfDeclarationVerifier,
)
from shop.web.age_verdicts import current_verification, keep_verdict
from shop.web.errors import is_admin_path
from shop.web.redirects import safe_next
from shop.web.visitor import REFUSED_KEY
from shop.web.wording import refusal_text

bp = Blueprint("agegate", __name__)


# "language": the switcher must work before the gate is passed (the gate page has it too).
# "age_verification": the OpenID provider's way in and back is how a visitor passes the gate.
EXEMPT_BLUEPRINTS = frozenset(
    {"agegate", "age_verification", "legal", "pages", "ops", "admin", "webhooks", "language"}
)
EXEMPT_ENDPOINTS = frozenset({"static"})


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


def gate_method() -> str:
    """How the gate verifies: SHOP_AGE_VERIFIER where it applies to the gate, else the
    gate's own SHOP_AGE_GATE_MODE (see shop.config)."""
    config = current_app.config
    if config["SHOP_AGE_VERIFIER_AT"] in {"gate", "both"}:
        return str(config["SHOP_AGE_VERIFIER"])
    return str(config["SHOP_AGE_GATE_MODE"])


def form_verifier(method: str) -> AgeVerifier:
    """The verifier of a form answered on the shop's own page (confirm or dob)."""
    if method == "dob":
        return BirthDateVerifier(clock.shop_timezone())
    return SelfDeclarationVerifier()


def _render_gate(status: int = 200, error: str | None = None, **values: str) -> tuple[str, int]:
    config = current_app.config
    return (
        render_template(
            "agegate/gate.html",
            mode=gate_method(),
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

    method = gate_method()
    if method == "oidc":
        # The provider's page asks; the gate page only links to it (a form posted anyway
        # is sent on its way).
        return redirect(url_for("age_verification.start", next=next_path), code=303)
    min_age = current_app.config["SHOP_MIN_AGE"]
    verdict = form_verifier(method).verify(request.form, required_age=min_age, now=clock.now())
    if verdict.outcome is None:
        if method == "confirm":
            return _render_gate(400, error=_("Please answer yes or no."))
        assert verdict.problem is not None
        fields = {name: request.form.get(name, "")[:8] for name in ("day", "month", "year")}
        return _render_gate(422, error=refusal_text(verdict.problem), **fields)
    keep_verdict(verdict, required_age=min_age, remember=request.form.get("remember") == "yes")
    if not verdict.passed:
        return redirect(url_for("agegate.refused"), code=303)
    return redirect(next_path, code=303)


@bp.route("/age-gate/refused")
def refused() -> str:
    """Tell the visitor the shop is for adults only."""
    return render_template("agegate/refused.html", min_age=current_app.config["SHOP_MIN_AGE"])
