"""VAT (BTW): each product's rate, and each order's VAT per line and per rate.

products gains `vat_rate` (zero, reduced or standard, see shop.rules.vat). Products that
exist get the standard rate (21 %): it is the law's rate unless a product is listed for a
lower one, and it never declares too little VAT; staff set the food products (truffles,
dried mushrooms) to the reduced rate on the product form.

order_lines gain the percentage charged and the VAT in the discounted line total, and the new
table order_vat_lines holds each order's summary per rate. Orders placed before keep no VAT
figures (the columns stay NULL, the summary empty): what was charged then was never recorded
per rate, and a guess at 21 % written now would read like a record. Their pages say "VAT not
recorded".

Plain ALTER TABLE only, never a batch copy: a copy of orders or products would cascade-delete
their lines, warnings and images. The rate's CHECK goes with its column (as in 0010).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "ALTER TABLE products ADD COLUMN vat_rate VARCHAR(32) DEFAULT 'standard' NOT NULL "
        "CONSTRAINT ck_products_vat_rate CHECK (vat_rate IN ('zero', 'reduced', 'standard'))"
    )
    op.add_column("order_lines", sa.Column("vat_percent", sa.Integer(), nullable=True))
    op.add_column("order_lines", sa.Column("vat_cents", sa.Integer(), nullable=True))
    op.create_table(
        "order_vat_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("vat_percent", sa.Integer(), nullable=False),
        sa.Column("net_cents", sa.Integer(), nullable=False),
        sa.Column("vat_cents", sa.Integer(), nullable=False),
        sa.Column("gross_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "vat_percent >= 0 AND vat_percent <= 100",
            name=op.f("ck_order_vat_lines_percent_in_range"),
        ),
        sa.CheckConstraint(
            "vat_cents >= 0 AND vat_cents <= gross_cents",
            name=op.f("ck_order_vat_lines_vat_in_range"),
        ),
        sa.CheckConstraint(
            "net_cents = gross_cents - vat_cents", name=op.f("ck_order_vat_lines_net_adds_up")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_vat_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_vat_lines")),
        sa.UniqueConstraint(
            "order_id", "vat_percent", name=op.f("uq_order_vat_lines_order_id")
        ),
    )


def downgrade():
    op.drop_table("order_vat_lines")
    op.drop_column("order_lines", "vat_cents")
    op.drop_column("order_lines", "vat_percent")
    op.drop_column("products", "vat_rate")
