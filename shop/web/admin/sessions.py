"""A staff session's life: when it began, when it was last used, when the password was last
given; the half-signed-in state between the password and the code; and the three checks
the back office's `before_request` makes with them.

Everything lives in the signed session cookie as seconds since the epoch (the cookie is
signed, so staff cannot move them; it is not encrypted, so nothing secret goes in it):

- `staff_signed_in_at`: the sign-in (password and, when switched on, the code);
- `staff_last_used_at`: the last back-office request;
- `staff_authenticated_at`: the sign-in, or the last re-entered password on /admin/reauth;
- `staff_second_step`: after a right password, before the code: which account, when, and
  where to go next. Flask-Login's user is not set, so no admin page opens with it.

Past `SHOP_STAFF_IDLE_MINUTES` without use or `SHOP_STAFF_SESSION_HOURS` after the sign-in,
the next back-office request signs the session out (as the logout button does for this
browser; the account's other sessions go on) and shows the sign-in page saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.models import StaffMember
from shop.rules.staff_sessions import SessionEnd, SessionLimits, is_recent, why_session_ends
from shop.services.two_factor import is_required_for
from shop.web.redirects import safe_next

SIGNED_IN_AT = "staff_signed_in_at"
LAST_USED_AT = "staff_last_used_at"
AUTHENTICATED_AT = "staff_authenticated_at"
SECOND_STEP = "staff_second_step"

# The code must follow the password within this time; then the password is asked again.
SECOND_STEP_TIME = timedelta(minutes=5)

# What a member who must set up two-factor sign-in may still open until it is done.
WHILE_SETTING_UP_TWO_FACTOR = frozenset(
    {"admin.two_factor", "admin.two_factor_start", "admin.two_factor_confirm", "admin.logout"}
)


def limits() -> SessionLimits:
    config = current_app.config
    return SessionLimits.from_minutes(
        idle=config["SHOP_STAFF_IDLE_MINUTES"],
        absolute_hours=config["SHOP_STAFF_SESSION_HOURS"],
        reauthenticate=config["SHOP_STAFF_REAUTH_MINUTES"],
    )


def _stamp(instant: datetime) -> float:
    return instant.timestamp()


def _instant(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def admin_path(raw: str | None) -> str:
    """`raw` if it is a page of the back office on this site, else the dashboard."""
    target = safe_next(raw, default="/admin/")
    # Browsers resolve "." and ".." segments (also as %2e), so "/admin/../cart" means "/cart".
    if {".", ".."} & set(unquote(urlsplit(target).path).split("/")):
        return "/admin/"
    return target if target.startswith("/admin/") or target == "/admin" else "/admin/"


def _page_of_this_request(back_to: str | None = None) -> str:
    """Where to come back to after signing in again: this page, or for a form sent with POST
    (which is never replayed) the page the form is on."""
    if request.method in {"GET", "HEAD"}:
        return admin_path(request.full_path.rstrip("?"))
    if back_to:
        return admin_path(url_for(back_to, **(request.view_args or {})))
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return "/admin/"
    return admin_path(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


# --- Signing in and out --------------------------------------------------------------------


def start_session(member: StaffMember, *, now: datetime) -> None:
    """Sign `member` in with a new session: nothing from before carries over."""
    session.clear()  # a planted session id or half-finished sign-in, say
    login_user(member)
    session[SIGNED_IN_AT] = session[LAST_USED_AT] = session[AUTHENTICATED_AT] = _stamp(now)


def end_session() -> None:
    """Sign this browser out (the account's other sessions are left alone)."""
    logout_user()
    session.clear()


def mark_authenticated(*, now: datetime) -> None:
    """The password (and code) were just given again."""
    session[AUTHENTICATED_AT] = _stamp(now)


def is_fresh(*, now: datetime) -> bool:
    return is_recent(
        _instant(session.get(AUTHENTICATED_AT)), now=now, window=limits().reauthenticate
    )


# --- Between the password and the code -----------------------------------------------------


@dataclass(frozen=True)
class SecondStep:
    member: StaffMember
    next_path: str


def begin_second_step(member: StaffMember, next_path: str, *, now: datetime) -> None:
    session.clear()
    session[SECOND_STEP] = {
        "id": member.id,
        "version": member.session_version,
        "email": member.email,
        "at": _stamp(now),
        "next": next_path,
    }


def second_step(*, now: datetime) -> SecondStep | None:
    """The account waiting for its code, if the password was right less than 5 minutes ago
    and nothing about the account changed since."""
    pending = session.get(SECOND_STEP)
    if not isinstance(pending, dict):
        return None
    began = _instant(pending.get("at"))
    if began is None or not timedelta(0) <= now - began <= SECOND_STEP_TIME:
        return None
    member_id = pending.get("id")
    member = db.session.get(StaffMember, member_id) if isinstance(member_id, int) else None
    if (
        member is None
        or not member.is_active
        or not member.has_two_factor
        or member.session_version != pending.get("version")
    ):
        return None
    return SecondStep(member, admin_path(pending.get("next")))


def second_step_email() -> str:
    pending = session.get(SECOND_STEP)
    return str(pending.get("email", ""))[:320] if isinstance(pending, dict) else ""


def forget_second_step() -> None:
    session.pop(SECOND_STEP, None)


# --- The checks before every signed-in back-office request ---------------------------------

END_MESSAGES = {
    SessionEnd.IDLE: lambda: _(
        "You were signed out after %(minutes)s minutes without activity. Please sign in again.",
        minutes=current_app.config["SHOP_STAFF_IDLE_MINUTES"],
    ),
    SessionEnd.ABSOLUTE: lambda: _(
        "You were signed out because a session lasts at most %(hours)s hours. "
        "Please sign in again.",
        hours=current_app.config["SHOP_STAFF_SESSION_HOURS"],
    ),
    SessionEnd.UNKNOWN: lambda: _("Your session has ended. Please sign in again."),
}


def end_expired_session() -> Response | None:
    """Sign out a session past its idle or absolute limit; else note that it was used now."""
    now = clock.now()
    ended = why_session_ends(
        _instant(session.get(SIGNED_IN_AT)),
        _instant(session.get(LAST_USED_AT)),
        now=now,
        limits=limits(),
    )
    if ended is None:
        # Never backwards: a clock set back must not stretch the next idle period.
        last_used = _instant(session.get(LAST_USED_AT))
        session[LAST_USED_AT] = _stamp(max(now, last_used) if last_used else now)
        return None
    back_to = _page_of_this_request()
    end_session()
    flash(END_MESSAGES[ended](), "error")
    return redirect(url_for("admin.login", next=back_to), code=303)


def must_set_up_two_factor(member: StaffMember) -> bool:
    """Does the shop require two-factor sign-in of this member, who has not set it up?"""
    return not member.has_two_factor and is_required_for(
        member.role, required=current_app.config["SHOP_STAFF_2FA_REQUIRED"]
    )


def set_up_two_factor_first(endpoint: str) -> Response | None:
    """An owner or manager without two-factor sign-in, where it is required, may only set
    it up (or sign out)."""
    if endpoint in WHILE_SETTING_UP_TWO_FACTOR or not must_set_up_two_factor(current_user):
        return None
    flash(_("Set up two-factor sign-in first: the shop requires it for your role."), "error")
    return redirect(url_for("admin.two_factor"), code=303)


def reauthenticate_first(back_to: str | None) -> Response | None:
    """Send a sensitive request whose sign-in is too old to /admin/reauth, and back later."""
    if is_fresh(now=clock.now()):
        return None
    if request.method not in {"GET", "HEAD"}:
        flash(
            _("Nothing was changed. Confirm it is you, then send the form again."),
            "error",
        )
    return redirect(url_for("admin.reauth", next=_page_of_this_request(back_to)), code=303)
