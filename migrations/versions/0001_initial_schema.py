"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 20:37:15.182699

"""
from alembic import op
import sqlalchemy as sa

import models.base
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _spatial_index(table: str, column: str) -> None:
    """GiST on PostGIS, an R*Tree (CreateSpatialIndex) on SpatiaLite."""
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index(f'idx_{table}_{column}', table, [column], postgresql_using='gist')
    else:
        op.execute(f"SELECT CreateSpatialIndex('{table}', '{column}')")


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS postgis')
    op.create_table('city',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('boundary_m', Geometry(geometry_type='MULTIPOLYGON', srid=32749, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', spatial_index=False), nullable=True),
    sa.Column('boundary_m_tolerance', Geometry(geometry_type='MULTIPOLYGON', srid=32749, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', spatial_index=False), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_city'))
    )
    op.create_table('kecamatan',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('boundary', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', spatial_index=False), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_kecamatan'))
    )
    op.create_table('crews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kecamatan_code', sa.String(length=8), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], name=op.f('fk_crews_kecamatan_code_kecamatan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crews')),
    sa.UniqueConstraint('name', name=op.f('uq_crews_name'))
    )
    op.create_table('kelurahan',
    sa.Column('code', sa.String(length=13), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kecamatan_code', sa.String(length=8), nullable=False),
    sa.Column('bps_code', sa.String(length=10), nullable=True),
    sa.Column('boundary', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', spatial_index=False), nullable=True),
    sa.Column('boundary_m', Geometry(geometry_type='MULTIPOLYGON', srid=32749, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', spatial_index=False), nullable=True),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], name=op.f('fk_kelurahan_kecamatan_code_kecamatan')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_kelurahan'))
    )
    with op.batch_alter_table('kelurahan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kelurahan_kecamatan_code'), ['kecamatan_code'], unique=False)

    op.create_table('daily_progress',
    sa.Column('kelurahan_code', sa.String(length=13), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('logs', sa.Integer(), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('sediment_m3', sa.Float(), nullable=False),
    sa.Column('waste_kg', sa.Float(), nullable=False),
    sa.Column('photos', sa.Integer(), nullable=False),
    sa.Column('complete', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['kelurahan.code'], name=op.f('fk_daily_progress_kelurahan_code_kelurahan')),
    sa.PrimaryKeyConstraint('kelurahan_code', 'work_date', 'status', name=op.f('pk_daily_progress'))
    )
    with op.batch_alter_table('daily_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_progress_work_date'), ['work_date'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('crew_id', sa.Integer(), nullable=True),
    sa.Column('kecamatan_code', sa.String(length=8), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('crew', 'supervisor', 'admin')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['crew_id'], ['crews.id'], name=op.f('fk_users_crew_id_crews')),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], name=op.f('fk_users_kecamatan_code_kecamatan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('access_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_access_tokens_token_hash'))
    )
    with op.batch_alter_table('access_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('work_logs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('crew_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('activity', sa.String(length=32), nullable=False),
    sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('geometry', Geometry(srid=4326, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', spatial_index=False), nullable=True),
    sa.Column('gps_accuracy_m', sa.Float(), nullable=True),
    sa.Column('claimed_kelurahan_code', sa.String(length=32), nullable=True),
    sa.Column('kelurahan_code', sa.String(length=13), nullable=False),
    sa.Column('kecamatan_code', sa.String(length=8), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=True),
    sa.Column('sediment_m3', sa.Float(), nullable=True),
    sa.Column('waste_kg', sa.Float(), nullable=True),
    sa.Column('workers', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('measured_length_m', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('flags', sa.String(length=255), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['crew_id'], ['crews.id'], name=op.f('fk_work_logs_crew_id_crews')),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], name=op.f('fk_work_logs_kecamatan_code_kecamatan')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['kelurahan.code'], name=op.f('fk_work_logs_kelurahan_code_kelurahan')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_work_logs_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_work_logs_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_logs'))
    )
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_logs_activity'), ['activity'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_crew_id'), ['crew_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_kecamatan_code'), ['kecamatan_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_kelurahan_code'), ['kelurahan_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_work_date'), ['work_date'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('log_id', sa.Uuid(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['work_logs.id'], name=op.f('fk_audit_events_log_id_work_logs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_log_id'), ['log_id'], unique=False)

    op.create_table('photos',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('log_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('taken_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exif_location', Geometry(geometry_type='POINT', srid=4326, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', spatial_index=False), nullable=True),
    sa.Column('distance_to_log_m', sa.Float(), nullable=True),
    sa.Column('flags', sa.String(length=255), nullable=False),
    sa.Column('phash', sa.BigInteger(), nullable=False),
    sa.Column('phash_b0', sa.Integer(), nullable=False),
    sa.Column('phash_b1', sa.Integer(), nullable=False),
    sa.Column('phash_b2', sa.Integer(), nullable=False),
    sa.Column('phash_b3', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=255), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['work_logs.id'], name=op.f('fk_photos_log_id_work_logs')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_photos_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos')),
    sa.UniqueConstraint('public_id', name=op.f('uq_photos_public_id'))
    )
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photos_log_id'), ['log_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_phash_b0'), ['phash_b0'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_phash_b1'), ['phash_b1'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_phash_b2'), ['phash_b2'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_phash_b3'), ['phash_b3'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_sha256'), ['sha256'], unique=False)

    _spatial_index('kecamatan', 'boundary')
    _spatial_index('kelurahan', 'boundary')
    _spatial_index('kelurahan', 'boundary_m')
    _spatial_index('work_logs', 'geometry')


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_sha256'))
        batch_op.drop_index(batch_op.f('ix_photos_phash_b3'))
        batch_op.drop_index(batch_op.f('ix_photos_phash_b2'))
        batch_op.drop_index(batch_op.f('ix_photos_phash_b1'))
        batch_op.drop_index(batch_op.f('ix_photos_phash_b0'))
        batch_op.drop_index(batch_op.f('ix_photos_log_id'))

    op.drop_table('photos')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_log_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_logs_work_date'))
        batch_op.drop_index(batch_op.f('ix_work_logs_status'))
        batch_op.drop_index(batch_op.f('ix_work_logs_started_at'))
        batch_op.drop_index(batch_op.f('ix_work_logs_kelurahan_code'))
        batch_op.drop_index(batch_op.f('ix_work_logs_kecamatan_code'))
        batch_op.drop_index(batch_op.f('ix_work_logs_crew_id'))
        batch_op.drop_index(batch_op.f('ix_work_logs_created_at'))
        batch_op.drop_index(batch_op.f('ix_work_logs_activity'))

    op.drop_table('work_logs')
    with op.batch_alter_table('access_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_tokens_user_id'))

    op.drop_table('access_tokens')
    op.drop_table('users')
    with op.batch_alter_table('daily_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_progress_work_date'))

    op.drop_table('daily_progress')
    with op.batch_alter_table('kelurahan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kelurahan_kecamatan_code'))

    op.drop_table('kelurahan')
    op.drop_table('crews')
    op.drop_table('kecamatan')
    op.drop_table('city')
    # ### end Alembic commands ###
