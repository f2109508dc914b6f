"""The information pages (contact, shipping, returns, FAQ) with their default texts, and a
product's exclusion from the right of withdrawal with its reason.

The pages are made here, not by `seed-demo`: a production shop must have them from its
first start, as the footer links them. Their texts come from `shop/data/pages/` as they
are when the migration runs; staff change them afterwards in the back office.

products gains its columns with plain ALTER TABLE ADD COLUMN (with server defaults), never
a batch copy: a copy of products would cascade-delete its disclaimers and pictures.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 14:00:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shop.models.pages import PageSlug
from shop.services.pages import default_text

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    pages = op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("title_nl", sa.String(length=200), nullable=False),
        sa.Column("body_md_en", sa.Text(), nullable=False),
        sa.Column("body_md_nl", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("slug <> ''", name=op.f("ck_pages_slug_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("slug", name=op.f("uq_pages_slug")),
    )
    now = datetime.now(UTC)
    rows = []
    for slug in PageSlug:
        text = default_text(slug)
        rows.append(
            {
                "slug": slug.value,
                "title_en": text.title_en,
                "title_nl": text.title_nl,
                "body_md_en": text.body_md_en,
                "body_md_nl": text.body_md_nl,
                "updated_at": now,
            }
        )
    op.bulk_insert(pages, rows)

    op.add_column(
        "products",
        sa.Column(
            "is_withdrawal_excluded", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.add_column(
        "products",
        sa.Column("withdrawal_reason_en", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column(
        "products",
        sa.Column("withdrawal_reason_nl", sa.Text(), nullable=False, server_default=""),
    )


def downgrade():
    op.execute("ALTER TABLE products DROP COLUMN withdrawal_reason_nl")
    op.execute("ALTER TABLE products DROP COLUMN withdrawal_reason_en")
    op.execute("ALTER TABLE products DROP COLUMN is_withdrawal_excluded")
    op.drop_table("pages")
