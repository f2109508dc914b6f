"""The age verifiers' decisions that need no provider: the self-declaration and the date
of birth (today's gate behaviour behind the new interface), which claim proves which age,
and the transaction reference that is all the shop keeps of a provider's answer."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from shop.models import AgeCheckOutcome
from shop.rules.age import BirthDateProblem
from shop.services.age_verification import (
    BirthDateVerifier,
    OidcSettings,
    SelfDeclarationVerifier,
    VerificationProblem,
)
from shop.services.age_verification.oidc import PendingAuthorization, transaction_reference

# 15 March 2026, 00:30 in Amsterdam: still 14 March in UTC.
JUST_AFTER_MIDNIGHT_IN_AMSTERDAM = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [("yes", AgeCheckOutcome.PASSED), ("no", AgeCheckOutcome.REFUSED), ("maybe", None)],
)
def test_the_self_declaration_takes_yes_and_no_and_asks_again_otherwise(answer, outcome):
    verdict = SelfDeclarationVerifier().verify(
        {"answer": answer}, required_age=18, now=JUST_AFTER_MIDNIGHT_IN_AMSTERDAM
    )

    assert verdict.outcome == outcome
    assert verdict.proven_age == (18 if outcome == AgeCheckOutcome.PASSED else 0)
    if outcome is None:
        assert verdict.problem.reason == VerificationProblem.UNANSWERED


def test_an_18th_birthday_counts_on_the_shops_calendar_day_not_utcs():
    born = {"day": "15", "month": "3", "year": "2008"}

    verdict = BirthDateVerifier(AMSTERDAM).verify(
        born, required_age=18, now=JUST_AFTER_MIDNIGHT_IN_AMSTERDAM
    )

    assert (verdict.outcome, verdict.proven_age) == (AgeCheckOutcome.PASSED, 18)


def test_a_day_too_young_is_refused_and_an_impossible_date_is_asked_again():
    verifier = BirthDateVerifier(AMSTERDAM)
    now = JUST_AFTER_MIDNIGHT_IN_AMSTERDAM

    too_young = verifier.verify(
        {"day": "16", "month": "3", "year": "2008"}, required_age=18, now=now
    )
    impossible = verifier.verify(
        {"day": "31", "month": "4", "year": "1990"}, required_age=18, now=now
    )

    assert too_young.outcome == AgeCheckOutcome.REFUSED
    assert impossible.outcome is None
    assert impossible.problem.reason == BirthDateProblem.IMPOSSIBLE_DATE


def _settings(claim: str) -> OidcSettings:
    return OidcSettings(
        issuer="https://broker.example",
        client_id="shop",
        client_secret="secret",
        scope="openid age_over:{age}",
        age_claim=claim,
        age_claim_value="true",
        timeout_seconds=5,
        min_age=18,
    )


def test_a_claim_with_age_asks_for_the_age_needed_and_a_fixed_claim_proves_18_only():
    per_age, idin = _settings("age_over_{age}"), _settings("eighteen_or_older")

    assert (per_age.claim_for(18), per_age.claim_for(21)) == ("age_over_18", "age_over_21")
    assert per_age.scope_for(21) == "openid age_over:21"
    assert (idin.claim_for(18), idin.claim_for(21)) == ("eighteen_or_older", None)


def test_the_reference_is_the_providers_transaction_id_or_a_hash_without_the_subject():
    assert transaction_reference({"txn": "T-1", "sid": "S-1"}) == "txn:T-1"
    assert transaction_reference({"sid": "S-1"}) == "sid:S-1"
    hashed = transaction_reference({"iss": "https://broker.example", "sub": "p-123", "iat": 1})

    assert hashed.startswith("sha256:") and "p-123" not in hashed
    assert hashed != transaction_reference(
        {"iss": "https://broker.example", "sub": "p-123", "iat": 2}
    )


def test_a_pending_sign_in_expires_and_junk_in_the_session_is_none():
    started = int(JUST_AFTER_MIDNIGHT_IN_AMSTERDAM.timestamp())
    pending = PendingAuthorization("s", "n", "v", 18, "/", "https://shop/cb", started)

    assert PendingAuthorization.from_session(pending.to_session()) == pending
    assert pending.is_current(JUST_AFTER_MIDNIGHT_IN_AMSTERDAM)
    later = datetime.fromtimestamp(started + 16 * 60, UTC)
    assert not pending.is_current(later)
    assert PendingAuthorization.from_session({"state": "s"}) is None
    assert PendingAuthorization.from_session("junk") is None
