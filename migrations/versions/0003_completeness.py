"""Completeness (issue 13): when each user was last seen; each crew's latest log by index.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', models.base.UTCDateTime(timezone=True), nullable=True))
    # last_log_at of a crew: the newest created_at among its logs, one index lookup per crew.
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.create_index('ix_work_logs_crew_id_created_at', ['crew_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_work_logs_crew_id_created_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
