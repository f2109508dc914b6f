"""Two-factor sign-in for staff: setting it up, checking a code, recovery codes, switching it
off, and the owner's (or the command line's) reset for a lost phone.

The codes are TOTP (RFC 6238, 30-second steps, six digits), as every authenticator app
makes them; the rules are in `shop.rules.two_factor`. The secret is stored in the staff
member's row (see `shop.models.staff` for what protects it). Each accepted code moves the
account's last used step forward in one conditional UPDATE, so the same code cannot be used
twice, not even by two requests at the same moment; a recovery code is marked used the same
way. Refusals are `TwoFactorError`s carrying a `TwoFactorRefusal` (or, for an account that is
gone, `StaffRefusal.NO_SUCH_ACCOUNT`); `shop.web.wording` words them.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from shop.db import begin_write, rows_changed
from shop.models import Role, StaffMember, StaffRecoveryCode
from shop.refusals import Reason
from shop.rules.two_factor import (
    RECOVERY_CODE_ALPHABET,
    RECOVERY_CODE_LENGTH,
    format_recovery_code,
    is_totp_shaped,
    matching_step,
    normalise_code,
)
from shop.services.audit import record_change
from shop.services.staff import StaffError, StaffRefusal

RECOVERY_CODE_COUNT = 10
ISSUER = "Paddo & Co."
# Roles that must use two-factor sign-in when SHOP_STAFF_2FA_REQUIRED is on: those who can
# change the shop. Viewers change nothing and may choose.
ROLES_THAT_MUST = frozenset({Role.OWNER, Role.MANAGER})


class TwoFactorRefusal(Reason):
    """Why a two-factor change or a code is refused."""

    NOT_STARTED = "two_factor_not_started"
    ALREADY_ON = "two_factor_already_on"
    ALREADY_OFF = "two_factor_already_off"
    NOTHING_TO_CHECK = "two_factor_nothing_to_check"
    REQUIRED_FOR_ROLE = "two_factor_required_for_role"
    # A code refused: while setting up, at sign-in, and at sign-in when it was already used.
    WRONG_SET_UP_CODE = "two_factor_wrong_set_up_code"
    WRONG_CODE = "two_factor_wrong_code"
    WRONG_OR_USED_CODE = "two_factor_wrong_or_used_code"


class TwoFactorError(StaffError):
    """A two-factor change the shop refuses: a `TwoFactorRefusal` and its data."""


class WrongCode(TwoFactorError):
    """The code typed is not one that may be used now."""


class SecondFactor(enum.StrEnum):
    APP = "app"
    RECOVERY_CODE = "recovery_code"


@dataclass(frozen=True)
class ResetOutcome:
    email: str
    was_enabled: bool
    recovery_codes_removed: int


def is_required_for(role: Role | str, *, required: bool) -> bool:
    """Must an account of this role use two-factor sign-in under the shop's setting?"""
    return required and Role(role) in ROLES_THAT_MUST


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def _new_recovery_codes(session: Session, member: StaffMember, now: datetime) -> list[str]:
    """Replace the account's recovery codes with new ones; the plain codes, formatted."""
    session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == member.id))
    codes = [
        "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    session.add_all(
        StaffRecoveryCode(staff_id=member.id, code_hash=hash_recovery_code(code), created_at=now)
        for code in codes
    )
    return [format_recovery_code(code) for code in codes]


def _member_for_update(session: Session, member_id: int) -> StaffMember:
    member = session.get(StaffMember, member_id, with_for_update=True, populate_existing=True)
    if member is None:
        session.rollback()
        raise TwoFactorError(StaffRefusal.NO_SUCH_ACCOUNT)
    return member


def provisioning_uri(member: StaffMember) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    if not member.totp_secret:
        raise TwoFactorError(TwoFactorRefusal.NOT_STARTED)
    return pyotp.TOTP(member.totp_secret).provisioning_uri(name=member.email, issuer_name=ISSUER)


def start_enrolment(session: Session, member_id: int) -> StaffMember:
    """Give the account a new, unconfirmed secret (replacing an unconfirmed one)."""
    begin_write(session)
    member = _member_for_update(session, member_id)
    if member.has_two_factor:
        session.rollback()
        raise TwoFactorError(TwoFactorRefusal.ALREADY_ON)
    # 160 bits, RFC 4226's recommended length; base32, as the apps expect it.
    member.totp_secret = pyotp.random_base32(length=32)
    member.totp_enabled_at = None
    member.totp_last_step = None
    session.commit()
    return member


def confirm_enrolment(session: Session, member_id: int, code: str, *, now: datetime) -> list[str]:
    """Switch two-factor sign-in on once a code from the app is right; the recovery codes."""
    begin_write(session)
    member = _member_for_update(session, member_id)
    if member.has_two_factor:
        session.rollback()
        raise TwoFactorError(TwoFactorRefusal.ALREADY_ON)
    if not member.totp_secret:
        session.rollback()
        raise TwoFactorError(TwoFactorRefusal.NOTHING_TO_CHECK)
    step = matching_step(member.totp_secret, normalise_code(code), now=now, last_used_step=None)
    if step is None:
        session.rollback()
        raise WrongCode(TwoFactorRefusal.WRONG_SET_UP_CODE)
    member.totp_enabled_at = now
    member.totp_last_step = step  # the code that switched it on cannot also sign in
    codes = _new_recovery_codes(session, member, now)
    record_change(
        session,
        member,
        "enable_two_factor",
        member,
        {"two_factor": ("off", "on")},
        now=now,
        summary=f"two-factor sign-in switched on for {member.email}",
    )
    session.commit()
    return codes


def verify_second_factor(
    session: Session, member_id: int, code: str, *, now: datetime
) -> SecondFactor:
    """Accept a code from the app or an unused recovery code, once; WrongCode otherwise."""
    typed = normalise_code(code)
    begin_write(session)
    member = session.get(StaffMember, member_id, populate_existing=True)
    if member is None or not member.has_two_factor or not member.is_active:
        session.rollback()
        raise WrongCode(TwoFactorRefusal.WRONG_CODE)
    assert member.totp_secret is not None
    if is_totp_shaped(typed):
        step = matching_step(
            member.totp_secret, typed, now=now, last_used_step=member.totp_last_step
        )
        # Conditional: of two requests with the same code, only one moves the step on.
        moved = (
            step is not None
            and rows_changed(
                session,
                update(StaffMember)
                .where(
                    StaffMember.id == member_id,
                    or_(StaffMember.totp_last_step.is_(None), StaffMember.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False),
            )
            == 1
        )
        if not moved:
            session.rollback()
            raise WrongCode(TwoFactorRefusal.WRONG_OR_USED_CODE)
        session.commit()
        return SecondFactor.APP
    used = rows_changed(
        session,
        update(StaffRecoveryCode)
        .where(
            StaffRecoveryCode.staff_id == member_id,
            StaffRecoveryCode.code_hash == hash_recovery_code(typed),
            StaffRecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False),
    )
    if used != 1:
        session.rollback()
        raise WrongCode(TwoFactorRefusal.WRONG_CODE)
    left = unused_recovery_codes(session, member_id)
    record_change(
        session,
        member,
        "use_recovery_code",
        member,
        {"recovery_codes_left": (left + 1, left)},
        now=now,
        summary=f"{member.email} signed in with a recovery code ({left} left)",
    )
    session.commit()
    return SecondFactor.RECOVERY_CODE


def unused_recovery_codes(session: Session, member_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(StaffRecoveryCode)
            .where(StaffRecoveryCode.staff_id == member_id, StaffRecoveryCode.used_at.is_(None))
        )
        or 0
    )


def replace_recovery_codes(session: Session, member_id: int, *, now: datetime) -> list[str]:
    """New recovery codes for one's own account; the old ones stop working."""
    begin_write(session)
    member = _member_for_update(session, member_id)
    if not member.has_two_factor:
        session.rollback()
        raise TwoFactorError(TwoFactorRefusal.ALREADY_OFF)
    codes = _new_recovery_codes(session, member, now)
    record_change(
        session,
        member,
        "replace_recovery_codes",
        member,
        {"recovery_codes": ("…", "…")},
        now=now,
        summary=f"new recovery codes for {member.email}",
    )
    session.commit()
    return codes


def _switch_off(session: Session, member: StaffMember) -> int:
    removed = rows_changed(
        session, delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == member.id)
    )
    member.totp_secret = None
    member.totp_enabled_at = None
    member.totp_last_step = None
    return removed or 0


def disable_own_two_factor(
    session: Session, member_id: int, *, now: datetime, required: bool
) -> StaffMember:
    """Switch off one's own two-factor sign-in, unless the shop requires it for the role."""
    begin_write(session)
    member = _member_for_update(session, member_id)
    if is_required_for(member.role, required=required):
        session.rollback()
        raise TwoFactorError(TwoFactorRefusal.REQUIRED_FOR_ROLE)
    if not member.has_two_factor:
        session.rollback()
        raise TwoFactorError(TwoFactorRefusal.ALREADY_OFF)
    _switch_off(session, member)
    record_change(
        session,
        member,
        "disable_two_factor",
        member,
        {"two_factor": ("on", "off")},
        now=now,
        summary=f"two-factor sign-in switched off by {member.email}",
    )
    session.commit()
    return member


def reset_two_factor(
    session: Session, member_id: int, *, now: datetime, actor: StaffMember | None
) -> ResetOutcome:
    """For a lost phone: switch the account's two-factor sign-in off and end its sessions.

    By an owner in the back office, or from the command line (`actor` None). The member sets
    it up again at the next sign-in (where the shop requires it for their role)."""
    begin_write(session)
    member = _member_for_update(session, member_id)
    was_enabled = member.has_two_factor
    removed = _switch_off(session, member)
    member.session_version += 1  # whoever holds a session of the account signs in afresh
    record_change(
        session,
        actor,
        "reset_two_factor",
        member,
        {"two_factor": ("on" if was_enabled else "off", "off")},
        now=now,
        summary=f"two-factor sign-in of {member.email} reset",
    )
    session.commit()
    return ResetOutcome(member.email, was_enabled, removed)
