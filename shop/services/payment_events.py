"""Payment events no order took, for staff: listing, reading and marking them reviewed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.db import begin_write
from shop.models import PaymentEvent, StaffMember
from shop.services.audit import record_change


def unmatched_events(session: Session, *, include_reviewed: bool = False) -> Sequence[PaymentEvent]:
    """Events flagged for staff (no order of this shop), newest first, without raw bodies
    being needed (the list shows type, time and outcome)."""
    query = select(PaymentEvent).where(PaymentEvent.needs_attention.is_(True))
    if not include_reviewed:
        query = query.where(PaymentEvent.reviewed_at.is_(None))
    return session.scalars(query.order_by(PaymentEvent.id.desc()).limit(200)).all()


def count_unreviewed(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count(PaymentEvent.id)).where(
                PaymentEvent.needs_attention.is_(True), PaymentEvent.reviewed_at.is_(None)
            )
        )
        or 0
    )


def unmatched_event(session: Session, event_id: int) -> PaymentEvent | None:
    return session.scalars(
        select(PaymentEvent).where(
            PaymentEvent.id == event_id, PaymentEvent.needs_attention.is_(True)
        )
    ).first()


def mark_reviewed(session: Session, event_id: int, *, actor: StaffMember, now: datetime) -> bool:
    """Mark a flagged event as looked at, with its audit entry; False if there is none."""
    begin_write(session)
    event = unmatched_event(session, event_id)
    if event is None:
        session.rollback()
        return False
    if event.reviewed_at is None:
        event.reviewed_at = now
        event.reviewed_by = actor.email
        record_change(
            session,
            actor,
            "review_payment_event",
            event,
            {"reviewed_at": (None, now)},
            now=now,
            summary=f"event {event.event_id} ({event.event_type}): {event.outcome}",
        )
    session.commit()
    return True
