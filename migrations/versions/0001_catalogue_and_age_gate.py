"""Catalogue and age gate: the first schema.

Besides the tables, this makes what the models cannot describe portably:
- triggers that refuse an active product without a disclaimer and an allergy statement
  (the service checks first; these stop a direct UPDATE that skips it);
- the search index: an FTS5 table kept in step by triggers on SQLite, a generated
  tsvector column with a GIN index on PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 16:35:16.085891

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


NO_WARNINGS = "an active product needs a disclaimer and an allergy statement"
TEXT_COLUMNS = "name_en, name_nl, summary_en, summary_nl, description_md_en, description_md_nl"
NEW_TEXT = ", ".join(f"new.{c.strip()}" for c in TEXT_COLUMNS.split(","))
OLD_TEXT = ", ".join(f"old.{c.strip()}" for c in TEXT_COLUMNS.split(","))

SQLITE_UPGRADE = [
    f"""CREATE TRIGGER products_active_needs_warnings_insert BEFORE INSERT ON products
    WHEN NEW.is_active
    BEGIN SELECT RAISE(ABORT, '{NO_WARNINGS}'); END""",
    f"""CREATE TRIGGER products_active_needs_warnings_update BEFORE UPDATE ON products
    WHEN NEW.is_active AND (
        NOT EXISTS (SELECT 1 FROM disclaimers WHERE product_id = NEW.id)
        OR NOT EXISTS (SELECT 1 FROM allergy_statements WHERE product_id = NEW.id))
    BEGIN SELECT RAISE(ABORT, '{NO_WARNINGS}'); END""",
    f"""CREATE TRIGGER disclaimers_keep_one_on_active_product BEFORE DELETE ON disclaimers
    WHEN (SELECT is_active FROM products WHERE id = OLD.product_id)
        AND NOT EXISTS (SELECT 1 FROM disclaimers WHERE product_id = OLD.product_id AND id <> OLD.id)
    BEGIN SELECT RAISE(ABORT, '{NO_WARNINGS}'); END""",
    f"""CREATE TRIGGER disclaimers_stay_on_active_product BEFORE UPDATE OF product_id ON disclaimers
    WHEN NEW.product_id <> OLD.product_id
        AND (SELECT is_active FROM products WHERE id = OLD.product_id)
        AND NOT EXISTS (SELECT 1 FROM disclaimers WHERE product_id = OLD.product_id AND id <> OLD.id)
    BEGIN SELECT RAISE(ABORT, '{NO_WARNINGS}'); END""",
    f"""CREATE TRIGGER allergy_statement_stays_on_active_product BEFORE DELETE ON allergy_statements
    WHEN (SELECT is_active FROM products WHERE id = OLD.product_id)
    BEGIN SELECT RAISE(ABORT, '{NO_WARNINGS}'); END""",
    f"""CREATE TRIGGER allergy_statement_not_moved_off_active_product
    BEFORE UPDATE OF product_id ON allergy_statements
    WHEN NEW.product_id <> OLD.product_id AND (SELECT is_active FROM products WHERE id = OLD.product_id)
    BEGIN SELECT RAISE(ABORT, '{NO_WARNINGS}'); END""",
    f"""CREATE VIRTUAL TABLE products_fts USING fts5({TEXT_COLUMNS},
    content='products', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER products_fts_after_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts(rowid, {TEXT_COLUMNS}) VALUES (new.id, {NEW_TEXT}); END""",
    f"""CREATE TRIGGER products_fts_after_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, {TEXT_COLUMNS})
    VALUES ('delete', old.id, {OLD_TEXT}); END""",
    f"""CREATE TRIGGER products_fts_after_update AFTER UPDATE OF {TEXT_COLUMNS} ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, {TEXT_COLUMNS})
    VALUES ('delete', old.id, {OLD_TEXT});
    INSERT INTO products_fts(rowid, {TEXT_COLUMNS}) VALUES (new.id, {NEW_TEXT}); END""",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS products_fts_after_update",
    "DROP TRIGGER IF EXISTS products_fts_after_delete",
    "DROP TRIGGER IF EXISTS products_fts_after_insert",
    "DROP TABLE IF EXISTS products_fts",
    "DROP TRIGGER IF EXISTS allergy_statement_not_moved_off_active_product",
    "DROP TRIGGER IF EXISTS allergy_statement_stays_on_active_product",
    "DROP TRIGGER IF EXISTS disclaimers_stay_on_active_product",
    "DROP TRIGGER IF EXISTS disclaimers_keep_one_on_active_product",
    "DROP TRIGGER IF EXISTS products_active_needs_warnings_update",
    "DROP TRIGGER IF EXISTS products_active_needs_warnings_insert",
]

POSTGRESQL_UPGRADE = [
    f"""CREATE FUNCTION shop_product_needs_warnings() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.is_active AND (
            NOT EXISTS (SELECT 1 FROM disclaimers WHERE product_id = NEW.id)
            OR NOT EXISTS (SELECT 1 FROM allergy_statements WHERE product_id = NEW.id)) THEN
            RAISE EXCEPTION '{NO_WARNINGS}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER products_active_needs_warnings BEFORE INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION shop_product_needs_warnings()""",
    f"""CREATE FUNCTION shop_keep_warnings_of_active_product() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.product_id = OLD.product_id THEN
            RETURN NEW;
        END IF;
        IF EXISTS (SELECT 1 FROM products WHERE id = OLD.product_id AND is_active) AND (
            TG_TABLE_NAME = 'allergy_statements'
            OR NOT EXISTS (
                SELECT 1 FROM disclaimers WHERE product_id = OLD.product_id AND id <> OLD.id))
        THEN
            RAISE EXCEPTION '{NO_WARNINGS}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'UPDATE' THEN
            RETURN NEW;
        END IF;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER disclaimers_keep_one_on_active_product
    BEFORE DELETE OR UPDATE OF product_id ON disclaimers
    FOR EACH ROW EXECUTE FUNCTION shop_keep_warnings_of_active_product()""",
    """CREATE TRIGGER allergy_statement_stays_on_active_product
    BEFORE DELETE OR UPDATE OF product_id ON allergy_statements
    FOR EACH ROW EXECUTE FUNCTION shop_keep_warnings_of_active_product()""",
    """ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(name_en, '') || ' ' || coalesce(name_nl, '')), 'A')
        || setweight(to_tsvector('simple',
            coalesce(summary_en, '') || ' ' || coalesce(summary_nl, '')), 'B')
        || setweight(to_tsvector('simple',
            coalesce(description_md_en, '') || ' ' || coalesce(description_md_nl, '')), 'C')
    ) STORED""",
    "CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_products_search_vector",
    "ALTER TABLE products DROP COLUMN IF EXISTS search_vector",
    "DROP TRIGGER IF EXISTS allergy_statement_stays_on_active_product ON allergy_statements",
    "DROP TRIGGER IF EXISTS disclaimers_keep_one_on_active_product ON disclaimers",
    "DROP TRIGGER IF EXISTS products_active_needs_warnings ON products",
    "DROP FUNCTION IF EXISTS shop_keep_warnings_of_active_product()",
    "DROP FUNCTION IF EXISTS shop_product_needs_warnings()",
]


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('age_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('passed', 'refused', name='age_check_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('method', sa.Enum('confirm', 'dob', name='age_check_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_age_checks'))
    )
    with op.batch_alter_table('age_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_age_checks_checked_at'), ['checked_at'], unique=False)

    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_nl', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_nl', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=160), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_nl', sa.String(length=200), nullable=False),
    sa.Column('summary_en', sa.String(length=500), nullable=False),
    sa.Column('summary_nl', sa.String(length=500), nullable=False),
    sa.Column('description_md_en', sa.Text(), nullable=False),
    sa.Column('description_md_nl', sa.Text(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_featured', sa.Boolean(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("slug <> ''", name=op.f('ck_products_slug_not_empty')),
    sa.CheckConstraint('min_age >= 0 AND min_age <= 120', name=op.f('ck_products_min_age_range')),
    sa.CheckConstraint('price_cents >= 0', name=op.f('ck_products_price_not_negative')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_products_stock_not_negative')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_products_category_id_categories'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('slug', name=op.f('uq_products_slug'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_category_created', ['category_id', 'is_active', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_products_category_name', ['category_id', 'is_active', 'name_en', 'id'], unique=False)
        batch_op.create_index('ix_products_category_price', ['category_id', 'is_active', 'price_cents', 'id'], unique=False)

    op.create_table('allergy_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('has_no_known_allergens', sa.Boolean(), nullable=False),
    sa.Column('warning_en', sa.Text(), nullable=False),
    sa.Column('warning_nl', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("has_no_known_allergens OR (warning_en <> '' AND warning_nl <> '')", name=op.f('ck_allergy_statements_warning_unless_none_known')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_allergy_statements_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allergy_statements')),
    sa.UniqueConstraint('product_id', name=op.f('uq_allergy_statements_product_id'))
    )
    op.create_table('disclaimers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('health', 'dosage', 'legal', 'usage', name='disclaimer_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('text_nl', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("text_en <> '' AND text_nl <> ''", name=op.f('ck_disclaimers_text_in_both_languages')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_disclaimers_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclaimers'))
    )
    with op.batch_alter_table('disclaimers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclaimers_product_id'), ['product_id'], unique=False)

    op.create_table('product_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('alt_en', sa.String(length=300), nullable=False),
    sa.Column('alt_nl', sa.String(length=300), nullable=False),
    sa.Column('mime_type', sa.String(length=40), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('thumbnail', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_images_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_images')),
    sa.UniqueConstraint('product_id', 'position', name=op.f('uq_product_images_product_id'))
    )
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_images_product_id'), ['product_id'], unique=False)

    op.create_table('allergen_entries',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('allergen', sa.String(length=32), nullable=False),
    sa.Column('presence', sa.Enum('contains', 'may_contain', name='allergen_presence', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.CheckConstraint("allergen IN ('gluten', 'crustaceans', 'eggs', 'fish', 'peanuts', 'soybeans', 'milk', 'nuts', 'celery', 'mustard', 'sesame', 'sulphites', 'lupin', 'molluscs', 'fungi')", name=op.f('ck_allergen_entries_known_allergen')),
    sa.ForeignKeyConstraint(['statement_id'], ['allergy_statements.id'], name=op.f('fk_allergen_entries_statement_id_allergy_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', 'allergen', name=op.f('pk_allergen_entries'))
    )
    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    else:
        for statement in POSTGRESQL_UPGRADE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    else:
        for statement in POSTGRESQL_DOWNGRADE:
            op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('allergen_entries')
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_images_product_id'))

    op.drop_table('product_images')
    with op.batch_alter_table('disclaimers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclaimers_product_id'))

    op.drop_table('disclaimers')
    op.drop_table('allergy_statements')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_category_price')
        batch_op.drop_index('ix_products_category_name')
        batch_op.drop_index('ix_products_category_created')

    op.drop_table('products')
    op.drop_table('categories')
    with op.batch_alter_table('age_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_age_checks_checked_at'))

    op.drop_table('age_checks')
    # ### end Alembic commands ###
