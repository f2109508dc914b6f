"""An order's attention reasons as codes with their data (`orders.attention_notes`, JSON),
so staff read them in their own language; the free text of before becomes notes of the
code "note".

orders gains a column and loses one with plain ALTER TABLE (SQLite 3.35 or later), never a
batch copy: a copy of orders would cascade-delete its lines.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 12:00:00.000000

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "orders",
        sa.Column(
            "attention_notes", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
        ),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, attention_reason FROM orders WHERE attention_reason <> ''")
    ).all()
    for order_id, reason in rows:
        notes = [
            {"code": "note", "params": {"text": line}} for line in reason.split("\n") if line
        ]
        connection.execute(
            sa.text("UPDATE orders SET attention_notes = :notes WHERE id = :id"),
            {"notes": json.dumps(notes), "id": order_id},
        )
    op.execute("ALTER TABLE orders DROP COLUMN attention_reason")


def downgrade():
    op.add_column(
        "orders",
        sa.Column("attention_reason", sa.Text(), nullable=False, server_default=""),
    )
    connection = op.get_bind()
    for order_id, notes in connection.execute(
        sa.text("SELECT id, attention_notes FROM orders")
    ).all():
        if isinstance(notes, str):
            notes = json.loads(notes)
        lines = [
            str((note.get("params") or {}).get("text") or note.get("code"))
            for note in notes or []
        ]
        connection.execute(
            sa.text("UPDATE orders SET attention_reason = :text WHERE id = :id"),
            {"text": "\n".join(lines), "id": order_id},
        )
    op.execute("ALTER TABLE orders DROP COLUMN attention_notes")
