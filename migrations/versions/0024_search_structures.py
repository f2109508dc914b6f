"""Search reads smaller structures: on PostgreSQL a narrow table, `product_search` (product
id, is_active, the tsvector), instead of the tsvector generated in `products`; on SQLite an
FTS5 index of the names alone, `product_names_fts`, for the name matches.

A product row is wide (both languages' descriptions) and its ~2 KB tsvector was stored out
of line (TOAST), so the seq scan behind a broad search read ~5 buffers for each product it
looked at and fetched each vector twice (match, then rank): 30 ms for the 500 name matches of
two common words at 100k products. In `product_search` the vector is kept in the row,
compressed (`STORAGE MAIN`), about three products to a page: the same scan reads one page
for three products and takes ~2 ms.

A trigger on `products` keeps the table in step: a new product gets its row, a change of a
name, summary or description recomputes the vector, a change of `is_active` only copies the
flag; updates of anything else (stock, price) leave it alone, where the generated column
was recomputed on every update of the row. A deleted product's row goes with it (ON DELETE
CASCADE). `shop_product_search_vector(products)` is the one definition of the vector (the
same as 0001's generated column); bulk loaders may disable the trigger and fill the table
with it afterwards (bench/data.py does, as pg_restore would).

On SQLite the index of every text (`products_fts`) is already a structure of its own, but
a broad search's name matches paid for it: a prefix term gathers the word's postings over
all texts, and bm25 counts, on its first call, the products holding each word in the whole
index. `product_names_fts` (external content, like `products_fts`, and kept by the same kind
of triggers, on the names only) makes both small. Its name says what it holds, not
`products_fts_*`, which FTS5 keeps for its own shadow tables.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 21:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TEXT_COLUMNS = ("name_en", "name_nl", "summary_en", "summary_nl")
TEXT_COLUMNS += ("description_md_en", "description_md_nl")


def _vector(row: str = "") -> str:
    """0001's expression for the search vector, over the columns of `row` (or unqualified)."""
    n, s, d = (f"{row}.{part}" if row else part for part in ("name", "summary", "description_md"))
    return f"""setweight(to_tsvector('simple', coalesce({n}_en, '') || ' ' || coalesce({n}_nl, '')), 'A')
        || setweight(to_tsvector('simple', coalesce({s}_en, '') || ' ' || coalesce({s}_nl, '')), 'B')
        || setweight(to_tsvector('simple', coalesce({d}_en, '') || ' ' || coalesce({d}_nl, '')), 'C')"""


NAMES = "name_en, name_nl"
SQLITE_UPGRADE = [
    f"""CREATE VIRTUAL TABLE product_names_fts USING fts5({NAMES},
    content='products', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER product_names_fts_after_insert AFTER INSERT ON products BEGIN
    INSERT INTO product_names_fts(rowid, {NAMES}) VALUES (new.id, new.name_en, new.name_nl); END""",
    f"""CREATE TRIGGER product_names_fts_after_delete AFTER DELETE ON products BEGIN
    INSERT INTO product_names_fts(product_names_fts, rowid, {NAMES})
    VALUES ('delete', old.id, old.name_en, old.name_nl); END""",
    f"""CREATE TRIGGER product_names_fts_after_update AFTER UPDATE OF {NAMES} ON products BEGIN
    INSERT INTO product_names_fts(product_names_fts, rowid, {NAMES})
    VALUES ('delete', old.id, old.name_en, old.name_nl);
    INSERT INTO product_names_fts(rowid, {NAMES}) VALUES (new.id, new.name_en, new.name_nl); END""",
    "INSERT INTO product_names_fts(product_names_fts) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER product_names_fts_after_update",
    "DROP TRIGGER product_names_fts_after_delete",
    "DROP TRIGGER product_names_fts_after_insert",
    "DROP TABLE product_names_fts",
]

NEW_TEXT = ", ".join(f"NEW.{column}" for column in TEXT_COLUMNS)
OLD_TEXT = ", ".join(f"OLD.{column}" for column in TEXT_COLUMNS)

POSTGRESQL_UPGRADE = [
    """CREATE TABLE product_search (
        product_id integer PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
        is_active boolean NOT NULL,
        search_vector tsvector NOT NULL
    )""",
    # Compressed but in the row: out of line, each vector read costs a TOAST index lookup.
    "ALTER TABLE product_search ALTER COLUMN search_vector SET STORAGE MAIN",
    f"""CREATE FUNCTION shop_product_search_vector(p products) RETURNS tsvector
    LANGUAGE sql IMMUTABLE AS $$ SELECT {_vector("p")} $$""",
    f"""CREATE FUNCTION shop_keep_product_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND ({NEW_TEXT}) IS NOT DISTINCT FROM ({OLD_TEXT}) THEN
            UPDATE product_search SET is_active = NEW.is_active WHERE product_id = NEW.id;
        ELSE
            INSERT INTO product_search (product_id, is_active, search_vector)
            VALUES (NEW.id, NEW.is_active, shop_product_search_vector(NEW))
            ON CONFLICT (product_id) DO UPDATE
            SET is_active = EXCLUDED.is_active, search_vector = EXCLUDED.search_vector;
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER products_keep_search
    AFTER INSERT OR UPDATE OF {", ".join(TEXT_COLUMNS)}, is_active ON products
    FOR EACH ROW EXECUTE FUNCTION shop_keep_product_search()""",
    # The generated vectors are already computed: copied, in id order, as a scan meets them.
    """INSERT INTO product_search (product_id, is_active, search_vector)
    SELECT id, is_active, search_vector FROM products ORDER BY id""",
    "CREATE INDEX ix_product_search_vector ON product_search USING gin (search_vector)",
    "DROP INDEX ix_products_search_vector",
    "ALTER TABLE products DROP COLUMN search_vector",
    "ANALYZE product_search",
]

POSTGRESQL_DOWNGRADE = [
    f"""ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        {_vector()}) STORED""",
    "CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)",
    "DROP TRIGGER products_keep_search ON products",
    "DROP FUNCTION shop_keep_product_search()",
    "DROP TABLE product_search",
    "DROP FUNCTION shop_product_search_vector(products)",
]


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE:
        op.execute(statement)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE:
        op.execute(statement)
