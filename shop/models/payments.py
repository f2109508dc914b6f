"""Money movements: payment attempts (the PaymentIntents the shop made for an order), every
payment event received (stored once, with its raw body), refunds (each with its status),
disputes and fraud warnings, and the e-mail outbox.

The event store's unique event id is what makes webhooks idempotent: a second delivery of
the same event fails to insert and changes nothing, on every app server at once. The stored
intent id is the only link from a payment to an order: an intent the shop did not create
never pays anything, whatever its metadata says.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shop.db import Base, UTCDateTime, str_enum


class PaymentProvider(enum.StrEnum):
    STRIPE = "stripe"
    TEST = "test"


class IntentStatus(enum.StrEnum):
    """The statuses of a Stripe PaymentIntent the shop acts on (it stores any other as is)."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


# An intent in one of these may still be paid in the browser: its client secret may be used.
OPEN_INTENT_STATUSES = frozenset(
    {
        IntentStatus.REQUIRES_PAYMENT_METHOD,
        IntentStatus.REQUIRES_CONFIRMATION,
        IntentStatus.REQUIRES_ACTION,
    }
)


class PaymentAttempt(Base):
    """A PaymentIntent the shop made for an order. An order gets a new one (the next
    `sequence`) only when the previous one was canceled; its `status` is the intent's last
    known status at the provider (stored as text: Stripe may add statuses)."""

    __tablename__ = "payment_attempts"
    __table_args__ = (
        UniqueConstraint("order_id", "sequence", name="uq_payment_attempts_order_sequence"),
        Index("ix_payment_attempts_cancel_pending", "cancel_requested_at", "canceled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    provider: Mapped[PaymentProvider] = mapped_column(str_enum(PaymentProvider, "provider"))
    intent_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(40), default=IntentStatus.REQUIRES_PAYMENT_METHOD)
    # The charge that took the money (`latest_charge`): disputes and fraud warnings name it.
    charge_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The order expired or was cancelled: the intent must be canceled at the provider too
    # (`flask --app shop payments reconcile` retries until it is, or until it turns out paid).
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_error: Mapped[str] = mapped_column(String(300), default="")
    # How the customer paid ("card", "ideal", …) when the provider said so; "" if unknown.
    payment_method: Mapped[str] = mapped_column(String(40), default="")


class PaymentEvent(Base):
    """An event from Stripe (or the test gateway), stored once with its raw body."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    provider: Mapped[PaymentProvider] = mapped_column(str_enum(PaymentProvider, "event_provider"))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    raw_body: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A payment the shop did not create (or cannot place): staff look at it, then mark it
    # reviewed (`reviewed_at`, by `reviewed_by`).
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str] = mapped_column(String(320), default="")


class RefundStatus(enum.StrEnum):
    """A refund's status, as Stripe names it."""

    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


# Money that is on its way back or is back: it counts as refunded, so it cannot be refunded
# twice. A failed or canceled refund gives its amount back to "refundable".
COUNTING_REFUND_STATUSES = frozenset(
    {RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION, RefundStatus.SUCCEEDED}
)


class RefundOrigin(enum.StrEnum):
    SHOP = "shop"  # asked for by staff (back office or command line)
    PROVIDER = "provider"  # first seen in an event: made in Stripe's Dashboard


class Refund(Base):
    """Money given back for one payment of an order. A refund the shop makes is written
    `pending`, with its idempotency key, before the provider is asked; events and the
    provider's answer then move it on by its provider id."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    payment_attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_attempts.id", ondelete="SET NULL"), index=True
    )
    provider_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[RefundStatus] = mapped_column(str_enum(RefundStatus, "refund_status"))
    origin: Mapped[RefundOrigin] = mapped_column(str_enum(RefundOrigin, "refund_origin"))
    amount_cents: Mapped[int] = mapped_column(Integer)
    # Staff asked for the goods to go back in stock; `restocked` once they did (when the
    # provider accepted the refund, so a refused refund never restocks).
    restock_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    restocked: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(500), default="")
    failure_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DisputeKind(enum.StrEnum):
    DISPUTE = "dispute"
    EARLY_FRAUD_WARNING = "early_fraud_warning"


class PaymentDispute(Base):
    """A chargeback (`charge.dispute.*`) or an early fraud warning from the card network
    (`radar.early_fraud_warning.*`) about one of the shop's payments."""

    __tablename__ = "payment_disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[DisputeKind] = mapped_column(str_enum(DisputeKind, "dispute_kind"))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    intent_id: Mapped[str] = mapped_column(String(255), default="")
    charge_id: Mapped[str] = mapped_column(String(255), default="")
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="")
    # A dispute's reason (`fraudulent`, `product_not_received`, …) or a warning's fraud type.
    reason: Mapped[str] = mapped_column(String(100), default="")
    # Stripe's status (`needs_response`, `under_review`, `won`, `lost`, …), as text.
    status: Mapped[str] = mapped_column(String(40), default="")
    evidence_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "won" or "lost" once a dispute closed; "" while open (and for warnings).
    outcome: Mapped[str] = mapped_column(String(20), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_open(self) -> bool:
        return self.kind == DisputeKind.DISPUTE and self.closed_at is None


class ShopInstallation(Base):
    """One row: this database's own random name. It prefixes every idempotency key the shop
    sends to the payment provider, so two installations sharing one Stripe account (staging
    and development, say) never replay each other's requests."""

    __tablename__ = "shop_installation"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    LOGGED = "logged"
    FAILED = "failed"


class OutboxEmail(Base):
    """An e-mail to send. `idempotency_key` names the event it tells of (the order's
    confirmation, its shipping, one refund), so no event is told twice."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    # The refund a refund e-mail tells of.
    refund_id: Mapped[int | None] = mapped_column(
        ForeignKey("refunds.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[EmailStatus] = mapped_column(str_enum(EmailStatus, "email_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
