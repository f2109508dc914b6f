"""The one-time sign-in links of "My orders": a mailbox asks, a link is e-mailed, the
browser that uses it may list that mailbox's orders for a while.

Only the SHA-256 of a link's token is kept: whoever reads the database (a backup, a
support query) cannot use a link that is still valid. A row is written for every address
asked for, with orders or without, so that the answer takes the same work either way and
the per-mailbox limit counts every request (`shop.services.order_links`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.db import Base, UTCDateTime


class OrderAccessLink(Base):
    __tablename__ = "order_access_links"
    __table_args__ = (Index("ix_order_access_links_identity_created", "identity", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The mailbox (`shop.rules.promotions.customer_identity`), not the address as typed.
    identity: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
