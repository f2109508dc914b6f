"""The one place the shop asks what time it is.

`now()` is an aware UTC datetime. Tests that need another instant use `frozen_at(...)`
(in-process only: Stripe's webhook signatures use the real clock, so never move that one).
Local time exists only at the edges: `local_now()` and `local_today()` for pages and forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)


@contextmanager
def frozen_at(instant: datetime) -> Iterator[datetime]:
    """Make `now()` answer `instant` inside the block (tests and the CLI's `--at`)."""
    global _frozen
    if instant.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, instant.astimezone(UTC)
    try:
        yield _frozen
    finally:
        _frozen = previous


def shop_timezone() -> ZoneInfo:
    """The shop's time zone from the running app's settings."""
    from flask import current_app

    return ZoneInfo(current_app.config["SHOP_TIMEZONE"])


def local_now() -> datetime:
    """Now, in the shop's time zone."""
    return now().astimezone(shop_timezone())


def local_today() -> date:
    """Today's date in the shop's time zone (ages and promo dates are counted in it)."""
    return local_now().date()
