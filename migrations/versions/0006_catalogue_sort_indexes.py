"""Catalogue indexes for large catalogues: name-sorted category pages and the home page.

A category page sorts by the name the visitor reads, ignoring case, falling back to the other
language when one is empty: `lower(coalesce(nullif(name_<lang>, ''), name_<other>))`. Sorting
by an expression cannot use an index, so with 100k products every page read and sorted the
whole category. The expression is now a generated column per language (VIRTUAL on SQLite,
which can index those; STORED on PostgreSQL, which has no other kind), with an index in the
order the page asks for, so a page (deep ones too) is read in index order.

The generated columns and their indexes are not in the models (`shop.db` skips them when
comparing, like the search objects): their definitions differ per database. The featured
products of the home page get an ordinary index, declared in the model.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 18:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


LANGUAGES = {"en": "nl", "nl": "en"}


def _sort_name(language: str) -> str:
    other = LANGUAGES[language]
    return f"lower(coalesce(nullif(name_{language}, ''), name_{other}))"


def upgrade():
    kind = "VIRTUAL" if op.get_bind().dialect.name == "sqlite" else "STORED"
    for language in LANGUAGES:
        op.execute(
            f"ALTER TABLE products ADD COLUMN name_sort_{language} VARCHAR(200) "
            f"GENERATED ALWAYS AS ({_sort_name(language)}) {kind}"
        )
        op.execute(
            f"CREATE INDEX ix_products_category_sort_name_{language} "
            f"ON products (category_id, is_active, name_sort_{language}, id)"
        )
    op.create_index(
        "ix_products_featured", "products", ["is_featured", "is_active", "created_at", "id"]
    )
    # A shop with products gets fresh statistics: with old ones SQLite takes the new indexes
    # for far more selective than they are, and sorts a whole category by price instead of
    # reading it in order. Not an empty database: statistics of empty tables would make
    # SQLite plan for tiny tables long after they have grown (no statistics is better).
    has_products = op.get_bind().exec_driver_sql("SELECT 1 FROM products LIMIT 1").first()
    if has_products:
        op.execute("ANALYZE products" if kind == "STORED" else "ANALYZE")


def downgrade():
    op.drop_index("ix_products_featured", table_name="products")
    for language in LANGUAGES:
        op.execute(f"DROP INDEX ix_products_category_sort_name_{language}")
        op.execute(f"ALTER TABLE products DROP COLUMN name_sort_{language}")
