"""This database's own name (`ShopInstallation`): the namespace of every idempotency key the
shop sends to the payment provider, so that two installations sharing one Stripe account
(staging and development, say) never replay each other's requests.

Migration 0009 creates the row; should it be missing (an emptied database), the first
caller makes one. Two callers at once agree: the row's primary key is fixed at 1.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop import clock
from shop.db import begin_write
from shop.models import ShopInstallation


def installation_key(session: Session) -> str:
    """This installation's key; made (and committed) on first use if missing."""
    key = session.scalar(select(ShopInstallation.key).where(ShopInstallation.id == 1))
    if key:
        return key
    begin_write(session)
    try:
        session.add(ShopInstallation(id=1, key=secrets.token_hex(8), created_at=clock.now()))
        session.commit()
    except IntegrityError:
        session.rollback()
    return session.scalars(select(ShopInstallation.key).where(ShopInstallation.id == 1)).one()
