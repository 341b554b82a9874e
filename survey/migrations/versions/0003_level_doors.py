"""Store the doors drawn on each level's plan

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("levels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("doors", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("levels", schema=None) as batch_op:
        batch_op.drop_column("doors")
