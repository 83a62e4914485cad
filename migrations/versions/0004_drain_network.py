"""Drain network and coverage (issue 15).

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _spatial_index(table: str, column: str) -> None:
    """GiST on PostGIS, an R*Tree (CreateSpatialIndex) on SpatiaLite."""
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index(f'idx_{table}_{column}', table, [column], postgresql_using='gist')
    else:
        op.execute(f"SELECT CreateSpatialIndex('{table}', '{column}')")


def _geometry(name: str, srid: int):
    return sa.Column(name, Geometry(geometry_type='LINESTRING', srid=srid, dimension=2, from_text='ST_GeomFromEWKT',
                                    name='geometry', spatial_index=False), nullable=True)


def upgrade():
    op.create_table('drain_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=13), nullable=False),
    sa.Column('kecamatan_code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=80), nullable=True),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('bins', sa.Integer(), nullable=False),
    sa.Column('bin_m', sa.Float(), nullable=False),
    _geometry('geometry', 4326),
    _geometry('geometry_m', 32749),
    sa.Column('covered_m', sa.Float(), nullable=False),
    sa.Column('last_cleaned_on', sa.Date(), nullable=True),
    sa.Column('cleanings', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], name=op.f('fk_drain_segments_kecamatan_code_kecamatan')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['kelurahan.code'], name=op.f('fk_drain_segments_kelurahan_code_kelurahan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drain_segments'))
    )
    with op.batch_alter_table('drain_segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drain_segments_kecamatan_code'), ['kecamatan_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_drain_segments_kelurahan_code'), ['kelurahan_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_drain_segments_last_cleaned_on'), ['last_cleaned_on'], unique=False)
    _spatial_index('drain_segments', 'geometry')
    _spatial_index('drain_segments', 'geometry_m')

    op.create_table('drain_network_areas',
    sa.Column('kelurahan_code', sa.String(length=13), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['kelurahan.code'], name=op.f('fk_drain_network_areas_kelurahan_code_kelurahan')),
    sa.PrimaryKeyConstraint('kelurahan_code', name=op.f('pk_drain_network_areas'))
    )
    op.create_table('log_coverage',
    sa.Column('log_id', sa.Uuid(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('first_bin', sa.Integer(), nullable=False),
    sa.Column('last_bin', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['work_logs.id'], name=op.f('fk_log_coverage_log_id_work_logs')),
    sa.ForeignKeyConstraint(['segment_id'], ['drain_segments.id'], name=op.f('fk_log_coverage_segment_id_drain_segments')),
    sa.PrimaryKeyConstraint('log_id', 'segment_id', 'first_bin', name=op.f('pk_log_coverage'))
    )
    with op.batch_alter_table('log_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_coverage_segment_id'), ['segment_id'], unique=False)

    op.create_table('coverage_days',
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('bin', sa.Integer(), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('logs', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['segment_id'], ['drain_segments.id'], name=op.f('fk_coverage_days_segment_id_drain_segments')),
    sa.PrimaryKeyConstraint('segment_id', 'bin', 'work_date', name=op.f('pk_coverage_days'))
    )
    op.create_table('coverage_rollup',
    sa.Column('kelurahan_code', sa.String(length=13), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('next_date', sa.Date(), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['kelurahan.code'], name=op.f('fk_coverage_rollup_kelurahan_code_kelurahan')),
    sa.PrimaryKeyConstraint('kelurahan_code', 'work_date', 'next_date', name=op.f('pk_coverage_rollup'))
    )
    op.create_index('ix_coverage_rollup_next_date_work_date', 'coverage_rollup', ['next_date', 'work_date'], unique=False)
    # A plain ADD COLUMN on both databases (no table rebuild on SQLite): existing logs cover 0 m.
    op.add_column('work_logs', sa.Column('covered_m', sa.Float(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.drop_column('covered_m')
    op.drop_index('ix_coverage_rollup_next_date_work_date', table_name='coverage_rollup')
    op.drop_table('coverage_rollup')
    op.drop_table('coverage_days')
    with op.batch_alter_table('log_coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_coverage_segment_id'))
    op.drop_table('log_coverage')
    op.drop_table('drain_network_areas')
    if op.get_bind().dialect.name != 'postgresql':
        op.execute("SELECT DisableSpatialIndex('drain_segments', 'geometry')")
        op.execute("SELECT DisableSpatialIndex('drain_segments', 'geometry_m')")
        op.execute("DROP TABLE IF EXISTS idx_drain_segments_geometry")
        op.execute("DROP TABLE IF EXISTS idx_drain_segments_geometry_m")
    op.drop_table('drain_segments')
