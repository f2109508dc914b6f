"""Age verification by an OpenID provider: what is kept of it, and products that need it.

age_checks gains the provider (its issuer URL) and the provider's transaction reference of
a verification (never a claim about the person), a third method, `oidc`, and a third
outcome, `failed` (the provider refused, could not be reached, or sent a token that failed
a check). orders.age_check_method names `oidc` as well: the order's snapshot of how the age
was verified. products gain `needs_verified_age`: ordered only after a verification of the
product's age by the provider in the same browser session.

Plain ALTER TABLE only (a batch copy of orders would cascade-delete its lines, see 0019):
SQLite's CHECKs are edited in place in the stored CREATE TABLE text, as 0019 does.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-06 15:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

OLD_METHODS = "IN ('confirm', 'dob')"
NEW_METHODS = "IN ('confirm', 'dob', 'oidc')"
OLD_OUTCOMES = "IN ('passed', 'refused')"
NEW_OUTCOMES = "IN ('passed', 'refused', 'failed')"
CHECKS = (
    ("age_checks", "ck_age_checks_age_check_method", "method", OLD_METHODS, NEW_METHODS),
    ("age_checks", "ck_age_checks_age_check_outcome", "outcome", OLD_OUTCOMES, NEW_OUTCOMES),
    ("orders", "ck_orders_order_age_check_method", "age_check_method", OLD_METHODS, NEW_METHODS),
    (
        "orders",
        "ck_orders_order_age_check_outcome",
        "age_check_outcome",
        OLD_OUTCOMES,
        NEW_OUTCOMES,
    ),
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


def upgrade():
    op.add_column("age_checks", sa.Column("provider", sa.String(length=255), nullable=True))
    op.add_column("age_checks", sa.Column("reference", sa.String(length=128), nullable=True))
    op.add_column(
        "products",
        sa.Column("needs_verified_age", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    for table, name, column, old, new in CHECKS:
        _replace_check(table, name, f"{column} {old}", f"{column} {new}")


def downgrade():
    # Refused while a row names what the old CHECKs cannot hold: PostgreSQL would refuse
    # when it re-creates a CHECK; SQLite, edited in place, would not notice, so it is asked.
    bind = op.get_bind()
    newer = bind.exec_driver_sql(
        "SELECT (SELECT count(*) FROM age_checks WHERE method = 'oidc' OR outcome = 'failed')"
        " + (SELECT count(*) FROM orders WHERE age_check_method = 'oidc')"
    ).scalar_one()
    if newer:
        raise RuntimeError(
            "cannot go back before 0023: age checks or orders name the oidc method or a "
            "failed verification"
        )
    for table, name, column, old, new in CHECKS:
        _replace_check(table, name, f"{column} {new}", f"{column} {old}")
    op.drop_column("products", "needs_verified_age")
    op.drop_column("age_checks", "reference")
    op.drop_column("age_checks", "provider")
