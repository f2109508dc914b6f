"""What happens after the order: its history, the e-mails that tell of it, how it was paid.

- `order_status_events`: one row per step of an order's life (placed, paid, shipped,
  refunded, cancelled, expired), for the customer's order page. Orders placed before get
  their steps from the timestamps they kept.
- `outbox_emails.idempotency_key` (unique) replaces the unique (order, kind): an order now
  gets several e-mails of one kind (one per refund), and the key names the event an e-mail
  tells of. Rows written before get `order-<id>-<kind>`, the key the shop gives them now.
  `refund_id` says which refund a refund e-mail is about.
- `payment_attempts.payment_method`: how the customer paid ("card", "ideal"), when the
  provider said so, for the refund e-mail ("back to your card").

outbox_emails is copied (batch) on SQLite to lose its constraint: no table refers to it.
orders is never copied (a copy would cascade-delete its lines).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STEPS = ("placed", "paid", "shipped", "partially_refunded", "refunded", "cancelled", "expired")


def upgrade():
    op.create_table(
        "order_status_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(*STEPS, name="order_step", native_enum=False, length=32,
                    create_constraint=True),
            nullable=False,
        ),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"],
            name=op.f("fk_order_status_events_order_id_orders"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_status_events")),
    )
    op.create_index(
        op.f("ix_order_status_events_order_id"), "order_status_events", ["order_id"]
    )
    # The history of orders placed before, from the timestamps they kept.
    for step, at, condition in (
        ("placed", "created_at", "1 = 1"),
        ("paid", "paid_at", "paid_at IS NOT NULL"),
        ("shipped", "shipped_at", "shipped_at IS NOT NULL"),
        ("cancelled", "released_at", "status = 'cancelled' AND released_at IS NOT NULL"),
        ("expired", "released_at", "status = 'expired' AND released_at IS NOT NULL"),
    ):
        op.execute(
            f"INSERT INTO order_status_events (order_id, step, happened_at) "
            f"SELECT id, '{step}', {at} FROM orders WHERE {condition}"
        )
    for step in ("refunded", "partially_refunded"):
        op.execute(
            "INSERT INTO order_status_events (order_id, step, happened_at) "
            f"SELECT o.id, '{step}', MAX(COALESCE(r.updated_at, r.created_at)) "
            "FROM orders o JOIN refunds r ON r.order_id = o.id "
            f"WHERE o.status = '{step}' GROUP BY o.id"
        )

    op.add_column(
        "payment_attempts",
        sa.Column("payment_method", sa.String(length=40), nullable=False, server_default=""),
    )

    with op.batch_alter_table("outbox_emails") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("refund_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE outbox_emails SET idempotency_key = "
        "'order-' || CAST(order_id AS VARCHAR(20)) || '-' || kind"
    )
    with op.batch_alter_table("outbox_emails") as batch:
        batch.drop_constraint("uq_outbox_emails_order_id", type_="unique")
        batch.alter_column("idempotency_key", existing_type=sa.String(length=120), nullable=False)
        batch.create_unique_constraint(
            batch.f("uq_outbox_emails_idempotency_key"), ["idempotency_key"]
        )
        batch.create_foreign_key(
            batch.f("fk_outbox_emails_refund_id_refunds"), "refunds", ["refund_id"], ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(batch.f("ix_outbox_emails_order_id"), ["order_id"])
        batch.create_index(batch.f("ix_outbox_emails_refund_id"), ["refund_id"])


def downgrade():
    # Refund e-mails cannot keep a unique (order, kind): all but the first of each go.
    op.execute(
        "DELETE FROM outbox_emails WHERE id NOT IN "
        "(SELECT MIN(id) FROM outbox_emails GROUP BY order_id, kind)"
    )
    with op.batch_alter_table("outbox_emails") as batch:
        batch.drop_index(batch.f("ix_outbox_emails_refund_id"))
        batch.drop_index(batch.f("ix_outbox_emails_order_id"))
        batch.drop_constraint(batch.f("fk_outbox_emails_refund_id_refunds"), type_="foreignkey")
        batch.drop_constraint(batch.f("uq_outbox_emails_idempotency_key"), type_="unique")
        batch.drop_column("refund_id")
        batch.drop_column("idempotency_key")
        batch.create_unique_constraint("uq_outbox_emails_order_id", ["order_id", "kind"])
    op.drop_column("payment_attempts", "payment_method")
    op.drop_index(op.f("ix_order_status_events_order_id"), table_name="order_status_events")
    op.drop_table("order_status_events")
