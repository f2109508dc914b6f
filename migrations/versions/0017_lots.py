"""Packing, lots and recalls: the ID check at delivery, and the lot each line shipped from.

products gains `requires_id_check_at_delivery` (false for every product that exists: staff
tick it on the product form for what the carrier must hand over only after seeing an ID).
order_lines gain `requires_id_check`, the product's flag copied in when the order is placed,
and `lot_number`, recorded by staff when they mark the order shipped. Lines placed before
keep false and no lot: neither was asked for then, and a guess written now would read like
a record. `lot_number` is indexed: a recall looks orders up by it.

Plain ALTER TABLE only, never a batch copy: a copy of orders or products would cascade-delete
their lines, warnings and images (as in 0016).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 13:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "products",
        sa.Column(
            "requires_id_check_at_delivery",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
        ),
    )
    op.add_column(
        "order_lines",
        sa.Column("requires_id_check", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("order_lines", sa.Column("lot_number", sa.String(length=40), nullable=True))
    op.create_index(
        op.f("ix_order_lines_lot_number"), "order_lines", ["lot_number"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_order_lines_lot_number"), table_name="order_lines")
    op.drop_column("order_lines", "lot_number")
    op.drop_column("order_lines", "requires_id_check")
    op.drop_column("products", "requires_id_check_at_delivery")
