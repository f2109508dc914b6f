"""The age-verifier interface and the verdict every verifier gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shop.models import AgeCheckMethod, AgeCheckOutcome
from shop.refusals import Reason, Refused


class VerificationProblem(Reason):
    """Why a verification gave no age (the outcome is `failed`, or nothing for a form typo)."""

    UNANSWERED = "unanswered"  # a form sent without an answer: asked again, nothing stored
    DENIED = "denied"  # the visitor cancelled, or the provider refused (error=access_denied)
    UNREACHABLE = "unreachable"  # the provider timed out or answered with an error
    INVALID_TOKEN = "invalid_token"  # signature, issuer, audience, expiry or nonce failed
    UNKNOWN_STATE = "unknown_state"  # no sign-in under way: a replayed or foreign callback
    CANNOT_PROVE_AGE = "cannot_prove_age"  # the configured claim cannot say this age


@dataclass(frozen=True)
class Verdict:
    """What a verification decided. `outcome` None: nothing to record (a form to fix)."""

    method: AgeCheckMethod
    outcome: AgeCheckOutcome | None
    proven_age: int = 0
    problem: Refused | None = None
    provider: str | None = None
    reference: str | None = None

    @property
    def passed(self) -> bool:
        return self.outcome == AgeCheckOutcome.PASSED


class AgeVerifier(Protocol):
    """Decides from the `evidence` (a form's fields, or the provider's callback parameters)
    whether the visitor is at least `required_age` years old at `now`."""

    method: AgeCheckMethod

    def verify(self, evidence: Mapping[str, str], *, required_age: int, now: datetime) -> Verdict:
        """The verdict; never raises for anything a visitor or provider can send."""
        ...
