"""Store level georeferences and elevations, and plan backgrounds

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("levels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("elevation_m", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("georeference", sa.JSON(), nullable=True))

    op.create_table(
        "level_backgrounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("media_type", sa.String(length=50), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("dpi", sa.Integer(), nullable=True),
        sa.Column("width_px", sa.Integer(), nullable=False),
        sa.Column("height_px", sa.Integer(), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("metres_per_pixel", sa.Float(), nullable=True),
        sa.Column("calibration", sa.JSON(), nullable=True),
        sa.Column("origin_x_m", sa.Float(), nullable=False),
        sa.Column("origin_y_m", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["level_id"], ["levels.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("level_id"),
    )


def downgrade() -> None:
    op.drop_table("level_backgrounds")
    with op.batch_alter_table("levels", schema=None) as batch_op:
        batch_op.drop_column("georeference")
        batch_op.drop_column("elevation_m")
