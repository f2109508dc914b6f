"""Staff accounts: creating them, passwords, signing in, and ending sessions.

Passwords are hashed with argon2id. The rules follow current guidance (NIST SP 800-63B):
12 to 128 characters, no composition rules, and never one from the list of common
passwords shipped in `shop/data/common_passwords.txt` (compared case-insensitively).
Signing in answers the same for an unknown e-mail and a wrong password, and takes the same
time: an unknown e-mail is checked against a dummy hash.

Refusals are `StaffError`s carrying a `StaffRefusal` and its data; `shop.web.wording` words
them (in English for the command line).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.models import Role, StaffMember
from shop.refusals import Reason, Refused
from shop.rules.input import Unreadable, email_address
from shop.rules.promotions import normalise_email
from shop.services.audit import diff, record_change

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MAX_NAME_LENGTH = 200  # StaffMember.name's column

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked against when there is no such (active) account, so that a sign-in takes as long
# either way. Written out rather than hashed on import (a sixth of a second of every start);
# tests/unit/test_passwords.py proves it has the hasher's current parameters.
TIMING_EQUALISER_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$mBjY1zxpIICB3HMQwkmHjQ$"
    "9xtXf2L6+2uEbbohGcNGXDVxFbntYz4yA5bakBCNeg0"
)
_DUMMY_HASH = TIMING_EQUALISER_HASH  # the tests swap in a cheap one


class StaffRefusal(Reason):
    """Why a staff account change or a sign-in is refused."""

    PASSWORD_TOO_SHORT = "staff_password_too_short"  # count
    PASSWORD_TOO_LONG = "staff_password_too_long"  # count
    PASSWORD_TOO_COMMON = "staff_password_too_common"
    EMAIL_REQUIRED = "staff_email_required"
    NAME_TOO_LONG = "staff_name_too_long"  # count
    UNKNOWN_ROLE = "staff_unknown_role"
    EMAIL_TAKEN = "staff_email_taken"
    NO_SUCH_ACCOUNT = "staff_no_such_account"
    LAST_OWNER = "staff_last_owner"
    WRONG_CURRENT_PASSWORD = "staff_wrong_current_password"
    SIGN_IN_REFUSED = "staff_sign_in_refused"
    NOT_YOUR_PASSWORD = "staff_not_your_password"


class StaffError(Refused):
    """A staff account change or sign-in the shop refuses: a `StaffRefusal` and its data."""


class WrongPassword(StaffError):
    """The current password given to change one's own password is not the right one."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("shop").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line and not line.startswith("#")
    )


def password_problem(password: str) -> StaffError | None:
    """Why a password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return StaffError(StaffRefusal.PASSWORD_TOO_SHORT, count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return StaffError(StaffRefusal.PASSWORD_TOO_LONG, count=MAX_PASSWORD_LENGTH)
    if password.casefold() in common_passwords():
        return StaffError(StaffRefusal.PASSWORD_TOO_COMMON)
    return None


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise problem
    return _hasher.hash(password)


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise StaffError(StaffRefusal.UNKNOWN_ROLE) from None


def create_staff(
    session: Session,
    email: str,
    password: str,
    role: Role | str,
    *,
    now: datetime,
    name: str = "",
    actor: StaffMember | None = None,
) -> StaffMember:
    """Add a staff account (from the CLI, or by the owner in the back office)."""
    try:
        address = normalise_email(email_address(email))
    except Unreadable:
        raise StaffError(StaffRefusal.EMAIL_REQUIRED) from None
    if len(name.strip()) > MAX_NAME_LENGTH:
        raise StaffError(StaffRefusal.NAME_TOO_LONG, count=MAX_NAME_LENGTH)
    role = _role(role)
    password_hash = hash_password(password)
    begin_write(session)
    member = StaffMember(
        email=address,
        name=name.strip(),
        password_hash=password_hash,
        role=role,
        is_active=True,
        session_version=1,
        created_at=now,
    )
    session.add(member)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise StaffError(StaffRefusal.EMAIL_TAKEN) from None
    record_change(
        session,
        actor,
        "create",
        member,
        {"email": (None, address), "role": (None, str(role))},
        now=now,
        summary=f"staff account {address} ({role})",
    )
    session.commit()
    return member


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> StaffMember:
    """The active staff member with these credentials; else SIGN_IN_REFUSED, the same refusal
    in the same time whether the address or the password was wrong."""
    address = normalise_email(email or "")
    member = session.scalars(select(StaffMember).where(StaffMember.email == address)).first()
    candidate_hash = member.password_hash if member and member.is_active else _DUMMY_HASH
    try:
        _hasher.verify(candidate_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise StaffError(StaffRefusal.SIGN_IN_REFUSED) from None
    if member is None or not member.is_active:
        raise StaffError(StaffRefusal.SIGN_IN_REFUSED)
    begin_write(session)
    member = session.get(StaffMember, member.id)
    assert member is not None
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = _hasher.hash(password)
    member.last_login_at = now
    session.commit()
    return member


def check_password(session: Session, member_id: int, password: str) -> None:
    """Refuse (NOT_YOUR_PASSWORD) unless `password` is that of this active account; it is
    re-entered before a sensitive action."""
    member = session.get(StaffMember, member_id)
    candidate_hash = member.password_hash if member and member.is_active else _DUMMY_HASH
    try:
        _hasher.verify(candidate_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise StaffError(StaffRefusal.NOT_YOUR_PASSWORD) from None
    if member is None or not member.is_active:
        raise StaffError(StaffRefusal.NOT_YOUR_PASSWORD)


def change_password(
    session: Session, member_id: int, new_password: str, *, now: datetime, actor: StaffMember | None
) -> StaffMember:
    """Set a new password and end every session of that account."""
    password_hash = hash_password(new_password)
    begin_write(session)
    member = session.get(StaffMember, member_id)
    if member is None:
        session.rollback()
        raise StaffError(StaffRefusal.NO_SUCH_ACCOUNT)
    member.password_hash = password_hash
    member.session_version += 1
    record_change(
        session,
        actor,
        "change_password",
        member,
        {"password": ("…", "…")},
        now=now,
        summary=f"password of {member.email} changed",
    )
    session.commit()
    return member


def change_own_password(
    session: Session, member_id: int, current_password: str, new_password: str, *, now: datetime
) -> StaffMember:
    """Change one's own password after checking the current one; every session ends."""
    member = session.get(StaffMember, member_id)
    try:
        matches = member is not None and _hasher.verify(member.password_hash, current_password)
    except (VerificationError, InvalidHashError):
        matches = False
    if member is None or not matches:
        session.rollback()
        raise WrongPassword(StaffRefusal.WRONG_CURRENT_PASSWORD)
    return change_password(session, member_id, new_password, now=now, actor=member)


def end_sessions(session: Session, member_id: int) -> None:
    """Log the account out everywhere (logout ends the staff member's other sessions too)."""
    begin_write(session)
    session.execute(
        update(StaffMember)
        .where(StaffMember.id == member_id)
        .values(session_version=StaffMember.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def set_role(
    session: Session,
    member_id: int,
    role: Role | str,
    *,
    active: bool,
    now: datetime,
    actor: StaffMember | None,
) -> StaffMember:
    """Change an account's role or switch it off; the last active owner stays an owner."""
    role = _role(role)
    begin_write(session)
    # The owners first, locked, then the account, read afresh: two owners demoting each other
    # at once cannot both succeed (PostgreSQL; on SQLite begin_write lets one writer in).
    owners = session.scalars(
        select(StaffMember.id)
        .where(StaffMember.role == Role.OWNER, StaffMember.is_active)
        .with_for_update()
    ).all()
    member = session.get(StaffMember, member_id, with_for_update=True, populate_existing=True)
    if member is None:
        session.rollback()
        raise StaffError(StaffRefusal.NO_SUCH_ACCOUNT)
    if member.id in owners and len(owners) == 1 and (role != Role.OWNER or not active):
        session.rollback()
        raise StaffError(StaffRefusal.LAST_OWNER)
    changes = diff(
        {"role": str(member.role), "is_active": member.is_active},
        {"role": str(role), "is_active": active},
    )
    if not changes:
        session.rollback()
        return member
    member.role = role
    member.is_active = active
    member.session_version += 1  # new rights take effect at once, everywhere
    record_change(
        session, actor, "update", member, changes, now=now, summary=f"staff account {member.email}"
    )
    session.commit()
    return member
