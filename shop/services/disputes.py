"""Chargebacks and fraud warnings about the shop's payments (`charge.dispute.created|updated|
closed`, `radar.early_fraud_warning.created|updated`).

Each is kept as a `PaymentDispute` row by its provider id (events about it update the row,
in any order), the order it concerns is flagged for staff with the amount, the reason and
the deadline for evidence, and the audit log says what Stripe reported. A closed dispute
records whether it was won or lost. Answering a dispute happens in Stripe's Dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from shop.models import AttentionReason, DisputeKind, Order, PaymentAttempt, PaymentDispute
from shop.services.audit import record_change
from shop.services.payment_links import EventOutcome, Outcome, flag_order, id_of, money_text

# Statuses after which nothing more happens to a dispute.
CLOSED_STATUSES = {"won", "lost", "warning_closed", "prevented"}


def _instant(value: Any) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**40:
        return datetime.fromtimestamp(value, UTC)
    return None


def _text(value: Any, limit: int) -> str:
    return str(value)[:limit] if isinstance(value, str | int) else ""


def dispute_reported(
    session: Session,
    kind: DisputeKind,
    obj: Mapping[str, Any],
    attempt: PaymentAttempt | None,
    order: Order | None,
    *,
    closed: bool,
    now: datetime,
) -> Outcome:
    """Record a dispute or early fraud warning and flag its order; the caller commits."""
    provider_id = _text(obj.get("id"), 255)
    if not provider_id:
        return Outcome(EventOutcome.IGNORED, "ignored: no id")
    row = session.scalars(
        select(PaymentDispute).where(PaymentDispute.provider_id == provider_id)
    ).first()
    is_new = row is None
    if row is None:
        row = PaymentDispute(provider_id=provider_id, kind=kind, opened_at=now, updated_at=now)
        session.add(row)
    before = {"status": row.status, "outcome": row.outcome}
    row.order_id = order.id if order is not None else row.order_id
    row.intent_id = id_of(obj.get("payment_intent")) or (attempt.intent_id if attempt else "")
    row.charge_id = id_of(obj.get("charge")) or row.charge_id or ""
    amount = obj.get("amount")
    if isinstance(amount, int) and not isinstance(amount, bool):
        row.amount_cents = amount
    elif kind == DisputeKind.EARLY_FRAUD_WARNING and attempt is not None:
        row.amount_cents = attempt.amount_cents  # a warning is about the whole charge
    row.currency = _text(obj.get("currency"), 3).upper() or (attempt.currency if attempt else "")
    row.updated_at = now
    if kind == DisputeKind.DISPUTE:
        row.reason = _text(obj.get("reason"), 100)
        row.status = _text(obj.get("status"), 40)
        evidence = obj.get("evidence_details")
        if isinstance(evidence, Mapping):
            row.evidence_due_at = _instant(evidence.get("due_by")) or row.evidence_due_at
        if closed or row.status in CLOSED_STATUSES:
            row.closed_at = row.closed_at or now
            row.outcome = row.status if row.status in {"won", "lost"} else "closed"
    else:
        row.reason = _text(obj.get("fraud_type"), 100)
        row.status = "actionable" if obj.get("actionable") else "not actionable"
    if order is None:
        return Outcome(EventOutcome.DISPUTE, f"{kind} for a payment the shop does not know")
    note = _note(row, order)
    _flag(row, order)
    action = {
        (DisputeKind.DISPUTE, True): "dispute_opened",
        (DisputeKind.DISPUTE, False): "dispute_closed" if row.closed_at else "dispute_updated",
        (DisputeKind.EARLY_FRAUD_WARNING, True): "fraud_warning",
        (DisputeKind.EARLY_FRAUD_WARNING, False): "fraud_warning_updated",
    }[(kind, is_new)]
    record_change(
        session,
        None,
        action,
        order,
        {
            "status": (before["status"] or None, row.status),
            "outcome": (before["outcome"], row.outcome),
        },
        now=now,
        summary=note,
        source="Stripe",
    )
    return Outcome(EventOutcome.DISPUTE, f"{kind} {row.status}")


def _flag(row: PaymentDispute, order: Order) -> None:
    money = {"amount_cents": row.amount_cents, "currency": row.currency or order.currency}
    if row.kind == DisputeKind.EARLY_FRAUD_WARNING:
        flag_order(
            order,
            AttentionReason.FRAUD_WARNING,
            warning=row.provider_id,
            fraud_type=row.reason,
            **money,
        )
    elif row.closed_at is not None:
        flag_order(
            order,
            AttentionReason.DISPUTE_CLOSED,
            dispute=row.provider_id,
            reason=row.reason,
            outcome=row.outcome,
            **money,
        )
    else:
        flag_order(
            order,
            AttentionReason.DISPUTE_OPEN,
            dispute=row.provider_id,
            reason=row.reason,
            due_at=row.evidence_due_at.isoformat() if row.evidence_due_at else None,
            **money,
        )


def _note(row: PaymentDispute, order: Order) -> str:
    """The audit log's summary (English, as every audit summary)."""
    amount = money_text(row.amount_cents, row.currency or order.currency)
    if row.kind == DisputeKind.EARLY_FRAUD_WARNING:
        return (
            f"Early fraud warning {row.provider_id} ({row.reason or 'fraud'}, {amount}): the card "
            "issuer reports this payment as fraud. Consider refunding it before it becomes a "
            "dispute."
        )
    if row.closed_at is not None:
        return f"Dispute {row.provider_id} ({amount}, {row.reason}) closed: {row.outcome}."
    due = (
        f", evidence due by {row.evidence_due_at:%Y-%m-%d %H:%M} UTC" if row.evidence_due_at else ""
    )
    return f"Dispute {row.provider_id} ({amount}, {row.reason}){due}: answer it in Stripe."


def open_disputes(session: Session, *, now: datetime) -> list[PaymentDispute]:
    """Disputes still open and the fraud warnings of the last 30 days, soonest deadline
    first."""
    return list(
        session.scalars(
            select(PaymentDispute)
            .where(
                or_(
                    and_(
                        PaymentDispute.kind == DisputeKind.DISPUTE,
                        PaymentDispute.closed_at.is_(None),
                    ),
                    and_(
                        PaymentDispute.kind == DisputeKind.EARLY_FRAUD_WARNING,
                        PaymentDispute.opened_at >= now - timedelta(days=30),
                    ),
                )
            )
            .order_by(PaymentDispute.evidence_due_at.is_(None), PaymentDispute.evidence_due_at)
            .limit(50)
        )
    )
