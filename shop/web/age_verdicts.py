"""What an age verifier's verdict does to the visitor: the verification kept in the signed
session, the refusal remembered for the session, and the audit row. Shared by the gate and
the OpenID Connect pages (`shop.web.agegate`, `shop.web.age_verification`) and read by
checkout, so no blueprint imports another.
"""

from __future__ import annotations

from flask import current_app, session

from shop import clock
from shop.extensions import db
from shop.models import AgeCheckMethod, AgeCheckOutcome
from shop.services.age_verification import Verdict
from shop.services.agegate import Verification, record_age_check
from shop.web.visitor import REFUSED_KEY, SESSION_KEY, refuse_age


def current_verification() -> Verification | None:
    """The visitor's verification if it is still valid under the current settings."""
    verification = Verification.from_session(session.get(SESSION_KEY))
    if verification is None:
        return None
    config = current_app.config
    if not verification.is_valid(
        now=clock.now(),
        policy_version=config["SHOP_AGE_POLICY_VERSION"],
        min_age=config["SHOP_MIN_AGE"],
        remember_days=config["SHOP_AGE_GATE_REMEMBER_DAYS"],
    ):
        return None
    return verification


def provider_verified_age() -> int:
    """The age the OpenID provider verified in this browser session (0: none)."""
    verification = current_verification()
    if verification is None or verification.method != AgeCheckMethod.OIDC:
        return 0
    return verification.proven_age


def keep_verdict(verdict: Verdict, *, required_age: int, remember: bool = False) -> None:
    """Record the verdict's outcome (never more) and change the session by it: a pass is
    kept; a refusal of the shop's own minimum age closes the shop for the session; a
    refusal of a higher product age, or a failure, changes nothing the visitor had."""
    config = current_app.config
    now = clock.now()
    assert verdict.outcome is not None, "a form to fix has no verdict to keep"
    if verdict.passed:
        session.pop(REFUSED_KEY, None)
        session[SESSION_KEY] = Verification(
            verified_at=now,
            method=verdict.method,
            policy_version=config["SHOP_AGE_POLICY_VERSION"],
            proven_age=verdict.proven_age,
            remember=remember,
        ).to_session()
        session.permanent = remember
    elif verdict.outcome == AgeCheckOutcome.REFUSED and required_age <= config["SHOP_MIN_AGE"]:
        refuse_age(config["SHOP_AGE_POLICY_VERSION"])
    record_age_check(
        db.session(),
        outcome=verdict.outcome,
        method=verdict.method,
        policy_version=config["SHOP_AGE_POLICY_VERSION"],
        min_age=required_age,
        now=now,
        provider=verdict.provider,
        reference=verdict.reference,
    )
