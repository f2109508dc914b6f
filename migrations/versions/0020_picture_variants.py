"""Picture variants: every product picture kept at a few sizes in WebP and JPEG.

product_image_variants holds, per picture, the sizes of shop.images.VARIANT_SIDES up to the
picture's own (by longest side) in both formats, so a browser picks the smallest file that
fills the space (`srcset`). Pictures uploaded before are backfilled here from their stored
JPEG (at most 1600 px, so nothing is lost that the shop had kept): a shop with pictures gets
responsive pictures the moment it is upgraded, and the storefront can write every picture's
srcset from its width and height without asking which variants exist. One picture is decoded
at a time, so memory stays that of one picture whatever the catalogue's size.

The downgrade drops the table; the original JPEG and thumbnail columns are untouched.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 15:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

from shop.images import decode_stored, make_variants

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    variants = op.create_table(
        "product_image_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["product_images.id"],
            name=op.f("fk_product_image_variants_image_id_product_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_image_variants")),
        sa.UniqueConstraint(
            "image_id", "side", "format", name=op.f("uq_product_image_variants_image_id")
        ),
    )
    connection = op.get_bind()
    images = sa.table("product_images", sa.column("id", sa.Integer), sa.column("data"))
    for image_id in connection.scalars(sa.select(images.c.id).order_by(images.c.id)).all():
        data = connection.scalar(sa.select(images.c.data).where(images.c.id == image_id))
        rows = [
            {
                "image_id": image_id,
                "side": v.side,
                "format": v.format,
                "data": v.data,
                "etag": v.etag,
            }
            for v in make_variants(decode_stored(bytes(data)))
        ]
        op.bulk_insert(variants, rows)


def downgrade():
    op.drop_table("product_image_variants")
