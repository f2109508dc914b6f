"""One-time sign-in links for "My orders": asking for one, using one, and the orders a used
link lets its browser list.

Asking does the same database work whether or not the mailbox has orders (a count, an
existence check, one row written, one commit), so neither the answer nor its time tells a
stranger whether an address is a customer's; only the caller's decision to send the e-mail
differs (`IssuedLink.should_send`). A mailbox is sent at most `per_hour` links an hour,
counted from the rows themselves, so several app servers share the limit; requests for one
mailbox take turns (SQLite's exclusive write, PostgreSQL's advisory lock on the mailbox), so
a burst of them at once cannot all count "none yet".

A link is used by a conditional UPDATE (`used_at IS NULL AND expires_at > now`): of two
browsers using it at once exactly one changes the row and wins, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from shop.db import begin_write, is_sqlite
from shop.models import Order, OrderAccessLink
from shop.rules.promotions import customer_identity

# 32 random bytes, URL-safe base64: 256 bits, 43 characters.
TOKEN_BYTES = 32
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
# Rows older than this are deleted when a new link is asked for; nothing reads them then
# (a link lives minutes, the per-mailbox limit counts an hour, a list lasts at most a day).
KEEP_LINKS_FOR = timedelta(days=2)
LIMIT_WINDOW = timedelta(hours=1)


class LinkUnusable(LookupError):
    """The link is unknown, used already, or expired (the customer is told one thing)."""


@dataclass(frozen=True)
class IssuedLink:
    """What asking for a link produced: the token to put in the e-mail, and whether to send
    it (the mailbox has orders and has not had too many links this hour)."""

    token: str
    should_send: bool


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def request_order_link(
    session: Session, email: str, *, now: datetime, valid_for: timedelta, per_hour: int
) -> IssuedLink:
    """Make a link for the mailbox of `email` (valid `valid_for`, once) and say whether to
    e-mail it; the same work is done whatever the answer."""
    identity = customer_identity(email)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    begin_write(session)
    _serialise_per_mailbox(session, identity)
    session.execute(
        delete(OrderAccessLink)
        .where(OrderAccessLink.created_at < now - KEEP_LINKS_FOR)
        .execution_options(synchronize_session=False)
    )
    sent_this_hour = session.scalar(
        select(func.count(OrderAccessLink.id)).where(
            OrderAccessLink.identity == identity,
            OrderAccessLink.created_at > now - LIMIT_WINDOW,
        )
    )
    has_orders = bool(session.scalar(select(exists().where(Order.customer_identity == identity))))
    within_limit = (sent_this_hour or 0) < per_hour
    if within_limit:
        session.add(
            OrderAccessLink(
                identity=identity,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + valid_for,
            )
        )
    session.commit()
    return IssuedLink(token=token, should_send=has_orders and within_limit)


def _serialise_per_mailbox(session: Session, identity: str) -> None:
    # Requests for one mailbox take turns until they commit, so that each counts the links
    # of the ones before it: else a burst of simultaneous requests (from many addresses,
    # past the per-address limit) would all count "none yet" and mail-bomb the mailbox.
    # SQLite's write transaction is exclusive already.
    if is_sqlite(session):
        return
    key = int.from_bytes(hashlib.sha256(identity.encode()).digest()[:8], "big", signed=True)
    session.execute(select(func.pg_advisory_xact_lock(key)))


def _well_formed(token: str) -> bool:
    return 0 < len(token) <= 64 and _TOKEN_CHARS.issuperset(token)


def link_is_usable(session: Session, token: str, *, now: datetime) -> bool:
    """True if the link exists, is unused and has not expired (reading only: a mail
    scanner opening the link uses nothing)."""
    if not _well_formed(token):
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    OrderAccessLink.token_hash == token_hash(token),
                    OrderAccessLink.used_at.is_(None),
                    OrderAccessLink.expires_at > now,
                )
            )
        )
    )


def use_order_link(session: Session, token: str, *, now: datetime) -> int:
    """Use the link (once): its id, the key to its mailbox's orders; `LinkUnusable` if it is
    unknown, used (also by a browser that got there a moment earlier) or expired."""
    if not _well_formed(token):
        raise LinkUnusable
    begin_write(session)
    link_id = session.scalar(
        update(OrderAccessLink)
        .where(
            OrderAccessLink.token_hash == token_hash(token),
            OrderAccessLink.used_at.is_(None),
            OrderAccessLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(OrderAccessLink.id)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if link_id is None:
        raise LinkUnusable
    return link_id


def orders_of_link(session: Session, link_id: int) -> list[Order] | None:
    """The orders of the used link's mailbox, newest first, in one query; None if the link
    is gone (deleted after `KEEP_LINKS_FOR`)."""
    rows = session.execute(
        select(OrderAccessLink.id, Order)
        .select_from(OrderAccessLink)
        .outerjoin(Order, Order.customer_identity == OrderAccessLink.identity)
        .where(OrderAccessLink.id == link_id, OrderAccessLink.used_at.is_not(None))
        .order_by(Order.created_at.desc(), Order.id.desc())
    ).all()
    if not rows:
        return None
    return [order for _link_id, order in rows if order is not None]
