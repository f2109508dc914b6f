"""A payment provider's event, verified and typed: what `Gateway.verify_webhook` returns and
what `shop.services.webhooks.receive_event` takes, whichever way the event came (Stripe's
webhook, the test gateway's buttons, or an intent the shop retrieved itself).

Stripe signs the raw body: `Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "t.body">`.
The signature is checked with each secret in turn (several during a rotation) and refused
when it is older than `SIGNATURE_TOLERANCE_SECONDS` (a replay) or further than that in the
future (Stripe's library checks only the past; a future time would make the replay window
as long as the sender liked). A correctly signed body that is not the shape of an event is
`MalformedEvent` (shop.payments.event_shape), to be stored as such and answered 400.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shop.payments.event_shape import MalformedEvent, parse_event

__all__ = ["BadSignature", "MalformedEvent", "ProviderEvent", "raw_text", "verify_event"]

SIGNATURE_TOLERANCE_SECONDS = 300


class BadSignature(ValueError):
    """The event's signature is missing, malformed, stale, or made with another secret."""


@dataclass(frozen=True)
class ProviderEvent:
    """One event: its id and type, the object it is about (`data.object`), and the body as
    received (stored as it came, for staff and for disputes with the provider)."""

    id: str
    type: str
    object: Mapping[str, Any]
    raw_body: str
    created: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], raw_body: str | None = None) -> ProviderEvent:
        """The typed event from its plain data (the body is the data as JSON if not given)."""
        payload = data.get("data")
        obj = payload.get("object") if isinstance(payload, Mapping) else None
        created = data.get("created")
        return cls(
            id=str(data["id"]),
            type=str(data["type"]),
            object=obj if isinstance(obj, Mapping) else {},
            raw_body=raw_body if raw_body is not None else json.dumps(data),
            created=created if isinstance(created, int) else None,
            data=data,
        )


def raw_text(payload: bytes) -> str:
    """The body as stored: text, with undecodable bytes replaced (it verified, so it's JSON)."""
    return payload.decode("utf-8", "replace")


def _signed_at(signature_header: str) -> int | None:
    for part in signature_header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            return int(value)
    return None


def verify_event(
    payload: bytes, signature_header: str | None, secrets: Sequence[str]
) -> ProviderEvent:
    """The event, if its signature holds for one of `secrets` at a time within the tolerance
    either way; else `BadSignature`. `MalformedEvent` if it is signed but not an event."""
    if not signature_header or not secrets:
        raise BadSignature("no signature")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:  # Stripe signs UTF-8 text; this was never signed
        raise BadSignature("malformed body") from error
    if not any(_signature_holds(text, signature_header, secret) for secret in secrets):
        raise BadSignature("signature does not match")
    signed_at = _signed_at(signature_header)
    if signed_at is None or signed_at > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise BadSignature("signature timestamp in the future")
    data = parse_event(payload)
    return ProviderEvent.from_data(data, raw_text(payload))


def _signature_holds(text: str, signature_header: str, secret: str) -> bool:
    # Imported here, not with the module: the library takes a noticeable part of a second to
    # load, and an app without a Stripe key needs it only when a (test) webhook arrives.
    import stripe

    try:
        stripe.WebhookSignature.verify_header(
            text, signature_header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError:
        return False
    return True
