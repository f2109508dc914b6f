"""The audit log: every staff write records who, when, which object and the fields
before → after, in the same transaction as the change (the caller commits both)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shop.models import AuditEntry, StaffMember


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def publication_action(created: bool, was_public: bool, is_public: bool) -> str:
    """The audit action of saving something customers may see: create, publish, unpublish
    or update."""
    if created:
        return "create"
    if is_public and not was_public:
        return "publish"
    if was_public and not is_public:
        return "unpublish"
    return "update"


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields whose value changed, as {field: (before, after)}."""
    return {
        key: (before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if _plain(before.get(key)) != _plain(after.get(key))
    }


def record_change(
    session: Session,
    actor: StaffMember | None,
    action: str,
    obj: Any,
    changes: Mapping[str, tuple[Any, Any]],
    *,
    now: datetime,
    summary: str = "",
    source: str = "(command line)",
) -> AuditEntry:
    """Add the audit row for a change (no commit: it belongs to the change's transaction).
    Without a staff member, `source` says who acted: the command line, or "Stripe" for what
    the payment provider reported."""
    if getattr(obj, "id", None) is None:
        session.flush()
    entry = AuditEntry(
        at=now,
        staff_id=actor.id if actor is not None else None,
        staff_email=actor.email if actor is not None else source,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "id", "")),
        summary=summary[:300],
        changes=json.dumps(
            {k: [_plain(b), _plain(a)] for k, (b, a) in changes.items()}, ensure_ascii=False
        ),
    )
    session.add(entry)
    return entry
