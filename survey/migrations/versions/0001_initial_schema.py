"""Create the initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('operator_names', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('buildings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site_id', 'name')
    )
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('technician', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site_id', 'name')
    )
    op.create_table('levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('building_id', 'name')
    )
    op.create_table('uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=50), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'sha256')
    )
    op.create_table('rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('criticality', sa.String(length=20), nullable=False),
    sa.Column('analog_line', sa.Boolean(), nullable=False),
    sa.Column('line_number', sa.String(length=50), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('geometry', sa.LargeBinary(), nullable=False),
    sa.Column('area_m2', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['level_id'], ['levels.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site_id', 'ref')
    )
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rooms_level_id'), ['level_id'], unique=False)

    op.create_table('samples',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=100), nullable=True),
    sa.Column('time_ns', sa.BigInteger(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=True),
    sa.Column('x_m', sa.Float(), nullable=True),
    sa.Column('y_m', sa.Float(), nullable=True),
    sa.Column('position_source', sa.String(length=12), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('plmn', sa.String(length=7), nullable=True),
    sa.Column('operator', sa.String(length=100), nullable=True),
    sa.Column('technology', sa.String(length=4), nullable=True),
    sa.Column('serving', sa.Boolean(), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('rsrp_dbm', sa.Float(), nullable=True),
    sa.Column('rsrq_db', sa.Float(), nullable=True),
    sa.Column('sinr_db', sa.Float(), nullable=True),
    sa.Column('rscp_dbm', sa.Float(), nullable=True),
    sa.Column('ecno_db', sa.Float(), nullable=True),
    sa.Column('rssi_dbm', sa.Float(), nullable=True),
    sa.Column('signal_dbm', sa.Float(), nullable=True),
    sa.Column('cell_id', sa.BigInteger(), nullable=True),
    sa.Column('pci', sa.Integer(), nullable=True),
    sa.Column('tac', sa.Integer(), nullable=True),
    sa.Column('arfcn', sa.Integer(), nullable=True),
    sa.Column('band', sa.String(length=20), nullable=True),
    sa.Column('call_test', sa.String(length=8), nullable=True),
    sa.Column('device_model', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['level_id'], ['levels.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.create_index('ix_samples_level_room', ['level_id', 'room_id'], unique=False)
        batch_op.create_index('ix_samples_survey_client', ['survey_id', 'client_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_samples_upload_id'), ['upload_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_samples_upload_id'))
        batch_op.drop_index('ix_samples_survey_client')
        batch_op.drop_index('ix_samples_level_room')

    op.drop_table('samples')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rooms_level_id'))

    op.drop_table('rooms')
    op.drop_table('uploads')
    op.drop_table('levels')
    op.drop_table('surveys')
    op.drop_table('buildings')
    op.drop_table('sites')
