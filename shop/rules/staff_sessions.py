"""How long a staff session lasts, and how recent a sign-in must be for sensitive actions.

What belongs here: the decisions only, on instants the caller passes in. The web layer keeps
the instants in the signed session cookie and reads the clock; nothing here does either.

The limits follow NIST SP 800-63B's rules for its second assurance level: a session ends
after 30 minutes without use and 12 hours after its sign-in, whatever happens in between.
A limit is reached, not passed, on its last second: a session used at 10:00:00 with a
30-minute idle limit still works at 10:30:00 and has ended at 10:30:01 (any fraction later).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["SessionEnd", "SessionLimits", "is_recent", "why_session_ends"]


class SessionEnd(enum.StrEnum):
    ABSOLUTE = "absolute"  # signed in longer ago than the session may last
    IDLE = "idle"  # not used for longer than the idle limit
    UNKNOWN = "unknown"  # the session does not say when it began (made before these rules)


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta
    reauthenticate: timedelta

    @classmethod
    def from_minutes(cls, idle: int, absolute_hours: int, reauthenticate: int) -> SessionLimits:
        return cls(
            idle=timedelta(minutes=idle),
            absolute=timedelta(hours=absolute_hours),
            reauthenticate=timedelta(minutes=reauthenticate),
        )


def why_session_ends(
    signed_in_at: datetime | None,
    last_used_at: datetime | None,
    *,
    now: datetime,
    limits: SessionLimits,
) -> SessionEnd | None:
    """Why a session must end now, or None while it may go on.

    The absolute limit is named first when both are passed: it is the one that no activity
    could have avoided. An instant after `now` (a clock set back) counts as just now.
    """
    if signed_in_at is None or last_used_at is None:
        return SessionEnd.UNKNOWN
    if now - signed_in_at > limits.absolute:
        return SessionEnd.ABSOLUTE
    if now - last_used_at > limits.idle:
        return SessionEnd.IDLE
    return None


def is_recent(authenticated_at: datetime | None, *, now: datetime, window: timedelta) -> bool:
    """Was the password (and code) last given at most `window` ago?"""
    return authenticated_at is not None and now - authenticated_at <= window
