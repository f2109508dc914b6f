"""Product kinds: what a product is (truffles, capsules, a grow kit...), to filter by.

products gains `kind`, one of a fixed vocabulary (shop.rules.product_kind) kept by a CHECK
that goes with its column, as the VAT rate's does (0016): a short string with a CHECK is
enough for a list that changes with the code that labels it, where a table of kinds would
need translations in the database. Products that exist become "other" until staff choose;
the demo seeding sets every demo product's kind.

The index (category_id, is_active, kind) serves a category page's counts per kind and its
kind filter from the index alone.

Plain ALTER TABLE, never a batch copy (a copy of products would cascade-delete their
warnings and images).

Revision ID: 0022
Revises: 0023
Create Date: 2026-12-06 15:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KINDS = (
    "truffles",
    "microdosing_kit",
    "grow_kit",
    "capsules",
    "powder",
    "tea",
    "accessory",
    "other",
)


def upgrade():
    allowed = ", ".join(f"'{kind}'" for kind in KINDS)
    op.execute(
        "ALTER TABLE products ADD COLUMN kind VARCHAR(32) DEFAULT 'other' NOT NULL "
        f"CONSTRAINT ck_products_kind CHECK (kind IN ({allowed}))"
    )
    op.create_index(
        "ix_products_category_kind", "products", ["category_id", "is_active", "kind"]
    )


def downgrade():
    op.drop_index("ix_products_category_kind", table_name="products")
    op.drop_column("products", "kind")
