"""Create the items table.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(10, 2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity >= 1", name="items_quantity_positive"),
        sa.CheckConstraint("unit_price > 0", name="items_unit_price_positive"),
    )
    op.create_index("items_created_at", "items", ["created_at"])


def downgrade() -> None:
    op.drop_index("items_created_at", table_name="items")
    op.drop_table("items")
