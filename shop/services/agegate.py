"""The age gate's decisions: what a verification in the session means, and the audit row.

A verification is a small dict kept in the signed session cookie (never a date of birth):
when it was made, by which method, under which policy version, the age it proved, and
whether the visitor asked to be remembered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.models import AgeCheck, AgeCheckMethod, AgeCheckOutcome


@dataclass(frozen=True)
class Verification:
    verified_at: datetime
    method: AgeCheckMethod
    policy_version: int
    proven_age: int
    remember: bool

    def to_session(self) -> dict[str, Any]:
        return {
            "at": int(self.verified_at.timestamp()),
            "m": str(self.method),
            "v": self.policy_version,
            "age": self.proven_age,
            "r": self.remember,
        }

    @classmethod
    def from_session(cls, data: object) -> Verification | None:
        """Read what the cookie holds; anything malformed counts as no verification."""
        if not isinstance(data, Mapping):
            return None
        try:
            return cls(
                verified_at=datetime.fromtimestamp(int(data["at"]), UTC),
                method=AgeCheckMethod(data["m"]),
                policy_version=int(data["v"]),
                proven_age=int(data["age"]),
                remember=bool(data["r"]),
            )
        except (KeyError, TypeError, ValueError, OverflowError, OSError):
            return None

    def is_valid(
        self, *, now: datetime, policy_version: int, min_age: int, remember_days: int
    ) -> bool:
        """Still good: same policy, enough age proven, not older than the remember period.

        A verification made without 'remember me' lives in a browser-session cookie; it is
        capped at the same period so a browser that restores sessions forever cannot keep it.
        """
        if self.policy_version != policy_version or self.proven_age < min_age:
            return False
        age_of_check = now - self.verified_at
        return timedelta(0) - timedelta(minutes=5) <= age_of_check <= timedelta(days=remember_days)


def record_age_check(
    session: Session,
    *,
    outcome: AgeCheckOutcome,
    method: AgeCheckMethod,
    policy_version: int,
    min_age: int,
    now: datetime,
    provider: str | None = None,
    reference: str | None = None,
) -> None:
    """Add the audit row for one verification (no IP address, no date of birth, no claim
    about the person: for a provider only its issuer and its transaction reference)."""
    begin_write(session)
    session.add(
        AgeCheck(
            checked_at=now,
            outcome=outcome,
            method=method,
            policy_version=policy_version,
            min_age=min_age,
            provider=provider,
            reference=reference,
        )
    )
    session.commit()


def count_age_checks(
    session: Session, *, since: datetime
) -> dict[tuple[AgeCheckMethod, AgeCheckOutcome], int]:
    """How many verifications of each method ended in each outcome since `since`."""
    rows = session.execute(
        select(AgeCheck.method, AgeCheck.outcome, func.count())
        .where(AgeCheck.checked_at >= since)
        .group_by(AgeCheck.method, AgeCheck.outcome)
    ).all()
    return {(method, outcome): count for method, outcome, count in rows}
