"""How something the payment provider reports is tied to the shop's own records, and how an
order is marked for a staff member's attention.

The only link from a payment to an order is the PaymentIntent id the shop stored when it made
the intent (or the charge id it learnt from that intent's success). Metadata is never
trusted: an intent whose metadata names an order, but which the shop did not create, pays
nothing; its event is kept and shown to staff instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Order, PaymentAttempt


def id_of(value: Any) -> str | None:
    """An expandable field's id: today's API sends an id string, older ones an object."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping):
        found = value.get("id")
        return found if isinstance(found, str) else None
    return None


def attempt_for(
    session: Session, *, intent_id: str | None, charge_id: str | None = None
) -> PaymentAttempt | None:
    """The shop's own payment attempt for an intent id (or, failing that, a charge id)."""
    if intent_id:
        attempt = session.scalars(
            select(PaymentAttempt).where(PaymentAttempt.intent_id == intent_id)
        ).first()
        if attempt is not None:
            return attempt
    if charge_id:
        return session.scalars(
            select(PaymentAttempt).where(PaymentAttempt.charge_id == charge_id)
        ).first()
    return None


def flag_order(order: Order, reason: str) -> None:
    """Mark the order for staff, adding `reason` to what it already says (once)."""
    order.needs_attention = True
    reasons = order.attention_reason.split("\n") if order.attention_reason else []
    if reason not in reasons:
        reasons.append(reason)
    order.attention_reason = "\n".join(reasons)


def money_text(cents: int, currency: str) -> str:
    """An amount in a staff note, the same in every language: "EUR 12.50"."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{currency.upper()} {sign}{cents // 100}.{cents % 100:02d}"
