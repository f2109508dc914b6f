"""A payment provider's event, verified and typed: what `Gateway.verify_webhook` returns and
what `shop.services.webhooks.receive_event` takes, whichever way the event came (Stripe's
webhook, the test gateway's buttons, or an intent the shop retrieved itself).

Stripe signs the raw body: `Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "t.body">`.
The signature is checked with each secret in turn (several during a rotation) and refused
when it is older than `SIGNATURE_TOLERANCE_SECONDS` (a replay).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import stripe

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


def verify_event(
    payload: bytes, signature_header: str | None, secrets: Sequence[str]
) -> ProviderEvent:
    """The event, if its signature holds for one of `secrets`; else `BadSignature`."""
    if not signature_header or not secrets:
        raise BadSignature("no signature")
    for secret in secrets:
        try:
            event = stripe.Webhook.construct_event(
                payload, signature_header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError:
            continue
        except ValueError as error:  # not JSON
            raise BadSignature("malformed body") from error
        data: dict[str, Any] = event.to_dict()
        if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
            raise BadSignature("not an event")
        return ProviderEvent.from_data(data, raw_text(payload))
    raise BadSignature("signature does not match")
