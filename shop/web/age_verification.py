"""Age verification at an OpenID provider: the way out to the provider and the way back.

`/age-verification/start?next=<path>&age=<years>` begins a sign-in (state, nonce and PKCE
verifier kept in the session, once) and sends the visitor to the provider;
`/age-verification/callback` is the redirect URI registered at the provider: it drops the
pending sign-in whatever happens (so a state or code works once), lets the verifier judge
the answer, keeps the verdict, and goes on to `next` or says, in the visitor's language,
why the age could not be verified. The gate and checkout link here; the pages are exempt
from the gate, since passing it may be what they are for.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import limiter
from shop.models import AgeCheckMethod, AgeCheckOutcome
from shop.refusals import Reason, Refused
from shop.services.age_verification import (
    OidcProvider,
    OidcSettings,
    OidcVerifier,
    PendingAuthorization,
    ProviderDocuments,
    ProviderUnavailable,
    Verdict,
    VerificationProblem,
)
from shop.web.age_verdicts import keep_verdict
from shop.web.errors import too_many_attempts_page
from shop.web.redirects import safe_next
from shop.web.wording import refusal_text

bp = Blueprint("age_verification", __name__)
log = logging.getLogger(__name__)

PENDING_KEY = "age_verification_pending"
DOCUMENTS_EXTENSION = "shop.oidc_documents"
MAX_AGE = 120
# Each start asks the provider for its discovery document (and may cost the shop a paid
# verification): a person needs a few, a script running through them gets 429.
STARTS_PER_ADDRESS = "20 per minute;100 per hour"

# The page's status per problem: the visitor's or the provider's refusal is 403, an answer
# that fails a check 400, a provider that cannot be asked 503.
STATUS: dict[Reason, int] = {
    VerificationProblem.DENIED: 403,
    VerificationProblem.CANNOT_PROVE_AGE: 403,
    VerificationProblem.INVALID_TOKEN: 400,
    VerificationProblem.UNKNOWN_STATE: 400,
    VerificationProblem.UNREACHABLE: 503,
}


def _provider() -> OidcProvider | None:
    """The configured provider, with the discovery document and keys this process keeps
    (`ProviderDocuments`); None when no provider is set up."""
    settings = OidcSettings.from_config(current_app.config)
    if not settings.is_complete:
        return None
    documents = current_app.extensions.get(DOCUMENTS_EXTENSION)
    if documents is None:
        documents = current_app.extensions.setdefault(DOCUMENTS_EXTENSION, ProviderDocuments())
    return OidcProvider(settings, documents)


def _asked_age() -> int:
    """The age to verify: `?age=` when it is a sensible number above the shop's minimum."""
    min_age = int(current_app.config["SHOP_MIN_AGE"])
    raw = request.args.get("age", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 3:
        return min(max(int(raw), min_age), MAX_AGE)
    return min_age


def _not_verified(
    problem: Refused | None, *, next_path: str, age: int, status: int | None = None
) -> tuple[str, int]:
    """The page that says why the age was not verified, with a way to try again."""
    reason = problem.reason if problem is not None else VerificationProblem.CANNOT_PROVE_AGE
    if problem is None or reason == VerificationProblem.CANNOT_PROVE_AGE:
        problem = Refused(VerificationProblem.CANNOT_PROVE_AGE, age=age)
    html = render_template(
        "agegate/not_verified.html",
        message=refusal_text(problem),
        retry_url=url_for(".start", next=next_path, age=age),
        next_path=next_path,
    )
    return html, status or STATUS.get(problem.reason, 400)


def _not_configured(*, next_path: str, age: int) -> tuple[str, int]:
    """No provider is set up: the visitor is told the service cannot be reached; 404, since
    on this shop it does not exist (a 5xx would say the shop failed a visitor's request)."""
    log.error("age verification asked, but SHOP_OIDC_ISSUER/CLIENT_ID/SECRET are not set")
    problem = Refused(VerificationProblem.UNREACHABLE)
    return _not_verified(problem, next_path=next_path, age=age, status=404)


@bp.route("/age-verification/start")
@limiter.limit(STARTS_PER_ADDRESS, key_func=get_remote_address)
def start() -> Response | tuple[str, int]:
    """Send the visitor to the OpenID provider to verify their age."""
    next_path = safe_next(request.args.get("next"))
    age = _asked_age()
    provider = _provider()
    if provider is None:
        return _not_configured(next_path=next_path, age=age)
    if provider.settings.claim_for(age) is None:
        return _not_verified(None, next_path=next_path, age=age)
    try:
        url, pending = provider.begin(
            required_age=age,
            redirect_uri=url_for(".callback", _external=True),
            next_path=next_path,
            now=clock.now(),
        )
    except ProviderUnavailable as unavailable:
        log.warning("OpenID provider unavailable: %s", unavailable)
        verdict = Verdict(
            AgeCheckMethod.OIDC,
            AgeCheckOutcome.FAILED,
            problem=Refused(VerificationProblem.UNREACHABLE),
            provider=provider.settings.issuer,
        )
        keep_verdict(verdict, required_age=age)
        return _not_verified(verdict.problem, next_path=next_path, age=age)
    session[PENDING_KEY] = pending.to_session()
    return redirect(url, code=303)


@bp.route("/age-verification/callback")
def callback() -> Response | tuple[str, int]:
    """Judge the provider's answer; go on to the page asked for, or say why not."""
    # Dropped before anything else: whatever the outcome, this state is never accepted again.
    pending = PendingAuthorization.from_session(session.pop(PENDING_KEY, None))
    min_age = int(current_app.config["SHOP_MIN_AGE"])
    age = pending.required_age if pending is not None else min_age
    next_path = safe_next(pending.next_path if pending is not None else None)
    if pending is None:
        # No sign-in of this visitor's is under way: a replayed or foreign callback.
        return _not_verified(
            Refused(VerificationProblem.UNKNOWN_STATE), next_path=next_path, age=age
        )
    provider = _provider()
    if provider is None:
        return _not_configured(next_path=next_path, age=age)
    verdict = OidcVerifier(provider, pending).verify(
        request.args.to_dict(), required_age=age, now=clock.now()
    )
    if verdict.problem is not None and verdict.problem.reason == VerificationProblem.UNKNOWN_STATE:
        # No sign-in of this visitor's was under way: nothing was verified, nothing to record.
        return _not_verified(verdict.problem, next_path=next_path, age=age)
    keep_verdict(verdict, required_age=age)
    if verdict.passed:
        return redirect(next_path, code=303)
    if verdict.outcome == AgeCheckOutcome.REFUSED and age <= min_age:
        return redirect(url_for("agegate.refused"), code=303)
    return _not_verified(verdict.problem, next_path=next_path, age=age)


@bp.errorhandler(TooManyRequests)
def too_many_starts(error: TooManyRequests) -> tuple[str, int, dict[str, str]]:
    """Tell the visitor how long to wait before verifying again."""
    return too_many_attempts_page(error)
