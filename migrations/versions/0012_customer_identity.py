"""A code's once-per-customer limit counts the customer's mailbox, not its spelling: the
redemptions' `customer_email` becomes the identity of `shop.rules.promotions.customer_identity`
("Jan+1@X.nl" is "jan@x.nl"; for Gmail the dots go too). Uses recorded before keep counting:
each row gets its address's identity.

Two rows of one code that now name one customer in the same slot (say "ann@x.nl" and
"ann+1@x.nl", both the first use) cannot keep it: the unique (code, customer, slot) would
refuse. The later one keeps its row and its count with no slot, as a use re-taken after an
expiry does (NULL slots never collide, and the count is of rows).

Only data changes; no table is copied. The rule is imported, not copied: it is pure, and
this is the one place it is applied to rows written before it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from shop.rules.promotions import customer_identity

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

redemptions = sa.table(
    "promo_redemptions",
    sa.column("id", sa.Integer),
    sa.column("promo_code_id", sa.Integer),
    sa.column("customer_email", sa.String),
    sa.column("customer_slot", sa.Integer),
)


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            redemptions.c.id,
            redemptions.c.promo_code_id,
            redemptions.c.customer_email,
            redemptions.c.customer_slot,
        ).order_by(redemptions.c.id)
    ).all()
    taken = set()
    changes = []
    for row in rows:
        identity = customer_identity(row.customer_email)
        slot = row.customer_slot
        if slot is not None and (row.promo_code_id, identity, slot) in taken:
            slot = None
        if slot is not None:
            taken.add((row.promo_code_id, identity, slot))
        if (identity, slot) != (row.customer_email, row.customer_slot):
            changes.append((row.id, identity, slot))
    # Slots first to NULL, then the identities: no UPDATE meets a row not yet changed.
    for row_id, _identity, _slot in changes:
        connection.execute(
            redemptions.update().where(redemptions.c.id == row_id).values(customer_slot=None)
        )
    for row_id, identity, slot in changes:
        connection.execute(
            redemptions.update()
            .where(redemptions.c.id == row_id)
            .values(customer_email=identity, customer_slot=slot)
        )


def downgrade():
    # The addresses as typed are in orders.email; the identity counts as well under 0011.
    pass
