"""Payment gateways: Stripe (stripe 16's StripeClient) and a built-in test gateway.

Both answer the same small interface (`Gateway`), so the services never ask which one is
in use. `gateway_for(app_config)` picks: Stripe when a secret key is set, else the test one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Intent:
    """What the shop needs to know of a PaymentIntent."""

    id: str
    status: str
    amount_cents: int
    currency: str
    client_secret: str | None
    metadata: Mapping[str, str]


@dataclass(frozen=True)
class RefundResult:
    id: str
    amount_cents: int
    status: str


class GatewayError(RuntimeError):
    """The payment provider could not be reached or refused the request."""


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

    def refund(
        self, *, intent_id: str, amount_cents: int, idempotency_key: str
    ) -> RefundResult: ...


def gateway_for(config: Mapping[str, Any]) -> Gateway:
    """The gateway the settings ask for."""
    if config.get("SHOP_STRIPE_SECRET_KEY"):
        from shop.payments.stripe_gateway import StripeGateway

        return StripeGateway.from_config(config)
    from shop.payments.test_gateway import TestGateway

    return TestGateway()
