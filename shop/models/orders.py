"""Orders: what was bought, at what price, by whom, with which warnings acknowledged.

An order is a snapshot: names, prices, discount shares, VAT (per line and per rate) and the
exact warning texts (with their hashes) are copied in when it is placed, so later catalogue
edits never change what a customer agreed to. No date of birth is kept: only the age check's
outcome, method, time and the policy version it was made under.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db import Base, UTCDateTime, str_enum
from shop.models.agegate import AgeCheckMethod, AgeCheckOutcome
from shop.rules.promotions import Kind, customer_identity


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class AttentionReason(enum.StrEnum):
    """Why an order needs a staff member; kept as a code with its data (`Order.attention_notes`)
    and put into words, in the reader's language, by `shop.web.wording.attention_text`."""

    PAID_TWICE = "paid_twice"  # intent, amount_cents, currency, paid_by
    PAYMENT_NAMES_OTHER_ORDER = "payment_names_other_order"  # intent
    PAYMENT_AMOUNT_DIFFERS = "payment_amount_differs"  # intent, paid_cents, total_cents
    PAYMENT_CURRENCY_DIFFERS = "payment_currency_differs"  # intent, paid_currency, currency
    PAID_AFTER_EXPIRY_NO_STOCK = "paid_after_expiry_no_stock"
    PAYMENT_FOR_STATUS = "payment_for_status"  # status
    REFUND_FAILED = "refund_failed"  # amount_cents, currency, status, failure
    DISPUTE_OPEN = "dispute_open"  # dispute, amount_cents, currency, reason, due_at (ISO)
    DISPUTE_CLOSED = "dispute_closed"  # dispute, amount_cents, currency, reason, outcome
    FRAUD_WARNING = "fraud_warning"  # warning, fraud_type, amount_cents, currency
    NOTE = "note"  # text: a reason written before reasons were codes (migration 0011)


class OrderStep(enum.StrEnum):
    """A step in an order's life, as the customer's order page lists them."""

    PLACED = "placed"
    PAID = "paid"
    SHIPPED = "shipped"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class WarningKind(enum.StrEnum):
    HEALTH = "health"
    DOSAGE = "dosage"
    LEGAL = "legal"
    USAGE = "usage"
    ALLERGY = "allergy"


def _identity_of_email(context: DefaultExecutionContext) -> str:
    return customer_identity(context.get_current_parameters()["email"])


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("subtotal_cents >= 0", name="subtotal_not_negative"),
        CheckConstraint(
            "discount_cents >= 0 AND discount_cents <= subtotal_cents", name="discount_in_range"
        ),
        # What the customer pays: the goods after the discount, plus shipping (0019).
        CheckConstraint(
            "total_cents = subtotal_cents - discount_cents + shipping_cents", name="total_adds_up"
        ),
        CheckConstraint("shipping_cents >= 0", name="shipping_not_negative"),
        CheckConstraint("refunded_cents >= 0", name="refunded_not_negative"),
        Index("ix_orders_status_expires", "status", "expires_at"),
        Index("ix_orders_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"))
    locale: Mapped[str] = mapped_column(String(8))
    email: Mapped[str] = mapped_column(String(320), index=True)
    # The mailbox behind `email` ("jan+shop@x.nl" is "jan@x.nl"), worked out by the database
    # layer on insert whoever places the order: "My orders" lists a mailbox's orders by it.
    customer_identity: Mapped[str] = mapped_column(
        String(320), index=True, default=_identity_of_email
    )
    customer_name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_cents: Mapped[int] = mapped_column(Integer)
    discount_cents: Mapped[int] = mapped_column(Integer, default=0)
    # The shipping line as charged (0019): the method's name in the order's language, its
    # carrier and age check, and the price after the free-shipping rules. Orders placed
    # before shipping was charged read "" and 0.
    shipping_method_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    shipping_carrier: Mapped[str] = mapped_column(String(100), default="", server_default="")
    shipping_includes_age_check: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    shipping_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_cents: Mapped[int] = mapped_column(Integer)
    promo_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("promo_codes.id", ondelete="SET NULL"), index=True
    )
    promo_code_text: Mapped[str] = mapped_column(String(64), default="")
    # What the code gave when the order was placed (a percentage, or an amount in cents), so
    # the order reads its own terms, never the code's (both None without a code).
    promo_kind: Mapped[Kind | None] = mapped_column(str_enum(Kind, "order_promo_kind"))
    promo_value: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when an unpaid order gave its stock and code use back (exactly once).
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The PaymentIntent that paid the order; a later success of another one is paid twice.
    paid_intent_id: Mapped[str | None] = mapped_column(String(255))
    warnings_acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    age_check_outcome: Mapped[AgeCheckOutcome] = mapped_column(
        str_enum(AgeCheckOutcome, "order_age_check_outcome")
    )
    age_check_method: Mapped[AgeCheckMethod] = mapped_column(
        str_enum(AgeCheckMethod, "order_age_check_method")
    )
    age_checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    age_policy_version: Mapped[int] = mapped_column(Integer)
    age_required: Mapped[int] = mapped_column(Integer)
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why, as [{"code": AttentionReason, "params": {...}}, …], oldest first; clearing the
    # flag keeps them (the audit log says who cleared it and what was done).
    attention_notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Paid after the order had expired and its stock was gone: staff must refund it.
    needs_refund: Mapped[bool] = mapped_column(Boolean, default=False)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carrier: Mapped[str] = mapped_column(String(100), default="")
    tracking_code: Mapped[str] = mapped_column(String(200), default="")
    # The last decline's message, shown on the order page while it stays payable.
    payment_failure_message: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.position", cascade="all, delete-orphan"
    )
    # The VAT summary per rate; empty for orders placed before VAT was recorded (0016).
    vat_lines: Mapped[list[OrderVatLine]] = relationship(
        back_populates="order", order_by="OrderVatLine.vat_percent", cascade="all, delete-orphan"
    )

    @property
    def is_payable(self) -> bool:
        return self.status == OrderStatus.PENDING_PAYMENT and self.released_at is None

    @property
    def needs_id_check(self) -> bool:
        """Some line needs the carrier to check the recipient's ID at the door."""
        return any(line.requires_id_check for line in self.lines)


class OrderStatusEvent(Base):
    """One step of an order's life, written in the transaction that takes it (placing,
    the payment's webhook, staff shipping or cancelling, the expiry, a refund's count), so
    the order's history is recorded rather than guessed from the timestamps left over."""

    __tablename__ = "order_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    step: Mapped[OrderStep] = mapped_column(str_enum(OrderStep, "order_step"))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="unit_price_not_negative"),
        CheckConstraint(
            "line_total_cents = unit_price_cents * quantity", name="line_total_adds_up"
        ),
        CheckConstraint(
            "discount_cents >= 0 AND discount_cents <= line_total_cents",
            name="discount_in_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    product_slug: Mapped[str] = mapped_column(String(160))
    product_name: Mapped[str] = mapped_column(String(200))
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total_cents: Mapped[int] = mapped_column(Integer)
    discount_cents: Mapped[int] = mapped_column(Integer, default=0)
    min_age: Mapped[int] = mapped_column(Integer)
    # The rate charged and the VAT in the line's total after its discount (rounded per line,
    # see shop.rules.vat); both None on lines placed before VAT was recorded (0016).
    vat_percent: Mapped[int | None] = mapped_column(Integer)
    vat_cents: Mapped[int | None] = mapped_column(Integer)
    # The product's "ID check at delivery" flag when the order was placed (0017): a later
    # change of the product does not change what this order needs at the door.
    requires_id_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The lot (batch) this line was packed from, recorded by staff when shipping: normalised
    # (trimmed, upper-case, shop.rules.lots) so a recall finds it however it was typed.
    lot_number: Mapped[str | None] = mapped_column(String(40), index=True)

    order: Mapped[Order] = relationship(back_populates="lines")
    warnings: Mapped[list[AcknowledgedWarning]] = relationship(
        back_populates="line",
        order_by="AcknowledgedWarning.position",
        cascade="all, delete-orphan",
    )


class OrderVatLine(Base):
    """One rate of an order's VAT summary: the gross paid at that rate and the VAT in it.

    The sums of the order's lines at that rate and of shipping's share (shop.rules.vat), so
    the rates' VAT adds up to the order's VAT and net + VAT is gross.
    """

    __tablename__ = "order_vat_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "vat_percent"),
        CheckConstraint("vat_percent >= 0 AND vat_percent <= 100", name="percent_in_range"),
        CheckConstraint("vat_cents >= 0 AND vat_cents <= gross_cents", name="vat_in_range"),
        CheckConstraint("net_cents = gross_cents - vat_cents", name="net_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    vat_percent: Mapped[int] = mapped_column(Integer)
    net_cents: Mapped[int] = mapped_column(Integer)
    vat_cents: Mapped[int] = mapped_column(Integer)
    gross_cents: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="vat_lines")


class AcknowledgedWarning(Base):
    """A warning exactly as the customer saw and acknowledged it for one order line."""

    __tablename__ = "acknowledged_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[WarningKind] = mapped_column(str_enum(WarningKind, "warning_kind"))
    # The catalogue row's content hash: which version of the disclaimer or statement it was.
    content_hash: Mapped[str] = mapped_column(String(64))
    # The text shown, in the order's language, and its own hash.
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))

    line: Mapped[OrderLine] = relationship(back_populates="warnings")
