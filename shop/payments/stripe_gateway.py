"""Every call the shop makes to Stripe, through stripe 16's `StripeClient`.

Parameters that localstripe (the tests' fake Stripe) refuses — `description`,
`receipt_email` — are sent only when `SHOP_STRIPE_SEND_EXTRAS` is on (the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

from shop.payments import GatewayError, Intent, RefundResult


def _intent(obj: Any) -> Intent:
    # stripe 16 objects are not dicts (no .get); work on a plain copy.
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return Intent(
        id=data["id"],
        status=data["status"],
        amount_cents=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        client_secret=data.get("client_secret"),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
    )


class StripeGateway:
    provider = "stripe"
    is_test_mode = False

    def __init__(
        self,
        secret_key: str,
        *,
        api_base: str,
        payment_method_types: list[str],
        send_extras: bool = True,
    ) -> None:
        self._client = stripe.StripeClient(
            secret_key, base_addresses={"api": api_base}, max_network_retries=2
        )
        self._payment_method_types = payment_method_types
        self._send_extras = send_extras

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StripeGateway:
        types = [t.strip() for t in config["SHOP_STRIPE_PAYMENT_METHOD_TYPES"].split(",")]
        return cls(
            config["SHOP_STRIPE_SECRET_KEY"],
            api_base=config["SHOP_STRIPE_API_BASE"],
            payment_method_types=[t for t in types if t],
            send_extras=config["SHOP_STRIPE_SEND_EXTRAS"],
        )

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
        params: dict[str, Any] = {
            "amount": amount_cents,
            "currency": currency.lower(),
            "metadata": dict(metadata),
            "payment_method_types": self._payment_method_types,
        }
        if self._send_extras:
            if description:
                params["description"] = description
            if receipt_email:
                params["receipt_email"] = receipt_email
        try:
            created = self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return _intent(created)

    def retrieve_intent(self, intent_id: str) -> Intent:
        try:
            return _intent(self._client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def refund(self, *, intent_id: str, amount_cents: int, idempotency_key: str) -> RefundResult:
        try:
            refund = self._client.v1.refunds.create(
                params={"payment_intent": intent_id, "amount": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return RefundResult(
            id=refund["id"], amount_cents=int(refund["amount"]), status=refund["status"]
        )
