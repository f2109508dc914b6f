"""Payment gateways: Stripe (stripe 16's StripeClient) and a built-in test gateway.

Both answer the same small interface (`Gateway`), so the services never ask which one is
in use. `gateway_for(app_config)` picks: Stripe when a secret key is set, else the test one.
What belongs here: the calls to the provider and the plain data they return; nothing that
reads or writes the shop's database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from shop.payments.events import BadSignature, ProviderEvent

__all__ = [
    "BadSignature",
    "Gateway",
    "GatewayError",
    "Intent",
    "ProviderEvent",
    "RefundResult",
    "gateway_for",
    "uses_test_gateway",
]


@dataclass(frozen=True)
class Intent:
    """What the shop needs to know of a PaymentIntent."""

    id: str
    status: str
    amount_cents: int
    currency: str
    client_secret: str | None
    metadata: Mapping[str, str]
    amount_received_cents: int = 0
    latest_charge_id: str | None = None
    last_error_code: str = ""
    last_error_message: str = ""
    payment_method_types: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RefundResult:
    id: str
    amount_cents: int
    status: str
    failure_reason: str = ""


class GatewayError(RuntimeError):
    """The payment provider could not be reached or refused the request.

    `refused` is True when the provider answered and said no (a 4xx: the request will not
    succeed if sent again); False when the outcome is unknown (a timeout, a broken
    connection, a 5xx), so the request may have been carried out and is safe to repeat only
    with the same idempotency key.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        request_id: str = "",
        http_status: int | None = None,
        refused: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.refused = refused


class Gateway(Protocol):
    provider: str
    is_test_mode: bool

    def create_intent(
        self,
        *,
        amount_cents: int,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
        description: str = "",
        receipt_email: str = "",
    ) -> Intent: ...

    def retrieve_intent(self, intent_id: str) -> Intent: ...

    def cancel_intent(self, intent_id: str, *, idempotency_key: str) -> Intent: ...

    def refund(
        self,
        *,
        intent_id: str,
        amount_cents: int,
        idempotency_key: str,
        metadata: Mapping[str, str] | None = None,
    ) -> RefundResult: ...

    def retrieve_refund(self, refund_id: str) -> RefundResult: ...

    def verify_webhook(self, payload: bytes, signature_header: str | None) -> ProviderEvent:
        """The event of a webhook request, if it is signed with this gateway's secret
        (`BadSignature` otherwise)."""
        ...


def uses_test_gateway(config: Mapping[str, Any]) -> bool:
    """Do the settings leave payments to the built-in test gateway (no Stripe key)? With it,
    a customer's own "Pay (test mode)" button marks the order paid without any money."""
    return not config.get("SHOP_STRIPE_SECRET_KEY")


def gateway_for(config: Mapping[str, Any]) -> Gateway:
    """The gateway the settings ask for."""
    if not uses_test_gateway(config):
        from shop.payments.stripe_gateway import StripeGateway

        return StripeGateway.from_config(config)
    from shop.payments.test_gateway import TestGateway, local_webhook_secret

    return TestGateway(webhook_secrets=[local_webhook_secret(config["SECRET_KEY"])])
