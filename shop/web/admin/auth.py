"""Staff sign-in, the code step, signing in again for sensitive actions, and sign-out.

One answer for an unknown e-mail and a wrong password; a new session at sign-in. Wrong
passwords, wrong codes and wrong passwords on /admin/reauth count together, per account
(5 a minute, 20 an hour) and per client address (30 a minute); only failures count.
A browser that signed in to the account before (its device cookie, `shop.web.admin.devices`)
is counted per device instead of per account (10 an hour), so a stranger's wrong passwords
cannot keep the member out. The counts live where `SHOP_RATELIMIT_STORAGE_URL` says (memory,
or Redis for several app servers). The forms are `ShopForm`s; the refusals come from the
services as data and are worded by `shop.web.wording`.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField

from shop import clock
from shop.extensions import db, limiter
from shop.rules.input import MAX_EMAIL_LENGTH
from shop.rules.promotions import normalise_email
from shop.services.staff import StaffError, authenticate, check_password, end_sessions
from shop.services.two_factor import (
    SecondFactor,
    WrongCode,
    unused_recovery_codes,
    verify_second_factor,
)
from shop.web.admin import Access, bp, requires
from shop.web.admin.devices import device_nonce, remember_device
from shop.web.admin.sessions import (
    admin_path,
    begin_second_step,
    end_session,
    forget_second_step,
    mark_authenticated,
    must_set_up_two_factor,
    second_step,
    second_step_email,
    start_session,
)
from shop.web.forms import ShopForm
from shop.web.wording import refusal_text

LOGIN_FAILED = 401
ACCOUNT_ATTEMPTS = "5 per minute;20 per hour"
ADDRESS_ATTEMPTS = "30 per minute"
# A browser that signed in to the account before: fewer than the account's hourly 20, since
# its owner knows the password, but its own, untouched by anyone else's guesses.
DEVICE_ATTEMPTS = "10 per hour"


def _account_email() -> str:
    """The account this step of signing in is about, whichever step the guess was at."""
    if request.endpoint == "admin.login":
        email = request.form.get("email", "")
    elif request.endpoint == "admin.login_two_factor":
        email = second_step_email()
    else:
        email = getattr(current_user, "email", "")
    return normalise_email(email)[:320]


def _account_key() -> str:
    return "staff-login:" + _account_email()


def _device_key() -> str:
    return f"staff-device:{device_nonce(_account_email())}"


def _from_known_device() -> bool:
    return device_nonce(_account_email()) is not None


def _from_unknown_device() -> bool:
    return not _from_known_device()


def _failed(response: Response) -> bool:
    return response.status_code == LOGIN_FAILED


def _throttled(view: Any) -> Any:
    limits = (
        (ACCOUNT_ATTEMPTS, "staff-sign-in", _account_key, _from_known_device),
        (DEVICE_ATTEMPTS, "staff-sign-in-device", _device_key, _from_unknown_device),
        (ADDRESS_ATTEMPTS, "staff-sign-in-address", get_remote_address, None),
    )
    for limit, scope, key_func, exempt_when in limits:
        view = limiter.shared_limit(
            limit,
            scope=scope,
            key_func=key_func,
            methods=["POST"],
            deduct_when=_failed,
            exempt_when=exempt_when,
        )(view)
    return view


def _admin_next() -> str:
    return admin_path(request.values.get("next"))


class SignInForm(ShopForm):
    # Not an EmailField: a malformed address gets the same answer as a wrong password.
    email = StringField(
        _l("E-mail address"), filters=[lambda typed: (typed or "")[:MAX_EMAIL_LENGTH]]
    )
    password = PasswordField(_l("Password"))


class SignInCodeForm(ShopForm):
    code = StringField(_l("Code"))


class ReauthForm(ShopForm):
    password = PasswordField(_l("Password"), id="reauth-password")
    code = StringField(_l("Code from your authenticator app"), id="reauth-code")


@bp.route("/login", methods=["GET", "POST"])
@requires(Access.PUBLIC)
@_throttled
def login() -> Response | tuple[str, int] | str:
    """Sign a staff member in: the password, then the code when two-factor sign-in is on."""
    form = SignInForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_admin_next(), code=303)
        return render_template("admin/login.html", form=form, next_path=_admin_next())
    now = clock.now()
    try:
        member = authenticate(
            db.session(), form.email.data or "", form.password.data or "", now=now
        )
    except StaffError as refused:
        page = render_template(
            "admin/login.html", form=form, next_path=_admin_next(), error=refusal_text(refused)
        )
        return page, LOGIN_FAILED
    target = _admin_next()
    if member.has_two_factor:
        begin_second_step(member, target, now=now)
        return redirect(url_for("admin.login_two_factor"), code=303)
    start_session(member, now=now)
    if must_set_up_two_factor(member):
        flash(_("The shop requires two-factor sign-in for your role: set it up now."), "error")
        return remember_device(redirect(url_for("admin.two_factor"), code=303), member.email)
    return remember_device(redirect(target, code=303), member.email)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@requires(Access.PUBLIC)
@_throttled
def login_two_factor() -> Response | tuple[str, int] | str:
    """Take the code from the app (or a recovery code) after a right password."""
    now = clock.now()
    pending = second_step(now=now)
    if pending is None:
        forget_second_step()
        flash(_("Please sign in again: the code must follow the password within 5 minutes."))
        return redirect(url_for("admin.login"), code=303)
    form = SignInCodeForm()
    if request.method == "GET":
        return render_template("admin/login_two_factor.html", form=form)
    try:
        used = verify_second_factor(db.session(), pending.member.id, form.code.data or "", now=now)
    except WrongCode as wrong:
        page = render_template("admin/login_two_factor.html", form=form, error=refusal_text(wrong))
        return page, LOGIN_FAILED
    start_session(pending.member, now=now)
    if used == SecondFactor.RECOVERY_CODE:
        left = unused_recovery_codes(db.session(), pending.member.id)
        flash(
            ngettext(
                "You signed in with a recovery code; %(num)s is left. Make new ones on the "
                "two-factor page if you no longer have your phone.",
                "You signed in with a recovery code; %(num)s are left. Make new ones on the "
                "two-factor page if you no longer have your phone.",
                left,
            ),
            "error",
        )
    return remember_device(redirect(pending.next_path, code=303), pending.member.email)


@bp.route("/reauth", methods=["GET", "POST"])
@requires(Access.VIEW)
@_throttled
def reauth() -> Response | tuple[str, int] | str:
    """Ask for the password (and code) again before a refund or a change to staff accounts."""
    target = _admin_next()
    form = ReauthForm()
    if request.method == "GET":
        return render_template("admin/reauth.html", form=form, next_path=target)
    member = current_user._get_current_object()
    now = clock.now()
    try:
        check_password(db.session(), member.id, form.password.data or "")
        if member.has_two_factor:
            verify_second_factor(db.session(), member.id, form.code.data or "", now=now)
    except WrongCode as wrong:
        form.code.errors = [refusal_text(wrong)]
    except StaffError as refused:
        form.password.errors = [refusal_text(refused)]
    if form.errors:
        page = render_template("admin/reauth.html", form=form, next_path=target)
        return page, LOGIN_FAILED
    mark_authenticated(now=now)
    return redirect(target, code=303)


@bp.post("/logout")
@requires(Access.VIEW)
def logout() -> Response:
    """Sign out here and end this account's sessions everywhere else."""
    end_sessions(db.session(), current_user.id)
    end_session()
    return redirect(url_for("admin.login"), code=303)
