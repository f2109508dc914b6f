"""The age gate's audit trail: one row per pass, refusal or failed verification, never a
date of birth, an IP or any claim an OpenID provider released about the person."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.db import Base, UTCDateTime, str_enum


class AgeCheckOutcome(enum.StrEnum):
    PASSED = "passed"
    REFUSED = "refused"
    # The provider refused, could not be reached, or its token failed a check: no age known.
    FAILED = "failed"


class AgeCheckMethod(enum.StrEnum):
    CONFIRM = "confirm"
    DOB = "dob"
    OIDC = "oidc"


class AgeCheck(Base):
    """A visitor answered the age gate: when, how, with what result, under which policy."""

    __tablename__ = "age_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[AgeCheckOutcome] = mapped_column(str_enum(AgeCheckOutcome, "age_check_outcome"))
    method: Mapped[AgeCheckMethod] = mapped_column(str_enum(AgeCheckMethod, "age_check_method"))
    policy_version: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int] = mapped_column(Integer)
    # OpenID Connect only: the provider's issuer URL and its reference of the transaction
    # (shop.services.age_verification.oidc.transaction_reference), never the person's claims.
    provider: Mapped[str | None] = mapped_column(String(255), default=None)
    reference: Mapped[str | None] = mapped_column(String(128), default=None)
