"""An order keeps the terms its promo code gave: the kind (percent or amount) and the value,
as Saleor's order discounts do, so an order reads its own discount without the code.

orders only gains two nullable columns: a plain ALTER TABLE, never a batch copy (on SQLite
a copy of orders would cascade-delete its lines). Orders placed with a code are filled in
from that code; its kind and value cannot have changed since (a used code keeps them).

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-11 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # The kind's CHECK goes with the column: SQLite takes a column constraint in ADD COLUMN,
    # but no ALTER TABLE ADD CONSTRAINT (which alembic would emit for an Enum type).
    op.execute(
        "ALTER TABLE orders ADD COLUMN promo_kind VARCHAR(32) "
        "CONSTRAINT ck_orders_order_promo_kind CHECK (promo_kind IN ('percent', 'amount'))"
    )
    op.add_column("orders", sa.Column("promo_value", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE orders SET "
        "promo_kind = (SELECT kind FROM promo_codes WHERE promo_codes.id = orders.promo_code_id), "
        "promo_value = (SELECT value FROM promo_codes WHERE promo_codes.id = orders.promo_code_id) "
        "WHERE promo_code_id IS NOT NULL"
    )


def downgrade():
    op.drop_column("orders", "promo_value")
    op.drop_column("orders", "promo_kind")
