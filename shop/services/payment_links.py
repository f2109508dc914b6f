"""How something the payment provider reports is tied to the shop's own records, how an order
is marked for a staff member's attention (a reason code and its data), and what applying an
event came to (`Outcome`).

The only link from a payment to an order is the PaymentIntent id the shop stored when it made
the intent (or the charge id it learnt from that intent's success). Metadata is never
trusted: an intent whose metadata names an order, but which the shop did not create, pays
nothing; its event is kept and shown to staff instead.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import AttentionReason, Order, PaymentAttempt


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


def flag_order(order: Order, code: AttentionReason, /, **params: Any) -> None:
    """Mark the order for staff with the reason `code` and its data (a note said once,
    however often the same news arrives)."""
    order.needs_attention = True
    note = {"code": str(code), "params": params}
    notes = list(order.attention_notes or [])
    if note not in notes:
        # A new list, so SQLAlchemy sees the JSON column change.
        order.attention_notes = [*notes, note]


def money_text(cents: int, currency: str) -> str:
    """An amount in a log line or an audit summary (English): "EUR 12.50"."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{currency.upper()} {sign}{cents // 100}.{cents % 100:02d}"


class EventOutcome(enum.StrEnum):
    """What applying one payment event came to."""

    PAID = "paid"
    PAID_AFTER_EXPIRY = "paid_after_expiry"
    PAID_NEEDS_REFUND = "paid_needs_refund"  # paid after expiry, the stock gone
    ALREADY_PAID = "already_paid"
    PAID_TWICE = "paid_twice"
    MISMATCH = "mismatch"  # amount, currency or order does not match: flagged, not paid
    UNEXPECTED_STATUS = "unexpected_status"
    PROCESSING = "processing"
    FAILED = "failed"
    CANCELED = "canceled"
    REFUND = "refund"
    DISPUTE = "dispute"
    NOT_OURS = "not_ours"  # a payment this shop did not make: kept for staff
    OTHER_INSTALLATION = "other_installation"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    NO_NEWS = "no_news"
    MALFORMED = "malformed"  # signed, but not the shape of an event: kept for staff, not applied


PAID_OUTCOMES = frozenset(
    {EventOutcome.PAID, EventOutcome.PAID_AFTER_EXPIRY, EventOutcome.PAID_NEEDS_REFUND}
)


@dataclass(frozen=True)
class Outcome:
    """An event's outcome: its kind, and the few words stored with the event and answered to
    the provider ("paid", "refund succeeded: no change", …)."""

    kind: EventOutcome
    text: str

    def __str__(self) -> str:
        return self.text
