""""My orders" without a password: the one-time sign-in links (only their tokens' SHA-256)
and each order's mailbox identity, by which the list finds a mailbox's orders.

orders gains its column with plain ALTER TABLE, never a batch copy (a copy of orders would
cascade-delete its lines): NOT NULL with an empty default, then every order placed before
gets its address's identity. The rule is imported, not copied, as in 0012.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import shop.db
from shop.rules.promotions import customer_identity

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

orders = sa.table(
    "orders",
    sa.column("id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("customer_identity", sa.String),
)


def upgrade():
    op.create_table(
        "order_access_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", shop.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", shop.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", shop.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_access_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_order_access_links_token_hash")),
    )
    op.create_index(
        "ix_order_access_links_identity_created",
        "order_access_links",
        ["identity", "created_at"],
        unique=False,
    )
    op.add_column(
        "orders",
        sa.Column(
            "customer_identity", sa.String(length=320), nullable=False, server_default=""
        ),
    )
    connection = op.get_bind()
    for order_id, email in connection.execute(sa.select(orders.c.id, orders.c.email)).all():
        connection.execute(
            orders.update()
            .where(orders.c.id == order_id)
            .values(customer_identity=customer_identity(email))
        )
    op.create_index(
        op.f("ix_orders_customer_identity"), "orders", ["customer_identity"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_orders_customer_identity"), table_name="orders")
    op.execute("ALTER TABLE orders DROP COLUMN customer_identity")
    op.drop_index("ix_order_access_links_identity_created", table_name="order_access_links")
    op.drop_table("order_access_links")
