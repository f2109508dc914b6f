"""The age gate's audit trail: one row per pass or refusal, never a date of birth or an IP."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from shop.db import Base, UTCDateTime, str_enum


class AgeCheckOutcome(enum.StrEnum):
    PASSED = "passed"
    REFUSED = "refused"


class AgeCheckMethod(enum.StrEnum):
    CONFIRM = "confirm"
    DOB = "dob"


class AgeCheck(Base):
    """A visitor answered the age gate: when, how, with what result, under which policy."""

    __tablename__ = "age_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[AgeCheckOutcome] = mapped_column(str_enum(AgeCheckOutcome, "age_check_outcome"))
    method: Mapped[AgeCheckMethod] = mapped_column(str_enum(AgeCheckMethod, "age_check_method"))
    policy_version: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int] = mapped_column(Integer)
