"""The date-of-birth verifier (`dob`): three typed boxes, judged by `shop.rules.age` on the
shop's local date and then forgotten (only the age proven leaves this module)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from shop.models import AgeCheckMethod, AgeCheckOutcome
from shop.rules.age import InvalidBirthDate, age_on, local_today, parse_birth_date
from shop.services.age_verification.base import Verdict


class BirthDateVerifier:
    """The age on the shop's calendar day; an impossible date is a form error, not a refusal."""

    method = AgeCheckMethod.DOB

    def __init__(self, timezone: ZoneInfo) -> None:
        self.timezone = timezone

    def verify(self, evidence: Mapping[str, str], *, required_age: int, now: datetime) -> Verdict:
        today = local_today(now, self.timezone)
        try:
            birth_date = parse_birth_date(
                evidence.get("day", ""), evidence.get("month", ""), evidence.get("year", ""), today
            )
        except InvalidBirthDate as invalid:
            return Verdict(self.method, None, problem=invalid)
        age = age_on(birth_date, today)
        if age < required_age:
            return Verdict(self.method, AgeCheckOutcome.REFUSED)
        return Verdict(self.method, AgeCheckOutcome.PASSED, proven_age=age)
