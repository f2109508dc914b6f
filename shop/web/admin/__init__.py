"""The staff back office at /admin: its own blueprint, templates and login, outside the
customers' age gate, never indexed.

Access is declared on every view with `@requires(Access.X)` and checked for the whole
blueprint in one `before_request`: a view that declares nothing is refused to everyone
(and `tests/integration/test_admin_access.py` fails, naming it). A form's page needs the
same access as the form, unless it is a record's page declared `@read_only_view`.
Sensitive views also carry `@fresh_login_required`: they need a sign-in at most
`SHOP_STAFF_REAUTH_MINUTES` old (see `shop.web.admin.sessions`, which also ends idle and
too-old sessions).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Response

from shop.extensions import db, login_manager
from shop.models import OrderStatus, Role, StaffMember
from shop.web.admin.sessions import (
    end_expired_session,
    reauthenticate_first,
    set_up_two_factor_first,
)
from shop.web.errors import is_admin_path

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder=None)

F = TypeVar("F", bound=Callable[..., Any])


class Access(enum.StrEnum):
    PUBLIC = "public"  # the login page
    VIEW = "view"  # any staff member
    MANAGE = "manage"  # managers and owners: products, promo codes, orders, refunds
    OWNER = "owner"  # owners: staff accounts, the audit log


ALLOWED_ROLES: dict[Access, frozenset[Role]] = {
    Access.VIEW: frozenset({Role.VIEWER, Role.MANAGER, Role.OWNER}),
    Access.MANAGE: frozenset({Role.MANAGER, Role.OWNER}),
    Access.OWNER: frozenset({Role.OWNER}),
}


def requires(access: Access) -> Callable[[F], F]:
    """Declare who may use a view."""

    def mark(view: F) -> F:
        view.admin_access = access  # type: ignore[attr-defined]
        return view

    return mark


def read_only_view(view: F) -> F:
    """Declare a record's page whose form posts to the same URL as open to roles that may
    not send that form: they see it read-only (fields disabled, no buttons). Any other form
    page is refused to them like its form (`tests/integration/test_admin_access.py`)."""
    view.admin_read_only = True  # type: ignore[attr-defined]
    return view


def is_read_only_view(endpoint: str) -> bool:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "admin_read_only", False)


@dataclass(frozen=True)
class FreshLogin:
    """A sensitive view's declaration; `back_to` is the page its form is on (for a POST)."""

    back_to: str | None


def fresh_login_required(back_to: str | None = None) -> Callable[[F], F]:
    """Declare a sensitive view: it needs a recent sign-in, else /admin/reauth first."""

    def mark(view: F) -> F:
        view.admin_fresh_login = FreshLogin(back_to)  # type: ignore[attr-defined]
        return view

    return mark


def fresh_login_of(endpoint: str) -> FreshLogin | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "admin_fresh_login", None)


# The sections in the back office's navigation: (endpoint, label, who sees the link).
SECTIONS: list[tuple[str, Any, Access]] = []


def section(endpoint: str, label: Any, access: Access) -> None:
    """Add a link to the navigation (each admin module adds its own)."""
    SECTIONS.append((endpoint, label, access))


def admin_sections() -> list[tuple[str, str]]:
    return [
        (endpoint, str(label))
        for endpoint, label, access in SECTIONS
        if can(access) and endpoint in current_app.view_functions
    ]


def access_of(endpoint: str) -> Access | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "admin_access", None)


def can(access: Access) -> bool:
    """For templates: may the signed-in staff member use views of this level?"""
    return current_user.is_authenticated and current_user.role in ALLOWED_ROLES[access]


def _sign_in_first() -> Response:
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?")), code=303)


@bp.before_request
def check_access() -> Response | None:
    access = access_of(request.endpoint or "")
    if access is None:
        abort(403)  # undeclared: refused to everyone
    if access == Access.PUBLIC:
        return None
    if not current_user.is_authenticated:
        return _sign_in_first()
    if answer := end_expired_session() or set_up_two_factor_first(request.endpoint or ""):
        return answer
    if current_user.role not in ALLOWED_ROLES[access]:
        abort(403)
    if (fresh := fresh_login_of(request.endpoint or "")) is not None:
        return reauthenticate_first(fresh.back_to)
    return None


@bp.after_request
def keep_out_of_caches_and_indexes(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_manager.user_loader
def load_staff(user_id: str) -> StaffMember | None:
    """The staff member of a session, if that session has not been ended since."""
    if g.get("database_down"):
        return None  # the 503 page is drawn without asking the database (shop.web.errors)
    member_id, _, version = user_id.partition(":")
    if not member_id.isdigit() or not version.isdigit():
        return None
    member = db.session.get(StaffMember, int(member_id))
    if member is None or not member.is_active or member.session_version != int(version):
        return None
    return member


def current_staff() -> StaffMember:
    """The signed-in staff member (behind `requires`, there always is one)."""
    member = current_user._get_current_object()
    assert isinstance(member, StaffMember)
    return member


def order_status_label(status: OrderStatus | str) -> str:
    from shop.labels import ORDER_STATUS_LABELS as STATUS_LABELS

    return str(STATUS_LABELS.get(OrderStatus(status), status))


def test_payments_warning() -> str | None:
    """For the back office's banner: "production" when the built-in test gateway takes a
    production shop's payments (customers can mark orders paid for nothing), "test" when it
    takes them elsewhere, None when Stripe does."""
    from shop.payments import uses_test_gateway

    if not uses_test_gateway(current_app.config):
        return None
    return "production" if current_app.config["SHOP_ENV"] == "production" else "test"


def keep_unknown_admin_urls_unknown() -> Response | None:
    """Send a visitor without a staff session to the sign-in page from any /admin URL that
    matches no route (or not with this method), as from every known one; staff get the
    honest 404 or 405. An app-wide hook: the blueprint's own runs only for its routes."""
    if not is_admin_path() or not isinstance(
        request.routing_exception, NotFound | MethodNotAllowed
    ):
        return None
    if current_user.is_authenticated:
        return end_expired_session()
    return _sign_in_first()


def register(app: Flask) -> None:
    # Importing the modules adds their routes to bp.
    from shop.web.admin import (  # noqa: F401
        articles,
        auth,
        dashboard,
        orders,
        pages,
        payment_events,
        products,
        promotions,
        recall,
        shipping,
        staff,
        two_factor,
    )
    from shop.web.wording import attention_texts

    login_manager.login_view = "admin.login"
    app.jinja_env.globals["admin_can"] = can
    app.jinja_env.globals["admin_sections"] = admin_sections
    app.jinja_env.globals["order_status_label"] = order_status_label
    app.jinja_env.globals["Access"] = Access
    app.jinja_env.globals["attention_texts"] = attention_texts
    app.jinja_env.globals["test_payments_warning"] = test_payments_warning
    app.register_blueprint(bp)
    # Before the age gate's hook, which would otherwise answer these first.
    app.before_request(keep_unknown_admin_urls_unknown)
