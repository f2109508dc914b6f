"""The e-mails to customers: queued in the transaction that makes the change they tell of
(paid, shipped, a refund succeeded, cancelled, expired), sent after it commits.

Each outbox row carries an idempotency key naming its event (`order-<id>-<kind>`, or
`order-<id>-refund-<refund>` for each refund), unique in the table, and sending claims the
row with a conditional UPDATE first, so each event is told exactly once whatever the
webhooks and the staff's buttons do (duplicates, retries, two servers at once). A failed
send is kept with its error and retried by `flask --app shop outbox send`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from shop.db import begin_write, built_once, dialect_upsert, rows_changed
from shop.images import VARIANT_SIDES
from shop.mail import Mailer
from shop.models import EmailStatus, Order, OutboxEmail, ProductImageVariant, Refund

log = logging.getLogger(__name__)

ORDER_CONFIRMATION = "order_confirmation"
ORDER_SHIPPED = "order_shipped"
ORDER_REFUNDED = "order_refunded"
ORDER_CANCELLED = "order_cancelled"
ORDER_EXPIRED = "order_expired"


def email_key(order_id: int, kind: str, refund: Refund | None = None) -> str:
    """The event an e-mail tells of. A refund is named by the provider's id when it has one:
    a refund first seen in an event and then answered to the shop is one refund, whichever
    row ends up holding it."""
    if refund is None:
        return f"order-{order_id}-{kind}"
    name = refund.provider_refund_id or f"row-{refund.id}"
    return f"order-{order_id}-refund-{name}"[:120]


@built_once
def _queue(dialect: str) -> Executable:
    # RETURNING says whether the row went in (psycopg gives no row count for an INSERT
    # that may do nothing).
    return (
        dialect_upsert(dialect, OutboxEmail)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxEmail.id)
    )


def queue_email(
    session: Session, order: Order, kind: str, *, now: datetime, refund: Refund | None = None
) -> bool:
    """Add an e-mail to the outbox (in the caller's transaction; it commits) unless its event
    was told already; True if it was added. It is written when it is sent: rendering it
    here would keep the caller's transaction open."""
    if refund is not None and refund.id is None:
        session.flush()
    # One statement: the unique key turns a second telling (also one committed at the same
    # moment by another server) into nothing.
    added = session.scalar(
        _queue(session),
        {
            "order_id": order.id,
            "kind": kind,
            "idempotency_key": email_key(order.id, kind, refund),
            "refund_id": refund.id if refund is not None else None,
            "recipient": order.email,
            "subject": "",
            "body_text": "",
            "body_html": "",
            "status": EmailStatus.PENDING,
            "attempts": 0,
            "last_error": "",
            "created_at": now,
        },
    )
    return added is not None


def queue_order_confirmation(session: Session, order: Order, *, now: datetime) -> None:
    """Add the confirmation of a paid order to the outbox."""
    queue_email(session, order, ORDER_CONFIRMATION, now=now)


@dataclass(frozen=True)
class WrittenEmail:
    subject: str
    text: str
    html: str


# Writes an outbox row's words (templates, the order's language): the web layer's job
# (`shop.web.emails.write_email`), handed in so that this module needs no template or
# translation machinery.
Writer = Callable[[Session, OutboxEmail], WrittenEmail]


# Every picture has its smallest size: 320 px, a sharp 64-pixel thumbnail on any screen.
EMAIL_PICTURE_SIDE = VARIANT_SIDES[0]

# How a written e-mail refers to a product picture it carries: `cid:picture-<image id>@shop`.
_PICTURE_CID = re.compile(r"cid:(picture-(\d+)@shop)")


def inline_pictures(session: Session, html: str) -> dict[str, bytes]:
    """The small JPEGs an e-mail's HTML shows, by content id, read when it is sent (the
    outbox keeps only the words); one query, and a picture removed since is left out."""
    wanted = {int(image_id): cid for cid, image_id in _PICTURE_CID.findall(html)}
    if not wanted:
        return {}
    rows = session.execute(
        select(ProductImageVariant.image_id, ProductImageVariant.data).where(
            ProductImageVariant.image_id.in_(wanted),
            ProductImageVariant.side == EMAIL_PICTURE_SIDE,
            ProductImageVariant.format == "jpeg",
        )
    ).all()
    return {wanted[row.image_id]: bytes(row.data) for row in rows}


def send_pending_emails(
    session: Session,
    mailer: Mailer,
    *,
    write: Writer,
    now: datetime,
    order_id: int | None = None,
    limit: int | None = None,
) -> int:
    """Send what waits in the outbox (of one order, or all); returns how many went out."""
    query = select(OutboxEmail.id).where(OutboxEmail.status == EmailStatus.PENDING)
    if order_id is not None:
        query = query.where(OutboxEmail.order_id == order_id)
    pending = list(session.scalars(query.order_by(OutboxEmail.id).limit(limit)))
    session.rollback()
    sent = 0
    for email_id in pending:
        begin_write(session)
        done = EmailStatus.SENT if mailer.delivers else EmailStatus.LOGGED
        claimed = rows_changed(
            session,
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, OutboxEmail.status == EmailStatus.PENDING)
            .values(status=done, sent_at=now, attempts=OutboxEmail.attempts + 1)
            .execution_options(synchronize_session=False),
        )
        session.commit()
        if claimed != 1:
            continue  # another server is sending it
        email = session.get(OutboxEmail, email_id)
        assert email is not None
        if not email.subject:
            begin_write(session)
            written = write(session, email)
            email.subject, email.body_text, email.body_html = (
                written.subject,
                written.text,
                written.html,
            )
            session.commit()
        try:
            mailer.send(
                recipient=email.recipient,
                subject=email.subject,
                text=email.body_text,
                html=email.body_html,
                inline_images=inline_pictures(session, email.body_html),
            )
        except Exception as error:  # SMTP errors are many; all mean "try again later"
            log.warning("e-mail %s not sent: %s", email_id, error)
            begin_write(session)
            email = session.get(OutboxEmail, email_id)
            assert email is not None
            email.status = EmailStatus.FAILED
            email.sent_at = None
            email.last_error = str(error)[:1000]
            session.commit()
            continue
        sent += 1
    return sent


def deliver_soon(
    session: Session,
    mailer: Mailer,
    *,
    write: Writer,
    now: datetime,
    limit: int = 5,
    order_id: int | None = None,
) -> None:
    """Send a few queued e-mails (of one order, or any) right after a payment or a staff
    action; a failure here is retried later by
    `flask --app shop outbox send` and never fails the caller (a webhook must not be
    answered 500 because a mail server is slow: Stripe would send the payment again)."""
    try:
        send_pending_emails(session, mailer, write=write, now=now, limit=limit, order_id=order_id)
    except Exception:
        session.rollback()
        log.exception("sending queued e-mails failed; `flask --app shop outbox send` retries")


def retry_failed_emails(session: Session) -> int:
    """Put failed e-mails back in the queue."""
    begin_write(session)
    result = rows_changed(
        session,
        update(OutboxEmail)
        .where(OutboxEmail.status == EmailStatus.FAILED)
        .values(status=EmailStatus.PENDING)
        .execution_options(synchronize_session=False),
    )
    session.commit()
    return result
