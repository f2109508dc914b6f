"""Staff accounts (separate from customers, who have none), their two-factor recovery codes,
and the audit log of their changes.

The TOTP secret is stored as it is, in the staff account's row: the shop must read it to
check a code, so a hash would not do. What protects it is what protects the database itself:
its access control, the network it is on, encrypted disks and backups. Copying it also takes
the password (argon2id-hashed) to sign in. A deployer who wants more can encrypt the column
with a key kept outside the database (a KMS, or a key file only the app servers read) in a
type decorator like `UTCDateTime`; the rest of the code would not change.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, UTCDateTime, str_enum


class Role(enum.StrEnum):
    OWNER = "owner"  # everything, including staff accounts and the audit log
    MANAGER = "manager"  # products, promo codes, orders, refunds
    VIEWER = "viewer"  # reads everything it may see, changes nothing


class StaffMember(Base):
    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "staff_role"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised by logout and a password change: sessions carrying an older number end.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (TOTP). The secret is kept unconfirmed (enabled_at None) until the
    # staff member types a right code from their app; see the module's docstring.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step a code was accepted for: that code and older ones are refused.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    recovery_codes: Mapped[list[StaffRecoveryCode]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class StaffRecoveryCode(Base):
    """A single-use code for signing in without the phone, stored as a SHA-256 hash.

    SHA-256 and not argon2: the codes are 80 random bits, which no guessing can reach, fast
    hash or slow, and a sign-in compares one typed code with up to ten stored ones (argon2
    would make that ten deliberately slow hashes). Only a hash, so a database copy holds no
    code that works.
    """

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[StaffMember] = relationship(back_populates="recovery_codes")


class AuditEntry(Base):
    """Who changed what, when: fields before → after, written with the change itself."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), index=True
    )
    staff_email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(String(300), default="")
    # JSON: {"field": [before, after], …}
    changes: Mapped[str] = mapped_column(Text, default="{}")

    staff: Mapped[StaffMember | None] = relationship()
