"""Staff accounts (owner only), the audit log (owner only), and one's own password.

The forms are WTForms classes (`shop.web.forms.ShopForm`): each message next to its own
control, the password rules checked by `services.staff.password_problem` and worded by
`shop.web.wording`. Every write goes through `shop.services.staff`, which records the audit
entry in the same transaction; this module only reads the audit log.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import Select, func, select
from werkzeug.wrappers import Response
from wtforms import Field, PasswordField, RadioField, SelectField, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired

from shop import clock
from shop.extensions import db, limiter
from shop.labels import role_name
from shop.models import AuditEntry, Role, StaffMember
from shop.rules.input import MAX_EMAIL_LENGTH, page_number
from shop.rules.promotions import normalise_email, window_from_local
from shop.services.staff import (
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    StaffError,
    WrongPassword,
    change_own_password,
    change_password,
    create_staff,
    password_problem,
    set_role,
)
from shop.web.admin import Access, bp, fresh_login_required, requires, section
from shop.web.forms import EmailField, ShopForm, one_line
from shop.web.wording import refusal_text

section("admin.staff_list", _l("Staff"), Access.OWNER)
section("admin.audit", _l("Audit log"), Access.OWNER)
section("admin.account_password", _l("Your password"), Access.VIEW)

# A form the shop refuses is answered with this status and the form again, messages inline.
FORM_REFUSED = 422
AUDIT_PAGE_SIZE = 50
MAX_FILTER_LENGTH = 60  # AuditEntry.object_id / action / object_type columns

ROLE_LABELS = {
    Role.OWNER: _l("Owner: everything, including staff accounts and the audit log"),
    Role.MANAGER: _l("Manager: products, promo codes, orders and refunds"),
    Role.VIEWER: _l("Viewer: sees the back office, changes nothing"),
}

# Wrong current passwords on the "your password" page: a stolen session must not become a
# way to guess the password behind it.
OWN_PASSWORD_ATTEMPTS = "5 per minute;20 per hour"


def _field(form: Mapping[str, str], name: str, limit: int = 400) -> str:
    return (form.get(name) or "").strip()[:limit]


def _member_or_404(member_id: int) -> StaffMember:
    member = db.session.get(StaffMember, member_id)
    if member is None:
        abort(404)
    return member


def _signed_in_again_if_changed(member: StaffMember) -> bool:
    """After a change to one's own account (which ends its sessions), keep this session.

    Returns False when the account may no longer sign in (it was switched off)."""
    if member.id != current_user.id:
        return True
    if not member.is_active:
        return False
    login_user(member)  # the stored id now carries the new session version
    return True


# --- The forms -----------------------------------------------------------------------------


def _acceptable_password(form: ShopForm, password: Field) -> None:
    problem = password_problem(password.data or "")
    if problem:
        raise ValidationError(refusal_text(problem))


def _same_password(form: ShopForm, again: Field) -> None:
    # Only once the first one may be used: one message at a time about the new password.
    password = form["password"]
    if not password.errors and again.data != password.data:
        raise ValidationError(_("The two passwords are not the same."))


def _at_most(limit: int) -> Any:
    def check(form: ShopForm, typed: Field) -> None:
        if len(typed.data or "") > limit:
            raise ValidationError(_("Please use at most %(n)s characters.", n=limit))

    return check


def _role_field(form_id: str) -> SelectField:
    return SelectField(
        _l("Role"),
        id=f"{form_id}-role",
        default=Role.VIEWER.value,
        validate_choice=False,  # AnyOf says it in the staff pages' words
        validators=[AnyOf([role.value for role in Role], message=_l("Please choose a role."))],
    )


def _role_choices() -> dict[str, str]:
    # Made per request: the labels are in the staff member's language.
    return {role.value: str(label) for role, label in ROLE_LABELS.items()}


class StaffEmailField(EmailField):
    """An e-mail address checked as everywhere in the shop, refused in the staff pages' words."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(
                _l("Please enter a valid e-mail address, like name@example.com.")
            ) from None


class NewAccountForm(ShopForm):
    email = StaffEmailField(
        _l("E-mail address"),
        id="new-email",
        validators=[DataRequired(_l("Please enter the staff member's e-mail address."))],
    )
    name = StringField(
        _l("Name"),
        id="new-name",
        filters=[one_line(MAX_NAME_LENGTH + 1)],
        validators=[_at_most(MAX_NAME_LENGTH)],
    )
    role = _role_field("new")
    password = PasswordField(
        _l("Initial password"), id="new-password", validators=[_acceptable_password]
    )
    password_again = PasswordField(
        _l("The same password again"), id="new-password_again", validators=[_same_password]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class AccessForm(ShopForm):
    role = _role_field("access")
    active = RadioField(
        _l("May sign in"),
        id="access-active",
        validate_choice=False,
        validators=[
            AnyOf(["yes", "no"], message=_l("Please say whether the account may sign in."))
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
        self.active.choices = {
            "yes": _("Yes, active"),
            "no": _("No, switched off (its sessions end)"),
        }

    @classmethod
    def of(cls, member: StaffMember) -> AccessForm:
        """The form showing the account as it is."""
        current = {"role": member.role.value, "active": "yes" if member.is_active else "no"}
        return cls(formdata=None, data=current)


class SetPasswordForm(ShopForm):
    password = PasswordField(
        _l("New password"), id="set-password", validators=[_acceptable_password]
    )
    password_again = PasswordField(
        _l("The same password again"), id="set-password_again", validators=[_same_password]
    )


class OwnPasswordForm(ShopForm):
    current_password = PasswordField(_l("Current password"), id="own-current_password")
    password = PasswordField(
        _l("New password"), id="own-password", validators=[_acceptable_password]
    )
    password_again = PasswordField(
        _l("The same password again"), id="own-password_again", validators=[_same_password]
    )


def password_rules() -> str:
    """The password rules, as shown next to every field where a password is chosen."""
    return _(
        "%(min)s to %(max)s characters. Any characters, spaces included; no mix of digits or "
        "symbols is required. Common passwords are refused: a few unrelated words work well.",
        min=MIN_PASSWORD_LENGTH,
        max=MAX_PASSWORD_LENGTH,
    )


# --- Staff accounts ------------------------------------------------------------------------


def _all_staff() -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember).order_by(StaffMember.is_active.desc(), StaffMember.email)
        )
    )


def _render_list(form: NewAccountForm, *, notice: str = "", status: int = 200) -> Any:
    page = render_template(
        "admin/staff/list.html",
        members=_all_staff(),
        form=form,
        notice=notice,
        password_rules=password_rules(),
    )
    return page, status


@bp.get("/staff")
@requires(Access.OWNER)
def staff_list() -> Any:
    """List the staff accounts, with a form to add one."""
    return _render_list(NewAccountForm(formdata=None))


@bp.post("/staff")
@requires(Access.OWNER)
@fresh_login_required(back_to="admin.staff_list")
def staff_create() -> Any:
    """Add a staff account with an initial password."""
    form = NewAccountForm()
    if not form.validate():
        return _render_list(form, status=FORM_REFUSED)
    try:
        member = create_staff(
            db.session(),
            form.email.data or "",
            form.password.data or "",
            form.role.data or "",
            name=form.name.data or "",
            now=clock.now(),
            actor=current_user._get_current_object(),
        )
    except StaffError as refused:
        return _render_list(form, notice=refusal_text(refused), status=FORM_REFUSED)
    flash(
        _(
            "Account %(email)s created (%(role)s).",
            email=member.email,
            role=role_name(member.role),
        )
    )
    return redirect(url_for("admin.staff_list"), code=303)


def _render_member(
    member: StaffMember,
    *,
    access: AccessForm | None = None,
    new_password: SetPasswordForm | None = None,
    notice: str = "",
    status: int = 200,
) -> Any:
    page = render_template(
        "admin/staff/edit.html",
        member=member,
        access=access or AccessForm.of(member),
        new_password=new_password or SetPasswordForm(formdata=None),
        notice=notice,
        password_rules=password_rules(),
    )
    return page, status


@bp.get("/staff/<int:member_id>")
@requires(Access.OWNER)
@fresh_login_required()
def staff_edit(member_id: int) -> Any:
    """Show one account: its role and whether it may sign in, and a new password for it."""
    return _render_member(_member_or_404(member_id))


@bp.post("/staff/<int:member_id>/access")
@requires(Access.OWNER)
@fresh_login_required(back_to="admin.staff_edit")
def staff_set_access(member_id: int) -> Any:
    """Change an account's role, or switch it off (its sessions end at once)."""
    member = _member_or_404(member_id)
    form = AccessForm()
    if not form.validate():
        # The messages, next to the account as it is (not a choice it was never given).
        form.role.data = member.role.value
        form.active.data = "yes" if member.is_active else "no"
        return _render_member(member, access=form, status=FORM_REFUSED)
    role, active = form.role.data, form.active.data == "yes"
    if role == member.role and active == member.is_active:
        flash(_("Nothing changed."))
        return redirect(url_for("admin.staff_edit", member_id=member.id), code=303)
    try:
        member = set_role(
            db.session(),
            member.id,
            role,
            active=active,
            now=clock.now(),
            actor=current_user._get_current_object(),
        )
    except StaffError as refused:
        member = _member_or_404(member_id)
        return _render_member(member, notice=refusal_text(refused), status=FORM_REFUSED)
    if not _signed_in_again_if_changed(member):
        logout_user()
        flash(_("Your account is switched off; you have been signed out."))
        return redirect(url_for("admin.login"), code=303)
    if member.is_active:
        flash(_("%(email)s is now %(role)s.", email=member.email, role=role_name(member.role)))
    else:
        flash(_("%(email)s is switched off; its sessions have ended.", email=member.email))
    if member.id == current_user.id and member.role != Role.OWNER:
        return redirect(url_for("admin.dashboard"), code=303)
    return redirect(url_for("admin.staff_list"), code=303)


@bp.post("/staff/<int:member_id>/password")
@requires(Access.OWNER)
@fresh_login_required(back_to="admin.staff_edit")
def staff_set_password(member_id: int) -> Any:
    """Give an account a new password; its sessions end."""
    member = _member_or_404(member_id)
    form = SetPasswordForm()
    if not form.validate():
        return _render_member(member, new_password=form, status=FORM_REFUSED)
    try:
        member = change_password(
            db.session(),
            member.id,
            form.password.data or "",
            now=clock.now(),
            actor=current_user._get_current_object(),
        )
    except StaffError as refused:
        form.password.errors = [refusal_text(refused)]
        return _render_member(_member_or_404(member_id), new_password=form, status=FORM_REFUSED)
    _signed_in_again_if_changed(member)
    flash(_("New password set for %(email)s; its sessions have ended.", email=member.email))
    return redirect(url_for("admin.staff_list"), code=303)


# --- One's own password --------------------------------------------------------------------


def _own_password_key() -> str:
    return f"staff-own-password:{getattr(current_user, 'id', 'anonymous')}"


def _wrong_current_password(response: Response) -> bool:
    return bool(g.get("wrong_current_password"))


def _render_own_password(form: OwnPasswordForm, status: int = 200) -> Any:
    page = render_template("admin/staff/password.html", form=form, password_rules=password_rules())
    return page, status


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Access.VIEW)
@limiter.limit(
    OWN_PASSWORD_ATTEMPTS,
    key_func=_own_password_key,
    methods=["POST"],
    deduct_when=_wrong_current_password,
)
def account_password() -> Any:
    """Change one's own password; the account's other sessions end, this one continues."""
    if request.method == "GET":
        return _render_own_password(OwnPasswordForm(formdata=None))
    form = OwnPasswordForm()
    if not form.validate():
        return _render_own_password(form, FORM_REFUSED)
    try:
        member = change_own_password(
            db.session(),
            current_user.id,
            form.current_password.data or "",
            form.password.data or "",
            now=clock.now(),
        )
    except WrongPassword as wrong:
        g.wrong_current_password = True
        form.current_password.errors = [refusal_text(wrong)]
    except StaffError as refused:
        form.password.errors = [refusal_text(refused)]
    else:
        login_user(member)  # this session carries the new version; the others end
        flash(_("Your password has been changed. Your other sessions have ended."))
        return redirect(url_for("admin.account_password"), code=303)
    return _render_own_password(form, FORM_REFUSED)


# --- The audit log -------------------------------------------------------------------------


@dataclass
class AuditFilters:
    """The audit page's filters as typed (kept for the form) and what is wrong with them."""

    staff: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilters:
        return cls(
            staff=_field(args, "staff", MAX_EMAIL_LENGTH),
            object_type=_field(args, "object_type", MAX_FILTER_LENGTH),
            object_id=_field(args, "object_id", MAX_FILTER_LENGTH),
            action=_field(args, "action", MAX_FILTER_LENGTH),
            date_from=_field(args, "from", 10),
            date_to=_field(args, "to", 10),
        )

    def as_args(self) -> dict[str, str]:
        """The filters for links to other pages of the same list."""
        values = {
            "staff": self.staff,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "action": self.action,
            "from": self.date_from,
            "to": self.date_to,
        }
        return {key: value for key, value in values.items() if value}

    def _day(self, name: str, raw: str) -> date | None:
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("Please enter a date like 2025-11-02.")
            return None

    def apply(self, query: Select[Any]) -> Select[Any]:
        """Narrow `query` by every filter that makes sense; note those that do not."""
        if self.staff:
            query = query.where(AuditEntry.staff_email == normalise_email(self.staff))
        if self.object_type:
            query = query.where(AuditEntry.object_type == self.object_type)
        if self.object_id:
            query = query.where(AuditEntry.object_id == self.object_id)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        first, last = self._day("from", self.date_from), self._day("to", self.date_to)
        if first and last and last < first:
            self.errors["to"] = _("The last date is before the first.")
            return query
        try:
            # Local calendar days, the last one included, as staff read them.
            window = window_from_local(first, last, clock.shop_timezone())
        except (ValueError, OverflowError):
            self.errors["from"] = _("Please enter a date like 2025-11-02.")
            return query
        if window.starts_at is not None:
            query = query.where(AuditEntry.at >= window.starts_at)
        if window.ends_at is not None:
            query = query.where(AuditEntry.at < window.ends_at)
        return query


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any


def field_changes(entry: AuditEntry) -> list[FieldChange] | None:
    """The entry's fields before → after, or None when its record cannot be read as such."""
    try:
        changes = json.loads(entry.changes or "{}")
    except ValueError:
        return None
    if not isinstance(changes, dict):
        return None
    shown = []
    for name, pair in changes.items():
        if isinstance(pair, list) and len(pair) == 2:
            shown.append(FieldChange(str(name), pair[0], pair[1]))
        else:
            shown.append(FieldChange(str(name), None, pair))
    return shown


def _choices(column: Any) -> list[str]:
    return list(db.session.scalars(select(column).distinct().order_by(column)))


@bp.get("/audit")
@requires(Access.OWNER)
def audit() -> Any:
    """Browse the audit log, newest first, filtered by who, what, which object and when."""
    filters = AuditFilters.from_args(request.args)
    query = filters.apply(select(AuditEntry))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / AUDIT_PAGE_SIZE))
    page = min(page_number(request.args.get("page")), pages)
    entries = db.session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    rendered = render_template(
        "admin/audit/list.html",
        entries=[(entry, field_changes(entry)) for entry in entries],
        filters=filters,
        total=total,
        page=page,
        pages=pages,
        staff_choices=_choices(AuditEntry.staff_email),
        type_choices=_choices(AuditEntry.object_type),
        action_choices=_choices(AuditEntry.action),
        timezone=clock.shop_timezone().key,
    )
    return rendered, 400 if filters.errors else 200
