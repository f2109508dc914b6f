"""Every call the shop makes to Stripe, through stripe 16's `StripeClient`, against the one
API version pinned here.

The calls are shaped for that version and nothing else: payment methods are chosen the way
today's API wants them (dynamic payment methods from the Dashboard by default, or the list
in `SHOP_STRIPE_PAYMENT_METHOD_TYPES` as `allowed_payment_method_types`; never the removed
`payment_method_types`). The tests' Stripe (localstripe behind a strict proxy) refuses what
real Stripe refuses, and a contract test checks every request against the library's own
request types (`tests/stripe_contract.py`).

A slow Stripe must not hold a worker: each call waits at most `SHOP_STRIPE_TIMEOUT_SECONDS`
and is retried `SHOP_STRIPE_MAX_RETRIES` times (with the same idempotency key), so a page
waits for Stripe at most about (retries + 1) × timeout plus the library's short backoff.
Every failure is logged with Stripe's request id and error code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import stripe

from shop.payments import GatewayError, Intent, RefundResult
from shop.payments.events import ProviderEvent, verify_event

# The API version every request carries. It is the version stripe 16.1 pins (its request
# types describe it); `pyproject.toml` keeps the library to the 16.1 series, and a test fails
# when the library's pinned version and this one differ.
STRIPE_API_VERSION = "2026-10-28.endive"

log = logging.getLogger(__name__)


def _plain(obj: Any) -> dict[str, Any]:
    # stripe 16 objects are not dicts (no .get); work on a plain copy.
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _id_of(value: Any) -> str | None:
    """An expandable field's id: today's API sends an id string, older ones an object."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def intent_from(data: Mapping[str, Any]) -> Intent:
    """The shop's view of a PaymentIntent object (from the API or from an event)."""
    error = data.get("last_payment_error") or {}
    return Intent(
        id=str(data["id"]),
        status=str(data["status"]),
        amount_cents=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        client_secret=data.get("client_secret"),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        amount_received_cents=int(data.get("amount_received") or 0),
        latest_charge_id=_id_of(data.get("latest_charge")),
        last_error_code=str(error.get("code") or "") if isinstance(error, Mapping) else "",
        last_error_message=str(error.get("message") or "") if isinstance(error, Mapping) else "",
        payment_method_types=tuple(str(t) for t in data.get("payment_method_types") or ()),
    )


def refund_from(data: Mapping[str, Any]) -> RefundResult:
    return RefundResult(
        id=str(data["id"]),
        amount_cents=int(data["amount"]),
        status=str(data["status"]),
        failure_reason=str(data.get("failure_reason") or ""),
    )


def intent_create_params(
    *,
    amount_cents: int,
    currency: str,
    metadata: Mapping[str, str],
    description: str,
    receipt_email: str,
    payment_method_types: list[str],
) -> dict[str, Any]:
    """The parameters of a PaymentIntent create, as today's API takes them."""
    params: dict[str, Any] = {
        "amount": amount_cents,
        "currency": currency.lower(),
        "metadata": dict(metadata),
    }
    if payment_method_types:
        # Filters what the Dashboard offers; Stripe drops types that do not fit the amount,
        # currency or country instead of failing.
        params["allowed_payment_method_types"] = list(payment_method_types)
    else:
        # Dynamic payment methods: card, iDEAL, Bancontact, … as switched on in the Dashboard.
        params["automatic_payment_methods"] = {"enabled": True}
    if description:
        params["description"] = description[:1000]
    if receipt_email:
        params["receipt_email"] = receipt_email
    return params


class StripeGateway:
    provider = "stripe"
    is_test_mode = False

    def __init__(
        self,
        secret_key: str,
        *,
        api_base: str = "https://api.stripe.com",
        payment_method_types: list[str] | None = None,
        timeout_seconds: float = 10.0,
        max_retries: int = 2,
        webhook_secrets: list[str] | None = None,
    ) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            stripe_version=STRIPE_API_VERSION,
            base_addresses={"api": api_base},
            max_network_retries=max_retries,
            # Connecting gets a short wait of its own: an unreachable Stripe fails fast.
            http_client=stripe.RequestsClient(timeout=(min(timeout_seconds, 5.0), timeout_seconds)),
        )
        self._payment_method_types = list(payment_method_types or [])
        self._webhook_secrets = list(webhook_secrets or [])

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StripeGateway:
        raw = config.get("SHOP_STRIPE_PAYMENT_METHOD_TYPES") or ""
        secrets = config.get("SHOP_STRIPE_WEBHOOK_SECRET") or ""
        return cls(
            config["SHOP_STRIPE_SECRET_KEY"],
            api_base=config["SHOP_STRIPE_API_BASE"],
            payment_method_types=[t.strip() for t in raw.split(",") if t.strip()],
            timeout_seconds=config["SHOP_STRIPE_TIMEOUT_SECONDS"],
            max_retries=config["SHOP_STRIPE_MAX_RETRIES"],
            # Several, comma-separated, while a secret is being rotated.
            webhook_secrets=[s.strip() for s in secrets.split(",") if s.strip()],
        )

    def _failed(self, call: str, error: stripe.StripeError) -> GatewayError:
        status = error.http_status
        # Stripe names most refusals with a code; server errors only with their type.
        kind = getattr(error.error, "type", None) if error.error is not None else None
        code = str(error.code or kind or "")
        request_id = str(error.request_id or "")
        # Stripe words its own messages; they may name the parameter but never card data.
        log.warning(
            "Stripe %s failed: HTTP %s, code %s, request %s: %s",
            call,
            status if status is not None else "-",
            code or "-",
            request_id or "-",
            error.user_message or error.__class__.__name__,
        )
        refused = status is not None and 400 <= status < 500 and status not in (409, 429)
        return GatewayError(
            f"{call}: {error.user_message or error.__class__.__name__}",
            code=code,
            request_id=request_id,
            http_status=status,
            refused=refused,
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
        params = intent_create_params(
            amount_cents=amount_cents,
            currency=currency,
            metadata=metadata,
            description=description,
            receipt_email=receipt_email,
            payment_method_types=self._payment_method_types,
        )
        try:
            created = self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise self._failed("create PaymentIntent", error) from error
        return intent_from(_plain(created))

    def retrieve_intent(self, intent_id: str) -> Intent:
        try:
            return intent_from(_plain(self._client.v1.payment_intents.retrieve(intent_id)))
        except stripe.StripeError as error:
            raise self._failed(f"retrieve PaymentIntent {intent_id}", error) from error

    def cancel_intent(self, intent_id: str, *, idempotency_key: str) -> Intent:
        try:
            canceled = self._client.v1.payment_intents.cancel(
                intent_id,
                params={"cancellation_reason": "abandoned"},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise self._failed(f"cancel PaymentIntent {intent_id}", error) from error
        return intent_from(_plain(canceled))

    def refund(
        self,
        *,
        intent_id: str,
        amount_cents: int,
        idempotency_key: str,
        metadata: Mapping[str, str] | None = None,
    ) -> RefundResult:
        params: dict[str, Any] = {"payment_intent": intent_id, "amount": amount_cents}
        if metadata:
            params["metadata"] = dict(metadata)
        try:
            refund = self._client.v1.refunds.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise self._failed(f"refund PaymentIntent {intent_id}", error) from error
        return refund_from(_plain(refund))

    def retrieve_refund(self, refund_id: str) -> RefundResult:
        try:
            return refund_from(_plain(self._client.v1.refunds.retrieve(refund_id)))
        except stripe.StripeError as error:
            raise self._failed(f"retrieve refund {refund_id}", error) from error

    def verify_webhook(self, payload: bytes, signature_header: str | None) -> ProviderEvent:
        return verify_event(payload, signature_header, self._webhook_secrets)
