"""Two-factor sign-in pages: one's own set-up (QR code, then a code to confirm), recovery
codes shown once, switching it off, and an owner's reset of another account's.

The QR code is an inline SVG made by segno: plain `<svg>`/`<path>` elements with
presentation attributes, no `style=` and no script, so the strict CSP lets it through and
no image request carries the secret anywhere.
"""

from __future__ import annotations

from typing import Any

import segno
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import StringField

from shop import clock
from shop.extensions import db
from shop.models import StaffMember
from shop.services.two_factor import (
    RECOVERY_CODE_COUNT,
    TwoFactorError,
    WrongCode,
    confirm_enrolment,
    disable_own_two_factor,
    is_required_for,
    provisioning_uri,
    replace_recovery_codes,
    reset_two_factor,
    start_enrolment,
    unused_recovery_codes,
)
from shop.web.admin import Access, bp, fresh_login_required, requires, section
from shop.web.forms import ShopForm
from shop.web.wording import refusal_text

section("admin.two_factor", _l("Two-factor"), Access.VIEW)

FORM_REFUSED = 422


class SetUpCodeForm(ShopForm):
    code = StringField(_l("Code from the app"))


def qr_code_svg(uri: str) -> Markup:
    """The otpauth address as an inline SVG QR code (dark on light, quiet zone included)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4,
        svgclass="two-factor-qr",
        lineclass=None,
        title=_("QR code for your authenticator app"),
    )
    # Safe as it is: segno writes numbers and path data, and escapes the title.
    return Markup(svg)


def _required() -> bool:
    return is_required_for(
        current_user.role, required=current_app.config["SHOP_STAFF_2FA_REQUIRED"]
    )


def _me() -> StaffMember:
    return current_user._get_current_object()


def _render(
    status: int = 200, *, form: SetUpCodeForm | None = None, error: str = ""
) -> tuple[str, int]:
    member = _me()
    db.session.refresh(member)
    setting_up = bool(member.totp_secret) and not member.has_two_factor
    secret = member.totp_secret or ""
    page = render_template(
        "admin/two_factor/setup.html",
        member=member,
        required=_required(),
        setting_up=setting_up,
        qr_code=qr_code_svg(provisioning_uri(member)) if setting_up else None,
        secret_groups=[secret[i : i + 4] for i in range(0, len(secret), 4)] if setting_up else [],
        codes_left=unused_recovery_codes(db.session(), member.id) if member.has_two_factor else 0,
        form=form or SetUpCodeForm(formdata=None),
        error=error,
    )
    return page, status


def _recovery_codes_page(codes: list[str], *, first_time: bool) -> Any:
    return render_template(
        "admin/two_factor/recovery_codes.html",
        codes=codes,
        first_time=first_time,
        count=RECOVERY_CODE_COUNT,
    )


@bp.get("/account/two-factor")
@requires(Access.VIEW)
def two_factor() -> Any:
    """Show one's two-factor sign-in: off (with a button to set it up), being set up, or on."""
    return _render()


@bp.post("/account/two-factor/start")
@requires(Access.VIEW)
def two_factor_start() -> Any:
    """Make a new secret for one's app (kept unconfirmed until a right code comes back)."""
    try:
        start_enrolment(db.session(), current_user.id)
    except TwoFactorError as refused:
        flash(refusal_text(refused), "error")
    return redirect(url_for("admin.two_factor"), code=303)


@bp.post("/account/two-factor/confirm")
@requires(Access.VIEW)
def two_factor_confirm() -> Any:
    """Switch two-factor sign-in on with a right code; show the recovery codes once."""
    form = SetUpCodeForm()
    try:
        codes = confirm_enrolment(
            db.session(), current_user.id, form.code.data or "", now=clock.now()
        )
    except WrongCode as wrong:
        return _render(FORM_REFUSED, form=form, error=refusal_text(wrong))
    except TwoFactorError as refused:
        flash(refusal_text(refused), "error")
        return redirect(url_for("admin.two_factor"), code=303)
    return _recovery_codes_page(codes, first_time=True)


@bp.post("/account/two-factor/recovery-codes")
@requires(Access.VIEW)
@fresh_login_required(back_to="admin.two_factor")
def two_factor_recovery_codes() -> Any:
    """Replace one's recovery codes; the old ones stop working."""
    try:
        codes = replace_recovery_codes(db.session(), current_user.id, now=clock.now())
    except TwoFactorError as refused:
        flash(refusal_text(refused), "error")
        return redirect(url_for("admin.two_factor"), code=303)
    return _recovery_codes_page(codes, first_time=False)


@bp.post("/account/two-factor/disable")
@requires(Access.VIEW)
@fresh_login_required(back_to="admin.two_factor")
def two_factor_disable() -> Any:
    """Switch one's own two-factor sign-in off, where the shop does not require it."""
    try:
        disable_own_two_factor(db.session(), current_user.id, now=clock.now(), required=_required())
    except TwoFactorError as refused:
        return _render(FORM_REFUSED, error=refusal_text(refused))
    flash(_("Two-factor sign-in is off. Your recovery codes no longer work."))
    return redirect(url_for("admin.two_factor"), code=303)


@bp.post("/staff/<int:member_id>/two-factor/reset")
@requires(Access.OWNER)
@fresh_login_required(back_to="admin.staff_edit")
def staff_reset_two_factor(member_id: int) -> Response:
    """For a lost phone: switch another account's two-factor sign-in off; its sessions end."""
    if member_id == current_user.id:
        flash(_("Your own two-factor sign-in is managed on the two-factor page."), "error")
        return redirect(url_for("admin.two_factor"), code=303)
    if db.session.get(StaffMember, member_id) is None:
        abort(404)
    outcome = reset_two_factor(db.session(), member_id, now=clock.now(), actor=_me())
    flash(
        _(
            "Two-factor sign-in of %(email)s is reset and its sessions have ended. They set it "
            "up again at their next sign-in.",
            email=outcome.email,
        )
    )
    return redirect(url_for("admin.staff_edit", member_id=member_id), code=303)
