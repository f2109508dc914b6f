"""Shipping: methods with a price per zone, and the shipping line of each order.

shipping_methods and shipping_rates hold what staff manage in the back office (a rate per
method and zone, shop.rules.shipping.Zone; no rate means the method does not ship there).
The shop's first methods are made here, so a production database has them the moment it is
upgraded: PostNL's letterbox parcel (the Netherlands only), parcel (every zone) and parcel
with an age check on delivery (the Netherlands only, as PostNL offers it).

orders gain the shipping line as charged (method name, carrier, age check, cents), and the
total now includes shipping: `total_cents = subtotal_cents - discount_cents +
shipping_cents`. Orders placed before have shipping 0, so they satisfy the new CHECK as they
did the old one, and their totals do not change.

Promo codes gain a third kind, free shipping (value 0): the CHECKs on promo_codes.kind,
promo_codes' value per kind and orders.promo_kind name it.

Plain ALTER TABLE only, never a batch copy: a copy of orders would cascade-delete their
lines, warnings and VAT lines (see 0016). SQLite cannot change a table's CHECK by ALTER
TABLE, so the stored CREATE TABLE text of orders is edited in place, the procedure SQLite
documents for changes that leave the stored rows as they are ("Making other kinds of table
schema changes", with writable_schema and a new schema_version).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

OLD_TOTAL = "total_cents = subtotal_cents - discount_cents"
NEW_TOTAL = "total_cents = subtotal_cents - discount_cents + shipping_cents"

# (position, name_en, name_nl, carrier, includes_age_check, {zone: price in cents})
DEFAULT_METHODS = (
    (1, "Letterbox parcel", "Brievenbuspakje", "PostNL", False, {"nl": 450}),
    (2, "Parcel", "Pakket", "PostNL", False, {"nl": 695, "be": 995, "de": 1095, "eu": 1495}),
    (3, "Parcel with age check", "Pakket met leeftijdscheck", "PostNL", True, {"nl": 895}),
)


def _replace_check(table: str, name: str, old: str, new: str) -> None:
    """Replace the CHECK `name` of `table` (its condition `old`) by one with `new`."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, new)
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    old_clause, new_clause = f"CONSTRAINT {name} CHECK ({old})", f"CONSTRAINT {name} CHECK ({new})"
    if old_clause not in sql:
        raise RuntimeError(f"{table}'s CHECK {name} is not the one this migration expects")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        (sql.replace(old_clause, new_clause), table),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


# The promo code kinds before and after "free shipping" (shop.rules.promotions.Kind).
OLD_KINDS = "kind IN ('percent', 'amount')"
NEW_KINDS = "kind IN ('percent', 'amount', 'free_shipping')"
OLD_VALUE = "(kind = 'percent' AND value >= 1 AND value <= 100) OR (kind = 'amount' AND value > 0)"
NEW_VALUE = (
    "(kind = 'percent' AND value >= 1 AND value <= 100) OR (kind = 'amount' AND value > 0) "
    "OR (kind = 'free_shipping' AND value = 0)"
)


def _checks(forward: bool) -> None:
    pairs = [
        ("orders", "ck_orders_total_adds_up", OLD_TOTAL, NEW_TOTAL),
        ("orders", "ck_orders_order_promo_kind", f"promo_{OLD_KINDS}", f"promo_{NEW_KINDS}"),
        ("promo_codes", "ck_promo_codes_promo_kind", OLD_KINDS, NEW_KINDS),
        ("promo_codes", "ck_promo_codes_value_fits_kind", OLD_VALUE, NEW_VALUE),
    ]
    for table, name, old, new in pairs:
        if forward:
            _replace_check(table, name, old, new)
        else:
            _replace_check(table, name, new, old)


def upgrade():
    methods = op.create_table(
        "shipping_methods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("name_nl", sa.String(length=100), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=False),
        sa.Column("includes_age_check", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "name_en <> '' AND name_nl <> ''",
            name=op.f("ck_shipping_methods_names_not_empty"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_methods")),
    )
    rates = op.create_table(
        "shipping_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method_id", sa.Integer(), nullable=False),
        sa.Column(
            "zone",
            sa.Enum(
                "nl", "be", "de", "eu", name="shipping_zone", native_enum=False, length=32,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_shipping_rates_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["method_id"],
            ["shipping_methods.id"],
            name=op.f("fk_shipping_rates_method_id_shipping_methods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_rates")),
        sa.UniqueConstraint("method_id", "zone", name=op.f("uq_shipping_rates_method_id")),
    )
    op.add_column(
        "orders",
        sa.Column("shipping_method_name", sa.String(length=100), server_default="", nullable=False),
    )
    op.add_column(
        "orders",
        sa.Column("shipping_carrier", sa.String(length=100), server_default="", nullable=False),
    )
    op.add_column(
        "orders",
        sa.Column(
            "shipping_includes_age_check", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    # The column's CHECK goes with it: SQLite takes a column constraint in ADD COLUMN.
    op.execute(
        "ALTER TABLE orders ADD COLUMN shipping_cents INTEGER DEFAULT 0 NOT NULL "
        "CONSTRAINT ck_orders_shipping_not_negative CHECK (shipping_cents >= 0)"
    )
    _checks(forward=True)

    op.bulk_insert(
        methods,
        [
            {
                "id": position,
                "name_en": name_en,
                "name_nl": name_nl,
                "carrier": carrier,
                "includes_age_check": age_check,
                "is_active": True,
                "position": position,
            }
            for position, name_en, name_nl, carrier, age_check, _ in DEFAULT_METHODS
        ],
    )
    op.bulk_insert(
        rates,
        [
            {"method_id": position, "zone": zone, "price_cents": price}
            for position, *_, prices in DEFAULT_METHODS
            for zone, price in prices.items()
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # The ids were given explicitly: move the sequence past them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('shipping_methods', 'id'), "
            "(SELECT max(id) FROM shipping_methods))"
        )


def downgrade():
    # Refused while an order was charged shipping or a free-shipping code exists: the old
    # CHECKs cannot hold them. PostgreSQL refuses when it re-creates a CHECK; SQLite, whose
    # CHECKs are edited in place, would not notice, so it is asked first.
    bind = op.get_bind()
    charged = bind.exec_driver_sql(
        "SELECT (SELECT count(*) FROM orders WHERE shipping_cents <> 0) + "
        "(SELECT count(*) FROM promo_codes WHERE kind = 'free_shipping')"
    ).scalar_one()
    if charged:
        raise RuntimeError(
            "cannot go back before 0019: orders were charged shipping or free-shipping "
            "codes exist"
        )
    _checks(forward=False)
    op.drop_column("orders", "shipping_cents")
    op.drop_column("orders", "shipping_includes_age_check")
    op.drop_column("orders", "shipping_carrier")
    op.drop_column("orders", "shipping_method_name")
    op.drop_table("shipping_rates")
    op.drop_table("shipping_methods")
