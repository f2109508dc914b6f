"""The built-in test gateway: plays Stripe's part when no Stripe key is set.

It makes intent ids and refund ids deterministically and moves no money. The payment page
then offers "Pay (test mode)" and "Decline (test mode)"; each builds a Stripe-shaped event,
signs it with the local secret (`local_webhook_secret`) and hands it to the same webhook
code as Stripe's own events: the same signature check, event store and transitions.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from shop.payments import Intent, RefundResult
from shop.payments.events import ProviderEvent, verify_event


def local_webhook_secret(secret_key: str) -> str:
    """The local signing secret, derived from the app's secret key (never stored)."""
    digest = hmac.new(secret_key.encode(), b"shop-test-gateway-webhooks", hashlib.sha256)
    return "whsec_test_" + digest.hexdigest()


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class TestGateway:
    __test__ = False  # not a pytest test class
    provider = "test"
    is_test_mode = True

    def __init__(self, webhook_secrets: list[str] | None = None) -> None:
        self._webhook_secrets = list(webhook_secrets or [])

    def verify_webhook(self, payload: bytes, signature_header: str | None) -> ProviderEvent:
        return verify_event(payload, signature_header, self._webhook_secrets)

    def create_intent(
        self,
        *,
        amount_cents: int,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
        description: str = "",
        receipt_email: str = "",
    ) -> Intent:
        return Intent(
            id="pi_test_" + _short_hash(idempotency_key),
            status="requires_payment_method",
            amount_cents=amount_cents,
            currency=currency.upper(),
            client_secret=None,
            metadata=dict(metadata),
        )

    def retrieve_intent(self, intent_id: str) -> Intent:
        # Nothing to look up: test payments arrive as events at once, never late.
        return Intent(intent_id, "requires_payment_method", 0, "EUR", None, {})

    def cancel_intent(self, intent_id: str, *, idempotency_key: str) -> Intent:
        return Intent(intent_id, "canceled", 0, "EUR", None, {})

    def refund(
        self,
        *,
        intent_id: str,
        amount_cents: int,
        idempotency_key: str,
        metadata: Mapping[str, str] | None = None,
    ) -> RefundResult:
        return RefundResult("re_test_" + _short_hash(idempotency_key), amount_cents, "succeeded")

    def retrieve_refund(self, refund_id: str) -> RefundResult:
        # Test refunds succeed at once; nothing is pending to ask about.
        return RefundResult(refund_id, 0, "succeeded")


def signed_event(
    event_type: str, data_object: Mapping[str, Any], *, secret: str, event_id: str
) -> tuple[bytes, str]:
    """A Stripe-shaped event body and its `Stripe-Signature` header, signed with `secret`."""
    # Stripe's library signs it, loaded only now (see shop.payments.events._signature_holds).
    import stripe

    from shop.payments.stripe_gateway import STRIPE_API_VERSION

    created = int(time.time())
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": STRIPE_API_VERSION,
            "created": created,
            "livemode": False,
            "type": event_type,
            "data": {"object": dict(data_object)},
        },
        separators=(",", ":"),
    ).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret, timestamp=created
    )
    return body, header
