"""SAMBAT complaint refs, public ids and cards, webhooks and their outbox (issue 16).

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

import models.base

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def _log_columns() -> None:
    """complaint_ref, and an opaque public_id for every log (existing ones get a random one)."""
    op.add_column('work_logs', sa.Column('complaint_ref', sa.String(length=40), nullable=True))
    if _postgres():
        # A volatile default fills every existing row with its own value, and covers rows that
        # tools insert without the application (the benchmark's generator).
        op.add_column('work_logs', sa.Column('public_id', sa.String(length=32), nullable=False,
                                             server_default=sa.text("md5(random()::text || clock_timestamp()::text)")))
    else:
        # SQLite cannot add a NOT NULL column without a constant default (nor change it later
        # without rebuilding the spatial table); the application always sets it.
        op.add_column('work_logs', sa.Column('public_id', sa.String(length=32), nullable=True))
        op.execute("UPDATE work_logs SET public_id = lower(hex(randomblob(16)))")
    op.create_index('ix_work_logs_complaint_ref', 'work_logs', ['complaint_ref'], unique=False)
    op.create_index('uq_work_logs_public_id', 'work_logs', ['public_id'], unique=True)


def upgrade():
    _log_columns()
    op.create_table('webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('events', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('secret_encrypted', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=255), nullable=True),
    sa.Column('deleted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks'))
    )
    op.create_table('webhook_events',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events'))
    )
    op.create_table('webhook_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=40), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['webhook_events.id'], name=op.f('fk_webhook_outbox_event_id_webhook_events')),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], name=op.f('fk_webhook_outbox_webhook_id_webhooks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_outbox'))
    )
    op.create_index('ix_webhook_outbox_due', 'webhook_outbox', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_webhook_outbox_event_id'), 'webhook_outbox', ['event_id'], unique=False)
    op.create_index(op.f('ix_webhook_outbox_webhook_id'), 'webhook_outbox', ['webhook_id'], unique=False)
    op.create_table('webhook_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['webhook_outbox.id'], name=op.f('fk_webhook_attempts_message_id_webhook_outbox')),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], name=op.f('fk_webhook_attempts_webhook_id_webhooks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    op.create_index(op.f('ix_webhook_attempts_message_id'), 'webhook_attempts', ['message_id'], unique=False)
    op.create_index('ix_webhook_attempts_webhook_at', 'webhook_attempts', ['webhook_id', 'at'], unique=False)


def downgrade():
    op.drop_table('webhook_attempts')
    op.drop_table('webhook_outbox')
    op.drop_table('webhook_events')
    op.drop_table('webhooks')
    op.drop_index('uq_work_logs_public_id', table_name='work_logs')
    op.drop_index('ix_work_logs_complaint_ref', table_name='work_logs')
    with op.batch_alter_table('work_logs') as batch_op:
        batch_op.drop_column('public_id')
        batch_op.drop_column('complaint_ref')
