"""The self-declaration verifier (`confirm`): "Are you 18 or older?" answered yes or no."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from shop.models import AgeCheckMethod, AgeCheckOutcome
from shop.refusals import Refused
from shop.services.age_verification.base import Verdict, VerificationProblem


class SelfDeclarationVerifier:
    """A "yes" proves the age asked about; a "no" refuses; anything else is asked again."""

    method = AgeCheckMethod.CONFIRM

    def verify(self, evidence: Mapping[str, str], *, required_age: int, now: datetime) -> Verdict:
        answer = evidence.get("answer")
        if answer == "yes":
            return Verdict(self.method, AgeCheckOutcome.PASSED, proven_age=required_age)
        if answer == "no":
            return Verdict(self.method, AgeCheckOutcome.REFUSED)
        return Verdict(self.method, None, problem=Refused(VerificationProblem.UNANSWERED))
