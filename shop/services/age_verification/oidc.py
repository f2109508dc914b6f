"""The OpenID Connect verifier (`oidc`): the visitor signs in at an OpenID provider (an iDIN
broker, a national eID, any provider that releases an "old enough" claim) and comes back
with a signed ID token that says so.

The flow is the authorization code flow with PKCE (S256): `begin` makes the provider's URL
and the one-time `PendingAuthorization` (state, nonce, code verifier) the web layer keeps in
the session; `OidcVerifier.verify` takes the callback's parameters, exchanges the code
(Authlib's requests client, with a timeout), and checks the ID token with joserfc: its
signature against the provider's published keys (JWKS, found by discovery), issuer,
audience, expiry and nonce, with at most `MAX_CLOCK_SKEW_SECONDS` of clock difference.
The discovery document and the keys are kept between verifications (`provider_documents`).
Then the age claim (`SHOP_OIDC_AGE_CLAIM`, e.g. `age_over_{age}`) must have the configured
value. Nothing the token says about the person leaves this module: the verdict holds the
outcome, the age proven, the issuer and a transaction reference.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from shop.models import AgeCheckMethod, AgeCheckOutcome
from shop.refusals import Refused
from shop.services.age_verification.base import Verdict, VerificationProblem
from shop.services.age_verification.provider_documents import (
    ProviderDocuments,
    ProviderUnavailable,
)

# The limit for the difference between the provider's clock and ours.
MAX_CLOCK_SKEW_SECONDS = 60
# A sign-in not finished within this time is forgotten (its state no longer accepted).
PENDING_LIFETIME = timedelta(minutes=15)
# Asymmetric signatures only: "none" and HMAC (keyed with our own client secret) never.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
# Claims that name the provider's transaction, tried in this order (see transaction_reference).
REFERENCE_CLAIMS = ("txn", "jti", "sid")
MAX_REFERENCE = 128


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    scope: str
    age_claim: str
    age_claim_value: str
    timeout_seconds: float
    min_age: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OidcSettings:
        return cls(
            issuer=(config["SHOP_OIDC_ISSUER"] or "").rstrip("/"),
            client_id=config["SHOP_OIDC_CLIENT_ID"] or "",
            client_secret=config["SHOP_OIDC_CLIENT_SECRET"] or "",
            scope=config["SHOP_OIDC_SCOPE"],
            age_claim=config["SHOP_OIDC_AGE_CLAIM"],
            age_claim_value=config["SHOP_OIDC_AGE_CLAIM_VALUE"],
            timeout_seconds=config["SHOP_OIDC_TIMEOUT_SECONDS"],
            min_age=config["SHOP_MIN_AGE"],
        )

    @property
    def is_complete(self) -> bool:
        return bool(self.issuer and self.client_id and self.client_secret)

    def scope_for(self, required_age: int) -> str:
        """The scopes to ask; `{age}` in them (a broker's `age_over:{age}`) becomes the age."""
        return self.scope.replace("{age}", str(required_age))

    def claim_for(self, required_age: int) -> str | None:
        """The claim that proves `required_age`; None when the configured claim cannot (a
        fixed "18 or older" claim says nothing about 21)."""
        if "{age}" in self.age_claim:
            return self.age_claim.replace("{age}", str(required_age))
        return self.age_claim if required_age <= self.min_age else None


@dataclass(frozen=True)
class PendingAuthorization:
    """A sign-in under way: kept in the session until the callback, then dropped (one use)."""

    state: str
    nonce: str
    code_verifier: str
    required_age: int
    next_path: str
    redirect_uri: str
    started_at: int

    def to_session(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "nonce": self.nonce,
            "verifier": self.code_verifier,
            "age": self.required_age,
            "next": self.next_path,
            "redirect": self.redirect_uri,
            "at": self.started_at,
        }

    @classmethod
    def from_session(cls, data: object) -> PendingAuthorization | None:
        if not isinstance(data, Mapping):
            return None
        try:
            return cls(
                state=str(data["state"]),
                nonce=str(data["nonce"]),
                code_verifier=str(data["verifier"]),
                required_age=int(data["age"]),
                next_path=str(data["next"]),
                redirect_uri=str(data["redirect"]),
                started_at=int(data["at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def is_current(self, now: datetime) -> bool:
        age = now.timestamp() - self.started_at
        return -MAX_CLOCK_SKEW_SECONDS <= age <= PENDING_LIFETIME.total_seconds()


def _key_id(id_token: str) -> str | None:
    """The `kid` a token's header names (not yet verified: it only picks the key to check the
    signature with); None when it names none or cannot be read (decoding then says why)."""
    try:
        header = extract_compact(id_token.encode("ascii")).protected
    except (JoseError, ValueError, UnicodeError):
        return None
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


def _claim_text(value: object) -> str:
    # JSON true and the text "true" mean the same to a deployer writing the setting.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def transaction_reference(claims: Mapping[str, Any]) -> str:
    """The provider's reference of this verification: its `txn`, `jti` or `sid` claim,
    else a SHA-256 of issuer, subject and issue time (the provider can find the transaction
    from it; the shop cannot recover the subject, and two verifications never share it)."""
    for name in REFERENCE_CLAIMS:
        value = claims.get(name)
        if isinstance(value, str) and 0 < len(value) <= MAX_REFERENCE:
            return f"{name}:{value}"
    basis = f"{claims.get('iss')}|{claims.get('sub')}|{claims.get('iat')}"
    return "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()


class OidcProvider:
    """The provider as the shop sees it: discovery, keys, the code exchange, token checks.
    `documents` keeps the discovery document and keys between verifications (the web layer
    passes the process's; without it this provider keeps its own)."""

    def __init__(self, settings: OidcSettings, documents: ProviderDocuments | None = None) -> None:
        self.settings = settings
        self.documents = documents if documents is not None else ProviderDocuments()

    def discover(self) -> dict[str, Any]:
        """The discovery document; its issuer must be exactly the configured one."""
        return self.documents.discovery(self.settings.issuer, timeout=self.settings.timeout_seconds)

    def _client(self, redirect_uri: str, required_age: int) -> OAuth2Session:
        return OAuth2Session(
            self.settings.client_id,
            self.settings.client_secret,
            scope=self.settings.scope_for(required_age),
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        )

    def begin(
        self, *, required_age: int, redirect_uri: str, next_path: str, now: datetime
    ) -> tuple[str, PendingAuthorization]:
        """The provider's authorization URL and the pending sign-in to keep for the callback."""
        discovery = self.discover()
        pending = PendingAuthorization(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=secrets.token_urlsafe(48),
            required_age=required_age,
            next_path=next_path,
            redirect_uri=redirect_uri,
            started_at=int(now.timestamp()),
        )
        with self._client(redirect_uri, required_age) as client:
            url, _ = client.create_authorization_url(
                discovery["authorization_endpoint"],
                state=pending.state,
                code_verifier=pending.code_verifier,
                nonce=pending.nonce,
                # A fresh sign-in every time: not the provider's session of whoever used
                # this browser before.
                prompt="login",
            )
        return url, pending

    def exchange_code(self, code: str, pending: PendingAuthorization) -> str:
        """The ID token for `code` (sent with the PKCE verifier); OAuthError when refused."""
        discovery = self.discover()
        try:
            with self._client(pending.redirect_uri, pending.required_age) as client:
                token = client.fetch_token(
                    discovery["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.code_verifier,
                    timeout=self.settings.timeout_seconds,
                )
        except requests.RequestException as error:
            raise ProviderUnavailable(f"token endpoint: {error}") from error
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OAuthError(error="invalid_response", description="no id_token")
        return id_token

    def check_id_token(self, id_token: str, *, nonce: str, now: datetime) -> dict[str, Any]:
        """The token's claims once signature, issuer, audience, expiry and nonce hold;
        JoseError otherwise."""
        keys = self.documents.keys(
            self.settings.issuer,
            key_id=_key_id(id_token),
            timeout=self.settings.timeout_seconds,
        )
        token = jwt.decode(id_token, keys, algorithms=list(ID_TOKEN_ALGORITHMS))
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            leeway=MAX_CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self.settings.issuer},
            aud={"essential": True, "value": self.settings.client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
        audience = token.claims["aud"]
        # Several audiences: OpenID Connect Core 3.1.3.7 wants azp to name us.
        several = isinstance(audience, list) and len(audience) > 1
        if several and token.claims.get("azp") != self.settings.client_id:
            raise JoseError("azp does not name this client")
        return dict(token.claims)


class OidcVerifier:
    """Judges the provider's callback for the sign-in `pending` (None: none under way)."""

    method = AgeCheckMethod.OIDC

    def __init__(self, provider: OidcProvider, pending: PendingAuthorization | None) -> None:
        self.provider = provider
        self.pending = pending

    def _failed(self, problem: VerificationProblem) -> Verdict:
        return Verdict(
            self.method,
            AgeCheckOutcome.FAILED,
            problem=Refused(problem),
            provider=self.provider.settings.issuer,
        )

    def verify(self, evidence: Mapping[str, str], *, required_age: int, now: datetime) -> Verdict:
        pending = self.pending
        state = evidence.get("state", "")
        if (
            pending is None
            or not pending.is_current(now)
            or not secrets.compare_digest(state.encode(), pending.state.encode())
        ):
            return self._failed(VerificationProblem.UNKNOWN_STATE)
        settings = self.provider.settings
        # RFC 9207: a provider that names itself in the response must name the one we asked.
        if "iss" in evidence and evidence["iss"] != settings.issuer:
            return self._failed(VerificationProblem.INVALID_TOKEN)
        if "error" in evidence or not evidence.get("code"):
            return self._failed(VerificationProblem.DENIED)
        claim = settings.claim_for(required_age)
        if claim is None:
            return self._failed(VerificationProblem.CANNOT_PROVE_AGE)
        try:
            id_token = self.provider.exchange_code(evidence["code"], pending)
            claims = self.provider.check_id_token(id_token, nonce=pending.nonce, now=now)
        except ProviderUnavailable:
            return self._failed(VerificationProblem.UNREACHABLE)
        except (OAuthError, JoseError, ValueError):
            return self._failed(VerificationProblem.INVALID_TOKEN)
        reference = transaction_reference(claims)
        if claim not in claims:
            # The provider released no answer: no age known, which is not "too young".
            return self._failed(VerificationProblem.CANNOT_PROVE_AGE)
        passed = _claim_text(claims[claim]) == settings.age_claim_value
        return Verdict(
            self.method,
            AgeCheckOutcome.PASSED if passed else AgeCheckOutcome.REFUSED,
            proven_age=required_age if passed else 0,
            provider=settings.issuer,
            reference=reference,
        )
