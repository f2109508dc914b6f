"""Payment states of today's Stripe: several intents per order (a new one after a cancel),
each with its last known status and its charge; refunds with a status, an idempotency key and
the payment they return; events the shop could not place, for staff; disputes and early fraud
warnings; the installation's own name for idempotency keys; the intent that paid an order.

payment_attempts and refunds are rebuilt on SQLite (a unique constraint goes, a column
becomes nullable); no table refers to either, so the copy loses nothing. orders only gains a
nullable column (a plain ALTER TABLE, never a copy: a copy would cascade-delete its lines).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:30:00.000000

"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REFUND_STATUSES = ("pending", "requires_action", "succeeded", "failed", "canceled")


def upgrade():
    op.add_column("orders", sa.Column("paid_intent_id", sa.String(length=255), nullable=True))

    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_payment_attempts_order_id", type_="unique")
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column(
                "status",
                sa.String(length=40),
                nullable=False,
                server_default="requires_payment_method",
            )
        )
        batch_op.add_column(sa.Column("charge_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("cancel_error", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.create_unique_constraint(
            "uq_payment_attempts_order_sequence", ["order_id", "sequence"]
        )
        batch_op.create_index(
            "ix_payment_attempts_cancel_pending", ["cancel_requested_at", "canceled_at"]
        )
        batch_op.create_index(batch_op.f("ix_payment_attempts_charge_id"), ["charge_id"])

    # What was known before: a paid order's (only) intent succeeded and paid it.
    op.execute(
        "UPDATE payment_attempts SET status = 'succeeded', succeeded_at = "
        "(SELECT paid_at FROM orders WHERE orders.id = payment_attempts.order_id) "
        "WHERE order_id IN (SELECT id FROM orders WHERE paid_at IS NOT NULL)"
    )
    op.execute(
        "UPDATE orders SET paid_intent_id = (SELECT intent_id FROM payment_attempts "
        "WHERE payment_attempts.order_id = orders.id ORDER BY id DESC LIMIT 1) "
        "WHERE paid_at IS NOT NULL"
    )

    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("needs_attention", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("reviewed_by", sa.String(length=320), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_payment_events_needs_attention"), ["needs_attention"])

    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.alter_column(
            "provider_refund_id", existing_type=sa.String(length=255), nullable=True
        )
        batch_op.add_column(sa.Column("payment_attempt_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    *REFUND_STATUSES,
                    name="refund_status",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="succeeded",
            )
        )
        batch_op.add_column(
            sa.Column(
                "origin",
                sa.Enum(
                    "shop",
                    "provider",
                    name="refund_origin",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="shop",
            )
        )
        batch_op.add_column(
            sa.Column("restock_requested", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("failure_reason", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_refunds_idempotency_key"), ["idempotency_key"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_refunds_payment_attempt_id_payment_attempts"),
            "payment_attempts",
            ["payment_attempt_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_refunds_payment_attempt_id"), ["payment_attempt_id"])

    op.execute("UPDATE refunds SET restock_requested = restocked")
    op.execute(
        "UPDATE refunds SET payment_attempt_id = (SELECT id FROM payment_attempts "
        "WHERE payment_attempts.order_id = refunds.order_id ORDER BY id DESC LIMIT 1)"
    )

    op.create_table(
        "payment_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "dispute",
                "early_fraud_warning",
                name="dispute_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("intent_id", sa.String(length=255), nullable=False),
        sa.Column("charge_id", sa.String(length=255), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("evidence_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_payment_disputes_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_disputes")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_payment_disputes_provider_id")),
    )
    op.create_index(
        op.f("ix_payment_disputes_order_id"), "payment_disputes", ["order_id"], unique=False
    )

    installation = op.create_table(
        "shop_installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_shop_installation_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_installation")),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(installation, [{"id": 1, "key": secrets.token_hex(8), "created_at": now}])


def downgrade():
    op.drop_table("shop_installation")
    op.drop_index(op.f("ix_payment_disputes_order_id"), table_name="payment_disputes")
    op.drop_table("payment_disputes")

    # Refunds the provider never confirmed have no provider id: they cannot go back.
    op.execute("DELETE FROM refunds WHERE provider_refund_id IS NULL")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_payment_attempt_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_refunds_payment_attempt_id_payment_attempts"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_refunds_idempotency_key"), type_="unique")
        batch_op.drop_constraint(op.f("ck_refunds_refund_origin"), type_="check")
        batch_op.drop_constraint(op.f("ck_refunds_refund_status"), type_="check")
        for column in (
            "updated_at",
            "failure_reason",
            "restock_requested",
            "origin",
            "status",
            "idempotency_key",
            "payment_attempt_id",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column(
            "provider_refund_id", existing_type=sa.String(length=255), nullable=False
        )

    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_events_needs_attention"))
        for column in ("reviewed_by", "reviewed_at", "needs_attention"):
            batch_op.drop_column(column)

    # Only the first intent of each order fits the old one-per-order constraint.
    op.execute("DELETE FROM payment_attempts WHERE sequence > 1")
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_attempts_charge_id"))
        batch_op.drop_index("ix_payment_attempts_cancel_pending")
        batch_op.drop_constraint("uq_payment_attempts_order_sequence", type_="unique")
        for column in (
            "cancel_error",
            "canceled_at",
            "cancel_requested_at",
            "succeeded_at",
            "updated_at",
            "charge_id",
            "status",
            "sequence",
        ):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint(
            "uq_payment_attempts_order_id", ["order_id", "amount_cents", "currency"]
        )

    op.execute("ALTER TABLE orders DROP COLUMN paid_intent_id")
