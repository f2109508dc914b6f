"""Staff two-factor sign-in: each account's TOTP secret and last used time step, and its
single-use recovery codes (SHA-256 hashes).

Columns are added and dropped with plain ALTER TABLE, never a batch copy of staff_members:
on SQLite a batch copy drops and re-creates the table, and with foreign keys on that would
set every audit entry's staff_id to NULL. (DROP COLUMN needs SQLite 3.35 or later.)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 02:34:53.612237

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TOTP_COLUMNS = ("totp_secret", "totp_enabled_at", "totp_last_step")


def upgrade():
    op.create_table('staff_recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id'], name=op.f('fk_staff_recovery_codes_staff_id_staff_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_recovery_codes'))
    )
    op.create_index(op.f('ix_staff_recovery_codes_staff_id'), 'staff_recovery_codes', ['staff_id'], unique=False)

    op.add_column('staff_members', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('staff_members', sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('staff_members', sa.Column('totp_last_step', sa.BigInteger(), nullable=True))


def downgrade():
    for column in reversed(TOTP_COLUMNS):
        op.execute(f"ALTER TABLE staff_members DROP COLUMN {column}")
    op.drop_index(op.f('ix_staff_recovery_codes_staff_id'), table_name='staff_recovery_codes')
    op.drop_table('staff_recovery_codes')
