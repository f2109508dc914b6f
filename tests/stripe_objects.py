"""Builders of Stripe objects in the shape of the pinned API version (`latest_charge` an id,
no `charges` list, `amount_received`, today's event envelope), as plain dicts, and signed
webhook bodies. Used by the strict peer (`tests/stripe_peer.py`) to answer, and by tests that
post events themselves.

What belongs here: object layouts only. Every builder answers fields that
`stripe_contract.unknown_fields` accepts; extra fields passed as keyword overrides must be
fields of today's object too, or the builder raises.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from collections.abc import Mapping
from typing import Any

import stripe

from tests.stripe_contract import EVENT_TYPES, PINNED_API_VERSION, RESOURCE_FIELDS, unknown_fields

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """A Stripe-like id: `prefix` and 24 random letters and digits (e.g. `pi_3Q...`)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def _now(created: int | None) -> int:
    return int(time.time()) if created is None else created


def _finish(obj: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    kind = obj["object"]
    strange = sorted(set(overrides) - RESOURCE_FIELDS[kind])
    if strange:
        raise ValueError(f"not fields of today's {kind}: {', '.join(strange)}")
    obj.update(overrides)
    unknown = unknown_fields(obj)
    if unknown:
        raise ValueError(f"not fields of today's {kind}: {', '.join(unknown)}")
    return obj


def payment_method_details(method: str = "card", *, last4: str = "4242") -> dict[str, Any]:
    """A charge's `payment_method_details` for a card or a bank redirect (iDEAL)."""
    if method == "card":
        details: dict[str, Any] = {
            "brand": "visa",
            "country": "NL",
            "exp_month": 12,
            "exp_year": 2030,
            "fingerprint": "peerFingerprint",
            "funding": "credit",
            "last4": last4,
            "network": "visa",
            "three_d_secure": None,
            "wallet": None,
        }
    elif method == "ideal":
        details = {
            "bank": "ing",
            "bic": "INGBNL2A",
            "iban_last4": "5264",
            "transaction_id": None,
            "verified_name": "Jenny Rosen",
        }
    else:
        details = {}
    return {"type": method, method: details}


def payment_intent(
    *,
    id: str | None = None,
    amount: int = 1000,
    currency: str = "eur",
    status: str = "requires_payment_method",
    metadata: Mapping[str, str] | None = None,
    latest_charge: str | None = None,
    payment_method: str | None = None,
    payment_method_types: list[str] | None = None,
    allowed_payment_method_types: list[str] | None = None,
    automatic_payment_methods: Mapping[str, Any] | None = None,
    amount_received: int | None = None,
    client_secret: str | None = None,
    created: int | None = None,
    description: str | None = None,
    receipt_email: str | None = None,
    last_payment_error: Mapping[str, Any] | None = None,
    canceled_at: int | None = None,
    cancellation_reason: str | None = None,
    capture_method: str = "automatic_async",
    processing: Mapping[str, Any] | None = None,
    next_action: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A PaymentIntent: `amount_received` is the amount once succeeded, else 0."""
    intent_id = id or new_id("pi_")
    if payment_method_types is None:
        payment_method_types = list(allowed_payment_method_types or ["card"])
    if automatic_payment_methods is None and allowed_payment_method_types is None:
        automatic_payment_methods = {"allow_redirects": "always", "enabled": True}
    obj: dict[str, Any] = {
        "id": intent_id,
        "object": "payment_intent",
        "allowed_payment_method_types": (
            list(allowed_payment_method_types) if allowed_payment_method_types else None
        ),
        "amount": amount,
        "amount_capturable": amount if status == "requires_capture" else 0,
        "amount_details": {"tip": {}},
        "amount_received": (
            (amount if status == "succeeded" else 0) if amount_received is None else amount_received
        ),
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": (
            dict(automatic_payment_methods) if automatic_payment_methods else None
        ),
        "canceled_at": canceled_at,
        "cancellation_reason": cancellation_reason,
        "capture_method": capture_method,
        "client_secret": client_secret or f"{intent_id}_secret_{new_id('')}",
        "confirmation_method": "automatic",
        "created": _now(created),
        "currency": currency,
        "customer": None,
        "description": description,
        "excluded_payment_method_types": None,
        "last_payment_error": dict(last_payment_error) if last_payment_error else None,
        "latest_charge": latest_charge,
        "livemode": False,
        "metadata": dict(metadata or {}),
        "next_action": dict(next_action) if next_action else None,
        "on_behalf_of": None,
        "payment_method": payment_method,
        "payment_method_configuration_details": (
            {"id": "pmc_peerDashboardDefaults", "parent": None}
            if allowed_payment_method_types is None
            else None
        ),
        "payment_method_options": {},
        "payment_method_types": list(payment_method_types),
        "processing": dict(processing) if processing else None,
        "receipt_email": receipt_email,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": status,
        "transfer_data": None,
        "transfer_group": None,
    }
    return _finish(obj, overrides)


def charge(
    *,
    id: str | None = None,
    payment_intent: str | None = None,
    amount: int = 1000,
    amount_captured: int | None = None,
    amount_refunded: int = 0,
    refunded: bool | None = None,
    currency: str = "eur",
    status: str = "succeeded",
    payment_method: str | None = None,
    payment_method_type: str = "card",
    created: int | None = None,
    metadata: Mapping[str, str] | None = None,
    failure_code: str | None = None,
    failure_message: str | None = None,
    description: str | None = None,
    receipt_email: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A Charge: `amount_captured` is the amount when it succeeded, `refunded` true once the
    whole amount came back."""
    succeeded = status == "succeeded"
    obj: dict[str, Any] = {
        "id": id or new_id("ch_"),
        "object": "charge",
        "amount": amount,
        "amount_captured": (amount if succeeded else 0)
        if amount_captured is None
        else amount_captured,
        "amount_refunded": amount_refunded,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": new_id("txn_") if succeeded else None,
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "calculated_statement_descriptor": "PEER SHOP",
        "captured": succeeded,
        "created": _now(created),
        "currency": currency,
        "customer": None,
        "description": description,
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": failure_code,
        "failure_message": failure_message,
        "fraud_details": {},
        "livemode": False,
        "metadata": dict(metadata or {}),
        "on_behalf_of": None,
        "outcome": {
            "network_status": "approved_by_network" if succeeded else "declined_by_network",
            "reason": None if succeeded else "generic_decline",
            "risk_level": "normal",
            "seller_message": "Payment complete." if succeeded else "The bank declined.",
            "type": "authorized" if succeeded else "issuer_declined",
        },
        "paid": succeeded,
        "payment_intent": payment_intent,
        "payment_method": payment_method,
        "payment_method_details": payment_method_details(payment_method_type),
        "receipt_email": receipt_email,
        "receipt_number": None,
        "receipt_url": None,
        "refunded": (amount > 0 and amount_refunded >= amount) if refunded is None else refunded,
        "review": None,
        "shipping": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": status,
        "transfer_data": None,
        "transfer_group": None,
    }
    return _finish(obj, overrides)


def refund(
    *,
    id: str | None = None,
    amount: int = 1000,
    currency: str = "eur",
    charge: str | None = None,
    payment_intent: str | None = None,
    status: str = "succeeded",
    failure_reason: str | None = None,
    metadata: Mapping[str, str] | None = None,
    reason: str | None = None,
    created: int | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A Refund; `status` is one of pending, requires_action, succeeded, failed, canceled."""
    obj: dict[str, Any] = {
        "id": id or new_id("re_"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": new_id("txn_") if status == "succeeded" else None,
        "charge": charge,
        "created": _now(created),
        "currency": currency,
        "destination_details": None,
        "failure_reason": failure_reason,
        "metadata": dict(metadata or {}),
        "payment_intent": payment_intent,
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
    }
    return _finish(obj, overrides)


def _blank(cls: type) -> dict[str, Any]:
    """Every field of a nested object class, empty: how Stripe shows evidence not given."""
    return {
        name: None
        for name in cls.__annotations__
        if not name.startswith("_") and not name.isupper()
    }


def dispute(
    *,
    id: str | None = None,
    amount: int = 1000,
    currency: str = "eur",
    charge: str | None = None,
    payment_intent: str | None = None,
    reason: str = "fraudulent",
    status: str = "needs_response",
    due_by: int | None = None,
    created: int | None = None,
    metadata: Mapping[str, str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A Dispute; evidence is due a week after `created` unless `due_by` says otherwise."""
    made = _now(created)
    obj: dict[str, Any] = {
        "id": id or new_id("dp_"),
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [],
        "charge": charge or new_id("ch_"),
        "created": made,
        "currency": currency,
        "evidence": _blank(stripe.Dispute.Evidence),
        "evidence_details": {
            "due_by": made + 7 * 24 * 3600 if due_by is None else due_by,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": dict(metadata or {}),
        "payment_intent": payment_intent,
        "payment_method_details": {
            "card": {"brand": "visa", "case_type": "chargeback", "network_reason_code": "10.4"},
            "type": "card",
        },
        "reason": reason,
        "status": status,
    }
    return _finish(obj, overrides)


def early_fraud_warning(
    *,
    id: str | None = None,
    charge: str | None = None,
    payment_intent: str | None = None,
    fraud_type: str = "made_with_stolen_card",
    actionable: bool = True,
    created: int | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A Radar early fraud warning about a charge."""
    obj: dict[str, Any] = {
        "id": id or new_id("issfr_"),
        "object": "radar.early_fraud_warning",
        "actionable": actionable,
        "charge": charge or new_id("ch_"),
        "created": _now(created),
        "fraud_type": fraud_type,
        "livemode": False,
        "payment_intent": payment_intent,
    }
    return _finish(obj, overrides)


def event(
    type: str,
    obj: Mapping[str, Any],
    *,
    api_version: str = PINNED_API_VERSION,
    id: str | None = None,
    created: int | None = None,
    request_id: str | None = None,
    idempotency_key: str | None = None,
    pending_webhooks: int = 1,
    previous_attributes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An Event envelope around `obj`, as a webhook endpoint of `api_version` receives it;
    `type` must be an event type of the pinned version."""
    if type not in EVENT_TYPES:
        raise ValueError(f"not an event type of {PINNED_API_VERSION}: {type}")
    data: dict[str, Any] = {"object": dict(obj)}
    if previous_attributes is not None:
        data["previous_attributes"] = dict(previous_attributes)
    envelope: dict[str, Any] = {
        "id": id or new_id("evt_"),
        "object": "event",
        "api_version": api_version,
        "created": _now(created),
        "data": data,
        "livemode": False,
        "pending_webhooks": pending_webhooks,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": type,
    }
    return _finish(envelope, {})


def signed(
    event_dict: Mapping[str, Any], secret: str, *, timestamp: int | None = None
) -> tuple[bytes, str]:
    """The body Stripe posts (indented JSON) and its `Stripe-Signature` header for `secret`,
    signed now unless `timestamp` says when."""
    body = json.dumps(event_dict, indent=2, sort_keys=True)
    header = stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=int(time.time()) if timestamp is None else timestamp
    )
    return body.encode("utf-8"), header
