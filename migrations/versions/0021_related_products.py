"""Related products: the staff's picks shown on a product's page.

product_related holds (product_id, related_id, position): the products staff chose to show
on a product's page, in their order. The page fills up to four with others of the same
category, so a product without picks still shows some. A product is never related to
itself (a CHECK); deleting either product deletes the pick. A new table only: nothing that
exists changes, and the downgrade drops it (the picks are lost, the products are not).

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-06 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product_related",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("product_id <> related_id", name=op.f("ck_product_related_not_itself")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_related_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["products.id"],
            name=op.f("fk_product_related_related_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "related_id", name=op.f("pk_product_related")),
    )
    op.create_index(
        op.f("ix_product_related_related_id"), "product_related", ["related_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_product_related_related_id"), table_name="product_related")
    op.drop_table("product_related")
